"""The functions the server's worker processes run (:mod:`helixc.server.workers`).

Light on purpose: a worker imports this module, the compiler and the notation plugins, never torch.
"""

from __future__ import annotations

from ..engine import TranslateRequest, TranslateResult, translate_notation
from .body import prerender


def notation(req: TranslateRequest) -> TranslateResult | None:
    """The compiler path of :func:`helixc.engine.translate`: the answer (a long one with its HTTP body
    rendered here, not on the event loop), or None for English."""
    return prerender(translate_notation(req))


def english_compiler(req: TranslateRequest) -> TranslateResult:
    """English with ``engine=compiler``: the compiler's rule-based reader, no model."""
    from ..neural.service import translate_english

    return translate_english(req)


def warm() -> None:
    """Build the notation parsers once at start (the first parse of each notation costs ~100 ms)."""
    from .. import catalog, emit
    from ..plugins import notations

    value = {"a": [1, 2.5, "x", None, True, b"\x01"]}
    for name in notations():
        other = catalog.value_notation() or name  # the notation the models write values in
        try:
            translate_notation(TranslateRequest(text=emit(value, name), to=other, source=name))
            translate_notation(TranslateRequest(text="[1,", to=name, source=other))
        except Exception:  # noqa: BLE001 - the parse error is the point
            pass


def warm_english() -> None:
    """Import the rule-based reader and read one request (loads its tables)."""
    from .. import catalog
    from ..plugins import notations

    warm()
    try:
        regs = notations()  # the first text notation with an English name
        name = next(n for n, names in catalog.english_names().items() if names and not regs[n].binary)
        english_compiler(TranslateRequest(text=f"encode the number 5 in {catalog.display_name(name)}", to="auto",
                                          engine="compiler"))
    except Exception:  # noqa: BLE001
        pass
