"""helixc built-in plugin: corpus (work in progress)."""
