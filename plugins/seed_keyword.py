"""helixc built-in plugin: the ``seed-keyword`` router.

It reproduces the routing rule of the seed system's ``moe_router.py`` exactly (as the team's
audit of the seed's published code recorded it; the audit is not part of this repository): keyword substrings in the lower-cased
user query, ASCII checked first, then Runic, else the coordinator answers itself. The seed's
coordinator *generation* never influenced the route, so this rule is the whole router.

The seed has three routes; helixc has five. :meth:`SeedKeywordRouter.route` maps the seed's
labels onto ours (``ascii`` -> ``lc-t``: its ASCII specialist was trained on LC-T/HLXL;
``runic`` -> ``lc-r``; ``coordinator`` -> ``explain``: the coordinator answers itself), so it
can be scored on the same data as our router. The seed never routes to ``lc-b`` or ``hlxl``.
``seed_route`` gives the seed's own label.
"""

from __future__ import annotations

from helixc.hookspecs import hookimpl

# Verbatim from moe_router.py (note the seed's corrupted crocodile glyph U+1F40A, not U+1F70A).
ASCII_KEYWORDS = ("lc-t", "ascii", "text-safe", "{c:")
RUNIC_KEYWORDS = ("lc-r", "runic", "glyph", "\U0001f40a", "\u27c1", "\u22a4", "\u22a5", "\u2205")

SEED_ROUTES = ("ascii", "runic", "coordinator")
SEED_TO_HELIXC = {"ascii": "lc-t", "runic": "lc-r", "coordinator": "explain"}
# The seed paper's own view of its specialists ("ASCII = LC-B binary/hex specialist"): our five
# routes collapsed onto its three, for a comparison on the seed's terms.
HELIXC_TO_SEED = {"lc-b": "ascii", "lc-t": "ascii", "hlxl": "ascii", "lc-r": "runic", "explain": "coordinator"}

_PREFIX = "### Instruction:\n"
_SUFFIX = "\n\n### Response:\n"


def _bare(text: str) -> str:
    """The user query: the seed applied its rule before wrapping the query in its template."""
    if text.startswith(_PREFIX):
        text = text[len(_PREFIX):]
        if text.endswith(_SUFFIX):
            text = text[: -len(_SUFFIX)]
    return text


def seed_route(query: str) -> str:
    """The seed's label for one query: "ascii", "runic" or "coordinator"."""
    q = _bare(query).lower()
    if any(k in q for k in ASCII_KEYWORDS):
        return "ascii"
    if any(k in q for k in RUNIC_KEYWORDS):
        return "runic"
    return "coordinator"


class SeedKeywordRouter:
    """Router interface: ``route(texts) -> list[str]`` in helixc's route labels."""

    name = "seed-keyword"
    description = "the seed system's keyword-substring routing rule (moe_router.py), as a baseline"
    classes = ("lc-t", "lc-r", "explain")

    def route(self, texts: list[str]) -> list[str]:
        return [SEED_TO_HELIXC[seed_route(t)] for t in texts]

    def seed_routes(self, texts: list[str]) -> list[str]:
        return [seed_route(t) for t in texts]


@hookimpl
def register_routers(register):
    register(SeedKeywordRouter())
