"""helixc built-in plugin: neural (work in progress)."""
