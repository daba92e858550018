"""The plugin manager and the registries built from it.

Plugins are found through the ``helixc`` entry-point group; the built-ins in
``plugins/`` (package ``helixc_plugins``) are declared there too, so they load
exactly like third-party ones. ``HELIXC_LOAD_PLUGINS=a,b`` restricts loading
to the named entry points (an empty value loads none; a name that is no
installed entry point is an error).

The notation registry is built once, on first use, and rebuilt after any
plugin is registered or unregistered (``pm.register`` / ``pm.unregister``,
:func:`reload_plugins`). Building it checks the plugins: a plugin that fails to
import, a hook implementation whose name is no helixc hook (a misspelling), a
hook function without ``@hookimpl``, a registration that is not a named
``Notation``, and a notation name or alias that another notation already uses
are all ``HelixError(E_PLUGIN)`` naming the plugin(s). Every notation is handed
out wrapped (:class:`PluginNotation`): an exception other than ``HelixError``
escaping its ``parse``/``emit``/``encode``/``decode`` becomes a one-line
``HelixError(E_PLUGIN)`` naming the plugin, with the original as ``__cause__``.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from typing import Any

import pluggy

from . import _lookup, hookspecs
from .errors import E_NOTATION_UNKNOWN, E_PLUGIN, HelixError
from .notation import Notation

ENTRY_POINT_GROUP = "helixc"
HOOK_NAMES = tuple(sorted(n for n in vars(hookspecs) if n.startswith("register_")))


class _PluginManager(pluggy.PluginManager):
    """pluggy's manager; every change to the set of plugins drops the cached registry."""

    def register(self, plugin, name=None):
        try:
            return super().register(plugin, name)
        finally:
            invalidate()

    def unregister(self, plugin=None, name=None):
        try:
            return super().unregister(plugin, name)
        finally:
            invalidate()

    def set_blocked(self, name):
        try:
            return super().set_blocked(name)
        finally:
            invalidate()


pm = _PluginManager("helixc")
pm.add_hookspecs(hookspecs)

_lock = threading.RLock()
_loaded = False
_load_error: HelixError | None = None  # raised again by every load_plugins() until reload_plugins()
_from_entry_points: list[str] = []  # names load_plugins registered (reload_plugins unregisters them)


def load_plugins() -> None:
    """Load every entry-point plugin once (idempotent).

    Raises ``HelixError(E_PLUGIN)`` when ``HELIXC_LOAD_PLUGINS`` names an entry point that is not
    installed, or a plugin fails to import or to register; the plugins that did load stay
    registered, and every later call raises the same error (a half-loaded set of plugins would
    give wrong answers: an "unknown notation" for the one that failed, say).
    """
    global _loaded, _load_error
    if _loaded:
        if _load_error is not None:
            raise _load_error
        return
    with _lock:
        if not _loaded:
            try:
                _load_error = _load()
            finally:
                _loaded = True
    if _load_error is not None:
        raise _load_error


def _load() -> HelixError | None:
    only = os.environ.get("HELIXC_LOAD_PLUGINS")
    wanted = None if only is None else {n.strip() for n in only.split(",") if n.strip()}
    available = _entry_points(ENTRY_POINT_GROUP)
    problems: list[str] = []
    first_cause: BaseException | None = None
    if wanted is not None:
        unknown = sorted(wanted - {name for name, _ in available})
        if unknown:
            known = ", ".join(sorted({name for name, _ in available})) or "none"
            problems.append(f"HELIXC_LOAD_PLUGINS names {', '.join(map(repr, unknown))}, which "
                            f"{'is' if len(unknown) == 1 else 'are'} not installed (installed plugins: {known})")
    for name, target in available:
        if wanted is not None and name not in wanted:
            continue
        if pm.get_plugin(name) is not None or pm.is_blocked(name):
            continue
        try:
            module_name, _, attr = target.partition(":")
            module = importlib.import_module(module_name.strip())
            for part in filter(None, attr.strip().split(".")):
                module = getattr(module, part)
        except Exception as e:  # noqa: BLE001 - reported as E_PLUGIN below, with the cause kept
            problems.append(f"plugin {name!r} ({target}) failed to import: {type(e).__name__}: {_one_line(e)}")
            first_cause = first_cause or e
            continue
        try:
            pm.register(module, name=name)
        except (pluggy.PluginValidationError, ValueError) as e:
            problems.append(f"plugin {name!r} ({target}) cannot be registered: {_one_line(e)}")
            first_cause = first_cause or e
            continue
        _from_entry_points.append(name)
    if not problems:
        return None
    hint = "" if wanted is not None else " (HELIXC_LOAD_PLUGINS=a,b loads only the named plugins)"
    err = HelixError(E_PLUGIN, "; ".join(problems) + hint)
    err.__cause__ = first_cause
    return err


