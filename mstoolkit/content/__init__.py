"""content layer (filled in by its issue)."""
