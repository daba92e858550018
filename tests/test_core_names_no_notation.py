"""The core names no notation and no glyph (issue 15, deliverable 1).

Everything about one notation lives in its folder (``plugins/<name>/``: code, grammar, English
names, slot spellings, start characters); the core asks the registered notation objects
(``helixc.catalog``). This test greps every .py/.lark/.json/.c/.h file outside the notation folders
(``helixc/``, the corpus generator's code, the non-notation modules of ``plugins/`` such as the
text notations' C extension ``plugins/_textlex_native.c``) for the
names of every registered notation (canonical name and its spellings ``lc-r``/``lc_r``/``lcr``,
distinctive aliases and English names such as "runic") and for every glyph of every notation
(the non-ASCII characters of its grammar and its start characters), written as themselves, as
``\\uXXXX`` escapes or as C-style hex code points (``0x27C1``).

Hits still in the core are listed in ``KNOWN_DEBT`` as (file, hit count). The list may only
shrink: a file with more hits than listed, or a file not listed, fails; a file with fewer hits
fails too, so that the list is lowered as the debt is paid (set the new, smaller number).
"""

from __future__ import annotations

import re
from pathlib import Path

from helixc.plugins import notations

ROOT = Path(__file__).resolve().parents[1]

# Folders that are one notation each: everything there is allowed to name it.
NOTATION_FOLDERS = {"plugins/hlxl", "plugins/lc_t", "plugins/lc_r", "plugins/lc_b"}

# Scanned: the core package, the corpus generator's code, plugins/ outside notation folders.
SCANNED = ["helixc", "corpora", "plugins"]
SUFFIXES = {".py", ".lark", ".json", ".c", ".h"}

# Data, not code (each justified):
ALLOWED = {
    # the knowledge base: English answers about the notations (explain route's data, trained on)
    "corpora/knowledge.json",
    # train-only instruction templates: English phrasing data the shipped models were trained on
    "corpora/extra_templates.json",
    # blind-written train-only request skeletons (scripts/import_blind_templates.py): phrasing data
    "corpora/blind_templates.json",
    # the second blind batch (not read by the default corpus; corpora/README.md): phrasing data
    "corpora/blind_templates_batch2.json",
    # generated/imported corpora and evaluation sets: data files, byte-identical to what was trained on;
    # corpora/seed/ also holds the seed system's own data (its keyword router's tables, its report's cases)
    "corpora/data", "corpora/eval", "corpora/seed",
    # the tiny dev corpus's wording (helixc.neural.devdata, for the tests and smoke runs): fixture data
    "helixc/neural/devdata.json",
}

# English words and programming words that are also aliases or English names of a notation;
# the core says "binary", "bytes", "text", "hex" for what they mean generically.
GENERIC_WORDS = {
    "binary", "hex", "ascii", "glyph", "glyphs", "bytes", "text", "hlx", "compact text", "byte form",
    "binary form", "binary notation", "binary encoding", "hex bytes", "wire format", "wire bytes",
    "byte encoding", "hex dump", "the binary format", "readable form", "readable notation",
    "human notation", "source notation", "symbolic notation", "glyph form", "glyph notation",
    "human-readable form", "human-readable notation", "ascii notation", "ascii form", "ascii format",
    "the ascii notation", "plain ascii", "compact ascii", "ascii text form", "text-safe form",
    "text-safe notation", "ascii-safe form", "lc-binary", "lc-text",
}

# (path, hits) still in the core. Must only shrink (see the module docstring); none is left.
KNOWN_DEBT: dict[str, int] = {}


