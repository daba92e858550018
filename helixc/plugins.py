"""The plugin manager and the registries built from it.

Plugins are found through the ``helixc`` entry-point group; the built-ins in
``plugins/`` (package ``helixc_plugins``) are declared there too, so they load
exactly like third-party ones. ``HELIXC_LOAD_PLUGINS=a,b`` restricts loading
to the named entry points (an empty value loads none).
"""

from __future__ import annotations

import importlib
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
    for name, target in _entry_points(ENTRY_POINT_GROUP):
        if wanted is not None and name not in wanted:
            continue
        if pm.get_plugin(name) is not None:
            continue
        try:
            module_name, _, attr = target.partition(":")
            module = importlib.import_module(module_name.strip())
            for part in filter(None, attr.strip().split(".")):
                module = getattr(module, part)
        except Exception as e:  # a broken third-party plugin must not take helixc down
            print(f"helixc: plugin {name!r} failed to load: {e}", file=sys.stderr)
            continue
        pm.register(module, name=name)


def _entry_points(group: str) -> list[tuple[str, str]]:
    """(name, "module:attr") of every entry point in ``group``, like importlib.metadata.

    Importing importlib.metadata costs ~40 ms (email, zipfile, csv ...) at every CLI start;
    reading the installed distributions' ``entry_points.txt`` directly costs ~1 ms. A
    sys.path entry that is not a plain directory (a zip) falls back to importlib.metadata.
    """
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for path in sys.path:
        path = path or "."
        if not os.path.isdir(path):
            if os.path.exists(path):
                import importlib.metadata

                return [(ep.name, ep.value) for ep in importlib.metadata.entry_points(group=group)]
            continue
        try:
            names = sorted(os.listdir(path))
        except OSError:
            continue
        for entry in names:
            if not entry.endswith((".dist-info", ".egg-info")):
                continue
            # name-1.0.dist-info, name.egg-info, name-1.0-py3.11.egg-info (the first one on sys.path wins)
            key = entry.rsplit(".", 1)[0].split("-")[0].lower().replace(".", "_")
            if key in seen:
                continue
            seen.add(key)
            try:
                with open(os.path.join(path, entry, "entry_points.txt"), encoding="utf-8") as fh:
                    text = fh.read()
            except OSError:
                continue
            out.extend(_parse_entry_points(text, group))
    return out


def _parse_entry_points(text: str, group: str) -> list[tuple[str, str]]:
    section = None
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            name, _, value = line.partition("=")
            out.append((name.strip(), value.split("[", 1)[0].strip()))
    return out


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
    import importlib.metadata

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
