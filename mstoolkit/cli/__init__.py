"""cli layer (filled in by its issue)."""
