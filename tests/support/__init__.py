"""Shared test support: fixtures and helpers registered as pytest plugins by tests/conftest.py."""
