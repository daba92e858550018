"""helixc built-in plugin: serve (work in progress)."""
