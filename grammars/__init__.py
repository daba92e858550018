"""helixc grammars package."""
