"""registry layer (filled in by its issue)."""