def reload_plugins() -> None:
    """Unregister the entry-point plugins, forget load errors, and load again (reads
    ``HELIXC_LOAD_PLUGINS`` afresh). Plugins registered at run time with ``pm.register`` stay."""
    global _loaded, _load_error
    with _lock:
        for name in _from_entry_points:
            if pm.get_plugin(name) is not None:
                pm.unregister(name=name)
        _from_entry_points.clear()
        _loaded, _load_error = False, None
        invalidate()
    load_plugins()


def _one_line(e: BaseException, limit: int = 300) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


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




# --------------------------------------------------------------------------- checks


def check_hooks() -> None:
    """``HelixError(E_PLUGIN)`` for a plugin implementing a hook helixc does not define (a
    misspelt name: pluggy would silently never call it) or defining a helixc hook function
    without ``@hookimpl`` (pluggy ignores it); then pluggy's own ``pm.check_pending()``."""
    for hook_name in list(vars(pm.hook)):
        if hook_name.startswith("_"):
            continue
        caller = getattr(pm.hook, hook_name)
        if caller.has_spec():
            continue
        for impl in caller.get_hookimpls():
            if not impl.optionalhook:
                raise HelixError(E_PLUGIN, f"plugin {impl.plugin_name!r} implements hook {hook_name!r}, which "
                                           f"helixc does not define (its hooks: {', '.join(HOOK_NAMES)})")
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        implemented = {c.name for c in pm.get_hookcallers(plugin) or []}
        for hook_name in HOOK_NAMES:
            if hook_name not in implemented and callable(getattr(plugin, hook_name, None)):
                raise HelixError(E_PLUGIN, f"plugin {name!r} defines {hook_name}() without @hookimpl "
                                           "(from helixc.hookspecs import hookimpl), so it would never be called")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as e:
        raise HelixError(E_PLUGIN, f"plugin {pm.get_name(e.plugin)!r}: {_one_line(e)}") from e


def _call_each(hook_name: str, **kwargs) -> list[tuple[str, Any]]:
    """(plugin name, item) for everything each plugin passes to ``register`` in ``hook_name``,
    in pluggy's call order. One implementation at a time, so every item has its owner; an
    exception escaping a hook is E_PLUGIN naming the plugin."""
    load_plugins()
    out: list[tuple[str, Any]] = []
    for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):
        if impl.hookwrapper or impl.wrapper:
            continue  # wrappers wrap the call of the others; here each is called on its own
        owner = impl.plugin_name

        def register(item, _owner=owner):
            out.append((_owner, item))

        args = dict(kwargs, register=register)
        try:
            impl.function(*(args[a] for a in impl.argnames))
        except HelixError:
            raise
        except Exception as e:
            raise HelixError(E_PLUGIN, f"plugin {owner!r}: hook {hook_name} raised {type(e).__name__}: "
                                       f"{_one_line(e)}") from e
    return out


def _collect(hook_name: str) -> list:
    """Everything registered through ``hook_name`` (``register_specialists``, ``register_routers``)."""
    return [item for _, item in _call_each(hook_name)]


# --------------------------------------------------------------------------- the notation registry


