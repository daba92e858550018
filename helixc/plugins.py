"""The plugin manager and the registries built from it.

Plugins are found through the ``helixc`` entry-point group; the built-ins in
``plugins/`` (package ``helixc_plugins``) are declared there too, so they load
exactly like third-party ones. ``HELIXC_LOAD_PLUGINS=a,b`` restricts loading
to the named entry points (an empty value loads none).
"""

from __future__ import annotations

import importlib.metadata
import os
import sys

import pluggy

from . import hookspecs
from .errors import E_NOTATION_UNKNOWN, E_PLUGIN, HelixError
from .notation import Notation

pm = pluggy.PluginManager("helixc")
pm.add_hookspecs(hookspecs)

ENTRY_POINT_GROUP = "helixc"
_loaded = False


def load_plugins() -> None:
    """Load every entry-point plugin once (idempotent)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    only = os.environ.get("HELIXC_LOAD_PLUGINS")
    wanted = None if only is None else {n.strip() for n in only.split(",") if n.strip()}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if wanted is not None and ep.name not in wanted:
            continue
        if pm.get_plugin(ep.name) is not None:
            continue
        try:
            module = ep.load()
        except Exception as e:  # a broken third-party plugin must not take helixc down
            print(f"helixc: plugin {ep.name!r} failed to load: {e}", file=sys.stderr)
            continue
        pm.register(module, name=ep.name)


def _collect(hook_name: str) -> list:
    load_plugins()
    items: list = []
    getattr(pm.hook, hook_name)(register=items.append)
    return items


def notations() -> dict[str, Notation]:
    """Canonical name -> notation, for every registered notation."""
    out: dict[str, Notation] = {}
    for n in _collect("register_notations"):
        if not isinstance(n, Notation) or not n.name:
            raise HelixError(E_PLUGIN, f"register_notations got {n!r}, which is not a named Notation")
        out[n.name.lower()] = n
    return out


def alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for name, n in notations().items():
        table[name] = name
        for a in n.aliases:
            table[a.lower()] = name
    return table


def get_notation(name: str) -> Notation:
    """Look a notation up by name or alias, case-insensitively."""
    table = alias_table()
    key = name.strip().lower()
    if key not in table:
        known = ", ".join(sorted(notations()))
        raise HelixError(E_NOTATION_UNKNOWN, f"unknown notation {name!r} (known: {known})")
    return notations()[table[key]]


def plugin_info() -> list[dict]:
    """What ``helixc plugins`` prints: one dict per loaded plugin."""
    load_plugins()
    dists = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dists[ep.name] = ep.dist
    out = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda p: p[0]):
        info = {"name": name, "hooks": sorted(h.name for h in pm.get_hookcallers(plugin) or [])}
        dist = dists.get(name)
        if dist is not None:
            info["version"] = dist.version
            info["distribution"] = dist.metadata["Name"]
        if hasattr(plugin, "register_notations"):
            got: list = []
            plugin.register_notations(register=got.append)
            info["notations"] = [n.name for n in got]
        out.append(info)
    return out
