"""What the core asks the registered notations (instead of naming them).

Every fact about one notation lives in its folder (``plugins/<name>/``) and reaches the core
through attributes of its :class:`helixc.notation.Notation` object; this module turns those
attributes into the tables the core modules need, from the registry of the moment (rebuilt when
plugins are registered, unregistered or reloaded: :func:`helixc.plugins.registry`).

* :func:`routes` / :func:`notation_routes`: the coordinator's route labels. Notations sort by
  ``(route_rank, name)``; the knowledge route ``explain`` stands at rank :data:`EXPLAIN_RANK`.
  The built-ins carry ranks 0-3, which reproduces the order the shipped models were trained
  with (the four built-ins' ranks 0-3 in their folders' ``english.py``, then ``explain``). A new notation keeps the default
  rank (1000), so its route is appended after ``explain`` (ties by name): existing labels keep
  their indices.
* :func:`english_names`: the names people write for each notation in English requests, in route
  order (``helixc.requests.NOTATION_SYNONYMS``).
* :func:`start_chars`: characters only notation text starts with (detection: "not English").
* :func:`value_notation` / :func:`binary_notation`: the notation the models and the corpus write
  values in (``writes_values = True``) and the byte notation (``binary = True``).
* :func:`corpus_sources`: the notations the corpus gives values in on every route
  (``corpus_source_rank``), in that rank's order.
* :func:`display_name` (how prose writes a notation), :func:`handle_sigils` (``slot_spelling``'s
  handle sigils), :func:`request_cues` and :func:`topic_stop_words` (the request checks of
  ``helixc.neural.confidence``).
* :func:`seed_dialects`: how the seed corpora write each notation (``Notation.seed_dialect``), for
  their import (``corpora/seed_import.py``).
"""

from __future__ import annotations

EXPLAIN = "explain"
EXPLAIN_RANK = 4

_cache: dict = {}


def _registered():
    from .plugins import registry

    reg = registry()
    if _cache.get("registry") is not reg:
        _cache.clear()
        _cache["registry"] = reg
    return reg


def _memo(key, build):
    _registered()
    if key not in _cache:
        _cache[key] = build()
    return _cache[key]


def _ranked():
    from .plugins import notations

    return sorted(notations().values(), key=lambda n: (getattr(n, "route_rank", 1000), n.name))


def notation_routes() -> tuple[str, ...]:
    """Registered notations in route order (their route label is their canonical name)."""
    return _memo("notation_routes", lambda: tuple(n.name for n in _ranked()))


def routes() -> tuple[str, ...]:
    """Every route label in the coordinator's order: notations ranked before ``explain``,
    ``explain``, then notations ranked after it."""

    def build():
        ranked = _ranked()
        before = [n.name for n in ranked if getattr(n, "route_rank", 1000) < EXPLAIN_RANK]
        after = [n.name for n in ranked if getattr(n, "route_rank", 1000) >= EXPLAIN_RANK]
        return tuple(before) + (EXPLAIN,) + tuple(after)

    return _memo("routes", build)


def english_names() -> dict[str, list[str]]:
    """Canonical name -> the English names of that notation (``Notation.english_names``), route order."""
    return _memo("english_names", lambda: {n.name: list(n.english_names) for n in _ranked()})


def reader_names() -> dict[str, list[str]]:
    """Canonical name -> names only the rule reader reads (``Notation.reader_names``)."""
    return _memo("reader_names", lambda: {n.name: list(n.reader_names) for n in _ranked()})


def descriptive_words() -> dict[str, str]:
    """Word -> the one notation it describes (``Notation.descriptive_words``); a word two notations
    claim describes neither."""
    def build():
        owners: dict[str, set] = {}
        for n in _ranked():
            for w in getattr(n, "descriptive_words", ()):
                owners.setdefault(w.lower(), set()).add(n.name)
        return {w: next(iter(o)) for w, o in owners.items() if len(o) == 1}

    return _memo("descriptive_words", build)


