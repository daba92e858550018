"""helixc corpora package."""
