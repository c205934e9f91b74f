"""manifest layer (filled in by its issue)."""
