"""helixc built-in plugin: evaluate (work in progress)."""
