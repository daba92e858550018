"""The fast path of ``helixc.get_notation``: name exactly as typed -> registered notation.

Filled by :mod:`helixc.plugins` as names are looked up and emptied whenever a plugin is
registered, unregistered or reloaded. It lives in its own module, free of imports, so that
``import helixc`` stays light and the public API finds a notation with one dict lookup.
"""

NOTATIONS: dict = {}
