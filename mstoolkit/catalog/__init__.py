"""catalog layer (filled in by its issue)."""
