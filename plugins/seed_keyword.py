"""helixc built-in plugin: seed_keyword (work in progress)."""
