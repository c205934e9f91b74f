"""manifest layer: what a manifest blob is (moby's detector) and what it says (the models).

Pure functions over bytes; the Go-compatible JSON decoding lives in
:mod:`mstoolkit.manifest.gojson`.
"""

from mstoolkit.manifest.detect import (
    deprecation_notice,
    detect_media_type,
    detection_label,
    schema1_gate_open,
)

__all__ = [
    "deprecation_notice",
    "detect_media_type",
    "detection_label",
    "schema1_gate_open",
]


def __dir__() -> list[str]:
    return sorted(__all__)
