"""Root conftest: registers the shared fixture plugins that live in tests/support/."""

pytest_plugins = [
    "tests.support.fixtures_data",
    "tests.support.registry_server",
    "tests.support.fault_proxy",
    "tests.support.stores",
]
