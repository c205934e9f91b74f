"""widgets layer (filled in by its issue)."""
