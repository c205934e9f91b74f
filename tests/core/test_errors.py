"""The exception hierarchy: one root, errdefs categories that are also builtins."""

from __future__ import annotations

import pytest

import mstoolkit
from mstoolkit import errors

CATEGORIES = {
    errors.InvalidArgument: ValueError,
    errors.NotFound: LookupError,
    errors.AlreadyExists: FileExistsError,
    errors.FailedPrecondition: RuntimeError,
    errors.Unavailable: ConnectionError,
    errors.Unauthenticated: PermissionError,
    errors.PermissionDenied: PermissionError,
}


@pytest.mark.parametrize(("category", "builtin"), CATEGORIES.items())
def test_each_category_is_an_mstoolkit_error_and_its_builtin(
    category: type[errors.MstoolkitError], builtin: type[Exception]
) -> None:
    """Code that catches the builtin keeps working; code that catches the root sees all."""
    assert issubclass(category, errors.MstoolkitError)
    assert issubclass(category, builtin)


@pytest.mark.parametrize(
    ("leaf", "category"),
    [
        (errors.DeprecatedSchema1ImageError, errors.InvalidArgument),
        (errors.InvalidReference, errors.InvalidArgument),
        (errors.InvalidDigest, errors.InvalidArgument),
        (errors.InvalidJSON, errors.InvalidArgument),
        (errors.ManifestConflict, errors.InvalidArgument),
        (errors.UnsupportedMediaType, errors.InvalidArgument),
        (errors.ResourceExhausted, errors.InvalidArgument),
        (errors.DigestMismatch, errors.FailedPrecondition),
    ],
)
def test_leaves_sit_under_their_category(
    leaf: type[errors.MstoolkitError], category: type[errors.MstoolkitError]
) -> None:
    """Leaves exist where callers branch, and each belongs to exactly one category."""
    assert issubclass(leaf, category)
    roots = [c for c in CATEGORIES if issubclass(leaf, c)]
    assert roots == [category]


def test_category_of_names_the_category() -> None:
    """category_of gives a stable string for DataFrames and exit codes, 'unknown' for others."""
    assert errors.category_of(errors.DigestMismatch("x")) == "failed-precondition"
    assert errors.category_of(errors.InvalidReference("x")) == "invalid-argument"
    assert errors.category_of(KeyError("x")) == "unknown"


def test_every_error_class_is_exported_from_the_package() -> None:
    """All public error classes are reachable as mstoolkit.<Name>."""
    names = [n for n in errors.__all__ if isinstance(getattr(errors, n), type)]
    missing = [n for n in names if getattr(mstoolkit, n, None) is not getattr(errors, n)]
    assert missing == []
