"""manifest_store layer (filled in by its issue)."""
