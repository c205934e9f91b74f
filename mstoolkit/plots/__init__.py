"""plots layer (filled in by its issue)."""
