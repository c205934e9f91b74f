"""One module per ``mstoolkit`` subcommand, found by name (see :mod:`mstoolkit.cli.main`).

Each defines ``NAME``, ``HELP``, ``register(parser)`` and ``run(args) -> int``.
"""

__all__: list[str] = []


def __dir__() -> list[str]:
    return sorted(__all__)