class PluginNotation(Notation):
    """A registered notation as the registry hands it out.

    Reads like the plugin's own object (``name``, ``aliases``, ``grammar``... and any other
    attribute are the plugin's); ``parse``, ``parse_reference``, ``emit``, ``encode`` and
    ``decode`` call the plugin's and turn any exception that is not a ``HelixError`` into a
    one-line ``HelixError(E_PLUGIN)`` naming the plugin, the original kept as ``__cause__``.
    On success the cost is one extra call (tens of nanoseconds). ``wrapped`` is the plugin's
    object, ``plugin`` the name of the plugin that registered it.
    """

    def __init__(self, notation: Notation, plugin: str):
        self.wrapped = notation
        self.plugin = plugin

    name = property(lambda self: self.wrapped.name)
    aliases = property(lambda self: self.wrapped.aliases)
    title = property(lambda self: self.wrapped.title)
    binary = property(lambda self: self.wrapped.binary)
    grammar = property(lambda self: self.wrapped.grammar)
    english_names = property(lambda self: self.wrapped.english_names)
    more_english_names = property(lambda self: getattr(self.wrapped, "more_english_names", ()))
    reader_names = property(lambda self: getattr(self.wrapped, "reader_names", ()))
    descriptive_words = property(lambda self: getattr(self.wrapped, "descriptive_words", ()))
    description_stop_words = property(lambda self: self.wrapped.description_stop_words)
    list_stop_words = property(lambda self: self.wrapped.list_stop_words)
    route_rank = property(lambda self: self.wrapped.route_rank)
    start_chars = property(lambda self: self.wrapped.start_chars)
    writes_values = property(lambda self: self.wrapped.writes_values)
    slot_spelling = property(lambda self: self.wrapped.slot_spelling)
    order_rules = property(lambda self: self.wrapped.order_rules)
    glyphs = property(lambda self: self.wrapped.glyphs)
    # newer than some plugins: a plugin object without them reads their neutral defaults
    corpus_families = property(lambda self: getattr(self.wrapped, "corpus_families", None))
    corpus_family_sources = property(lambda self: getattr(self.wrapped, "corpus_family_sources", None))
    corpus_source_rank = property(lambda self: getattr(self.wrapped, "corpus_source_rank", None))
    corpus_payload = property(lambda self: getattr(self.wrapped, "corpus_payload", None))
    corpus_format_payload = property(lambda self: getattr(self.wrapped, "corpus_format_payload", None))
    topic_stop_words = property(lambda self: getattr(self.wrapped, "topic_stop_words", ()))
    request_cues = property(lambda self: getattr(self.wrapped, "request_cues", None))
    example_request = property(lambda self: getattr(self.wrapped, "example_request", ""))
    seed_dialect = property(lambda self: getattr(self.wrapped, "seed_dialect", None))

    def __getattr__(self, attr):
        if attr == "wrapped":  # not set yet (copy, pickle): no recursion
            raise AttributeError(attr)
        return getattr(self.wrapped, attr)

    def __repr__(self) -> str:
        return repr(self.wrapped)

    def parse(self, text):
        try:
            return self.wrapped.parse(text)
        except HelixError:
            raise
        except Exception as e:
            raise self.failed("parse", e) from e

    def parse_reference(self, text):
        try:
            return self.wrapped.parse_reference(text)
        except HelixError:
            raise
        except Exception as e:
            raise self.failed("parse_reference", e) from e

    def emit(self, value):
        try:
            return self.wrapped.emit(value)
        except HelixError:
            raise
        except Exception as e:
            raise self.failed("emit", e) from e

    def encode(self, value):
        try:
            return self.wrapped.encode(value)
        except HelixError:
            raise
        except Exception as e:
            raise self.failed("encode", e) from e

    def decode(self, data):
        try:
            return self.wrapped.decode(data)
        except HelixError:
            raise
        except Exception as e:
            raise self.failed("decode", e) from e

    def failed(self, op: str, e: BaseException) -> HelixError:
        """The E_PLUGIN error for exception ``e`` escaping the plugin's ``op`` (``raise ... from e``)."""
        return HelixError(E_PLUGIN, f"plugin {self.plugin!r} failed in {self.wrapped.name}.{op}: "
                                    f"{type(e).__name__}: {_one_line(e)}", notation=self.wrapped.name)


class Registry:
    """One consistent view of the registered notations (see :func:`registry`)."""

    __slots__ = ("by_name", "by_key", "owner")

    def __init__(self, by_name: dict[str, PluginNotation], by_key: dict[str, PluginNotation]):
        self.by_name = by_name  # canonical (lowercase) name -> notation
        self.by_key = by_key  # lowercase name or alias -> notation
        self.owner = {name: n.plugin for name, n in by_name.items()}