def glyph_owners() -> dict[str, str]:
    """Glyph -> the one notation whose ``glyphs`` hold it."""
    def build():
        owners: dict[str, set] = {}
        for n in _ranked():
            for g in getattr(n, "glyphs", ()):
                owners.setdefault(g, set()).add(n.name)
        return {g: next(iter(o)) for g, o in owners.items() if len(o) == 1}

    return _memo("glyph_owners", build)


def more_english_names() -> dict[str, list[str]]:
    """Canonical name -> the notation's further names (``Notation.more_english_names``: descriptive
    names, misspellings). The rule reader reads them; the corpus uses them in train only."""
    return _memo("more_english_names", lambda: {n.name: list(n.more_english_names) for n in _ranked()})


def start_chars() -> tuple[str, ...]:
    """Characters only notation text starts with, over every registered notation, in route
    order, each once (``Notation.start_chars``)."""

    def build():
        out: list[str] = []
        for n in _ranked():
            for c in getattr(n, "start_chars", ""):
                if c not in out:
                    out.append(c)
        return tuple(out)

    return _memo("start_chars", build)


def _one(attr: str, what: str) -> str | None:
    names = [n.name for n in _ranked() if getattr(n, attr, False)]
    return names[0] if len(names) == 1 else None


def value_notation() -> str | None:
    """The notation values are written in for the models and the corpus (``writes_values``), or None."""
    return _memo("value_notation", lambda: _one("writes_values", "value"))


def binary_notation() -> str | None:
    """The one binary notation (``binary = True``), or None when there is none or several."""
    return _memo("binary_notation", lambda: _one("binary", "binary"))


def corpus_sources() -> tuple[str, ...]:
    """The payload notations of the corpus: those with a ``corpus_source_rank``, sorted by
    ``(corpus_source_rank, name)`` (the order is part of the corpus's random draws)."""

    def build():
        ranked = [n for n in _ranked() if getattr(n, "corpus_source_rank", None) is not None]
        return tuple(n.name for n in sorted(ranked, key=lambda n: (n.corpus_source_rank, n.name)))

    return _memo("corpus_sources", build)


def display_name(name: str) -> str:
    """How prose writes notation ``name``: its first English name (``Notation.english_names``),
    else the name itself."""
    names = english_names().get(name)
    return names[0] if names else name


def handle_sigils() -> tuple[str, ...]:
    """The first character of every registered notation's handle sigil (``slot_spelling["handle"]``),
    in route order, each once."""

    def build():
        out: list[str] = []
        for n in _ranked():
            sp = getattr(n, "slot_spelling", None)
            handle = sp.get("handle") if isinstance(sp, dict) else None
            if handle and handle[0] not in out:
                out.append(handle[0])
        return tuple(out)

    return _memo("handle_sigils", build)


def request_cues(kind: str) -> tuple[str, ...]:
    """The regex text of every registered notation's ``request_cues[kind]`` (what shows a value of
    that kind in an English request), in route order."""

    def build():
        out = []
        for n in _ranked():
            cues = getattr(n, "request_cues", None)
            if cues and cues.get(kind):
                out.append(cues[kind])
        return tuple(out)

    return _memo(("request_cues", kind), build)


def topic_stop_words() -> frozenset[str]:
    """Every registered notation's ``topic_stop_words``: words that name a notation but tell no topic."""
    return _memo("topic_stop_words",
                 lambda: frozenset(w for n in _ranked() for w in getattr(n, "topic_stop_words", ())))


def seed_dialects() -> dict:
    """Canonical name -> ``Notation.seed_dialect`` of every registered notation that has one, in the
    seed's order (``(seed_dialect.RANK, name)``)."""

    def build():
        found = [n for n in _ranked() if getattr(n, "seed_dialect", None) is not None]
        return {n.name: n.seed_dialect for n in sorted(found, key=lambda n: (n.seed_dialect.RANK, n.name))}

    return _memo("seed_dialects", build)
