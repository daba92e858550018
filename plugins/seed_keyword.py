"""helixc built-in plugin: the ``seed-keyword`` router.

It reproduces the routing rule of the seed system's ``moe_router.py`` exactly (as the team's audit
of the seed's published code recorded it; the audit is not part of this repository): keyword
substrings in the lower-cased user query, the seed's labels checked in order, else its coordinator
answers itself. The seed's coordinator *generation* never influenced the route, so this rule is
the whole router.

The rule is the seed's data, not helixc's: its labels, keywords and the maps between its labels
and helixc's routes are in ``corpora/seed/keyword_router.json`` (package ``helixc_corpora``), read
on first use. The seed has three routes; helixc has five. :meth:`SeedKeywordRouter.route` maps the
seed's labels onto ours (``SEED_TO_HELIXC``), so it can be scored on the same data as our router;
``HELIXC_TO_SEED`` collapses our routes onto the seed's labels (the seed paper's own view of its
specialists). ``seed_route`` gives the seed's own label; ``SEED_ROUTES`` lists them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from helixc.hookspecs import hookimpl

_PREFIX = "### Instruction:\n"
_SUFFIX = "\n\n### Response:\n"


@cache
def _rule() -> dict:
    """The seed's router as data: (label, keywords) rules, the fallback label, and both label maps."""
    import importlib.util

    spec = importlib.util.find_spec("helixc_corpora")  # its data only: the package is not imported
    data = json.loads((Path(spec.submodule_search_locations[0]) / "seed" / "keyword_router.json")
                      .read_text(encoding="utf-8"))
    rules = tuple((label, tuple(words)) for label, words in data["rules"])
    return {"rules": rules, "fallback": data["fallback"],
            "SEED_ROUTES": tuple(label for label, _ in rules) + (data["fallback"],),
            "SEED_TO_HELIXC": data["to_helixc"], "HELIXC_TO_SEED": data["from_helixc"]}


def __getattr__(name: str):
    if name in ("SEED_ROUTES", "SEED_TO_HELIXC", "HELIXC_TO_SEED"):
        return _rule()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _bare(text: str) -> str:
    """The user query: the seed applied its rule before wrapping the query in its template."""
    if text.startswith(_PREFIX):
        text = text[len(_PREFIX):]
        if text.endswith(_SUFFIX):
            text = text[: -len(_SUFFIX)]
    return text


def seed_route(query: str) -> str:
    """The seed's label for one query (one of ``SEED_ROUTES``)."""
    q = _bare(query).lower()
    rule = _rule()
    for label, keywords in rule["rules"]:
        if any(k in q for k in keywords):
            return label
    return rule["fallback"]


class SeedKeywordRouter:
    """Router interface: ``route(texts) -> list[str]`` in helixc's route labels."""

    name = "seed-keyword"
    description = "the seed system's keyword-substring routing rule (moe_router.py), as a baseline"

    @property
    def classes(self) -> tuple[str, ...]:
        """The helixc routes this router can give."""
        return tuple(dict.fromkeys(_rule()["SEED_TO_HELIXC"][label] for label in _rule()["SEED_ROUTES"]))

    def route(self, texts: list[str]) -> list[str]:
        to_helixc = _rule()["SEED_TO_HELIXC"]
        return [to_helixc[seed_route(t)] for t in texts]

    def seed_routes(self, texts: list[str]) -> list[str]:
        return [seed_route(t) for t in texts]


@hookimpl
def register_routers(register):
    register(SeedKeywordRouter())
