"""helixc plugins package."""