_registry: Registry | None = None


def invalidate() -> None:
    """Forget the registry; the next lookup rebuilds it from the plugins' hooks."""
    global _registry
    with _lock:
        _registry = None
        _lookup.NOTATIONS.clear()


def registry() -> Registry:
    """The registry, built from ``register_notations`` on first use and kept until the plugins change."""
    reg = _registry
    if reg is not None:
        return reg
    return _build()


def _build() -> Registry:
    global _registry
    with _lock:
        if _registry is not None:
            return _registry
        load_plugins()
        check_hooks()
        by_name: dict[str, PluginNotation] = {}
        by_key: dict[str, PluginNotation] = {}
        spelled: dict[str, str] = {}  # key -> "name"/"alias", for the message
        for owner, n in _call_each("register_notations"):
            if not isinstance(n, Notation) or not isinstance(n.name, str) or not n.name.strip():
                raise HelixError(E_PLUGIN, f"plugin {owner!r}: register_notations got {n!r}, which is not a named "
                                           "helixc.notation.Notation")
            if isinstance(n, PluginNotation):
                n = n.wrapped  # re-registering what get_notation returned
            wrapped = PluginNotation(n, owner)
            keys = [("name", n.name.strip().lower())]
            keys += [("alias", a.strip().lower()) for a in n.aliases if isinstance(a, str) and a.strip()]
            for kind, key in keys:
                other = by_key.get(key)
                if other is None:
                    continue
                if other.wrapped is n and kind == "alias":
                    continue  # an alias repeating the notation's own name or another alias
                raise HelixError(
                    E_PLUGIN,
                    f"{key!r} is registered twice: as the {spelled[key]} of notation {other.name!r} (plugin "
                    f"{other.plugin!r}) and as the {kind} of notation {n.name!r} (plugin {owner!r}); names "
                    "and aliases must be unique, case-insensitively")
            for kind, key in keys:
                if key not in by_key:
                    by_key[key], spelled[key] = wrapped, kind
            by_name[keys[0][1]] = wrapped
        reg = _registry = Registry(by_name, by_key)
        return reg


def notations() -> dict[str, Notation]:
    """Canonical name -> notation, for every registered notation (a new dict each call)."""
    return dict(registry().by_name)


def alias_table() -> dict[str, str]:
    """Lowercase name or alias -> canonical name."""
    return {key: n.name.strip().lower() for key, n in registry().by_key.items()}


def get_notation(name: str) -> Notation:
    """Look a notation up by name or alias, case-insensitively."""
    try:
        return _lookup.NOTATIONS[name]
    except (KeyError, TypeError):
        pass
    if not isinstance(name, str):
        raise HelixError(E_NOTATION_UNKNOWN, f"a notation name must be a string, got {type(name).__name__}")
    reg = registry()
    n = reg.by_key.get(name.strip().lower())
    if n is None:
        known = ", ".join(sorted(reg.by_name))
        raise HelixError(E_NOTATION_UNKNOWN, f"unknown notation {name!r} (known: {known})")
    with _lock:
        if _registry is reg and len(_lookup.NOTATIONS) < 512:  # still current: memoize the spelling
            _lookup.NOTATIONS[name] = n
    return n


def plugin_info() -> list[dict]:
    """What ``helixc plugins`` prints: one dict per loaded plugin."""
    import importlib.metadata

    owned: dict[str, list[str]] = {}
    for n in registry().by_name.values():
        owned.setdefault(n.plugin, []).append(n.name)
    dists = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dists[ep.name] = ep.dist
    out = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda p: p[0]):
        if plugin is None:  # blocked
            continue
        info = {"name": name, "hooks": sorted(h.name for h in pm.get_hookcallers(plugin) or [])}
        dist = dists.get(name)
        if dist is not None:
            info["version"] = dist.version
            info["distribution"] = dist.metadata["Name"]
        if "register_notations" in info["hooks"]:
            info["notations"] = owned.get(name, [])
        out.append(info)
    return out