def _terms() -> tuple[re.Pattern, set[str]]:
    words: set[str] = set()
    glyphs: set[str] = set()
    for n in notations().values():
        name = n.name.lower()
        forms = {name, name.replace("-", "_"), name.replace("-", ""), name.replace("-", " ")}
        for w in forms | {a.lower() for a in n.aliases} | {e.lower() for e in n.english_names}:
            if w not in GENERIC_WORDS:
                words.add(w)
        for c in (n.grammar or "") + (n.start_chars or "") + "".join(n.glyphs or ()):
            if ord(c) > 127:
                glyphs.add(c)
    alt = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    # letters and digits bound a name; `_` and `-` do not (`_LCR_CONTRACT`, `noisy_hlxl` are hits)
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alt})(?![A-Za-z0-9])", re.I), glyphs


def _files():
    for top in SCANNED:
        for p in sorted((ROOT / top).rglob("*")):
            rel = p.relative_to(ROOT).as_posix()
            if p.suffix not in SUFFIXES or not p.is_file():
                continue
            if any(rel == f or rel.startswith(f + "/") for f in NOTATION_FOLDERS | ALLOWED):
                continue
            yield rel, p


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# a code point written as a hex number (C tables: `c == 0x27C1`)
_HEX_POINT = re.compile(r"(?<![0-9A-Za-z_])0[xX]([0-9A-Fa-f]{2,8})(?![0-9A-Za-z_])")


def core_hits() -> dict[str, list[str]]:
    pat, glyphs = _terms()
    out: dict[str, list[str]] = {}
    for rel, p in _files():
        text = p.read_text(encoding="utf-8", errors="replace")
        hits = [m.group(0) for m in pat.finditer(text)] + [c for c in text if c in glyphs]
        # a glyph written as an escape (\u25c7, \U0001F70A, \N{...} is not used) is a glyph too
        hits += [m.group(0) for m in _ESCAPE.finditer(text) if chr(int(m.group(1) or m.group(2), 16)) in glyphs]
        hits += [m.group(0) for m in _HEX_POINT.finditer(text) if int(m.group(1), 16) <= 0x10FFFF and chr(int(m.group(1), 16)) in glyphs]
        if hits:
            out[rel] = hits
    return out


def test_the_grep_finds_what_it_is_meant_to_find():
    pat, glyphs = _terms()
    assert pat.search("see _LCR_CONTRACT") and pat.search("noisy_hlxl(") and pat.search("in LC-T:")
    assert pat.search("the runic one") and not pat.search("a binary notation") and not pat.search("plcr")
    assert {"\u27c1", "\u22a0", "\U0001f70a"} <= glyphs
    assert [m.group(0) for m in _ESCAPE.finditer(r'x = "\U0001F70A" + "\u25c7" + "\u00e9"')] == [
        "\\U0001F70A", "\\u25c7", "\\u00e9"]
    assert [m.group(1) for m in _HEX_POINT.finditer("c == 0x27C1 || c == 0x1F70A || x0x12 || 0xffff_")] == ["27C1", "1F70A"]
    # every notation folder is one registered notation's (a new built-in must be listed above)
    mods = {type(getattr(n, "wrapped", n)).__module__ for n in notations().values()}
    assert {"helixc_plugins." + f.split("/")[1] for f in NOTATION_FOLDERS} <= mods


def test_the_core_names_no_notation_and_no_glyph_beyond_the_known_debt():
    hits = core_hits()
    counts = {f: len(h) for f, h in hits.items()}
    new = {f: hits[f][:8] for f in counts if f not in KNOWN_DEBT}
    assert not new, f"notation names/glyphs in core files not in KNOWN_DEBT: {new}"
    grew = {f: (KNOWN_DEBT[f], counts[f], hits[f][:8]) for f in counts if counts[f] > KNOWN_DEBT[f]}
    assert not grew, f"more notation names/glyphs than KNOWN_DEBT allows (allowed, now, sample): {grew}"
    shrank = {f: (n, counts.get(f, 0)) for f, n in KNOWN_DEBT.items() if counts.get(f, 0) < n}
    assert not shrank, f"debt paid: lower KNOWN_DEBT to the new counts (listed, now): {shrank}"
