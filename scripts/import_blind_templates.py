"""Check and filter blind-written request skeletons into ``corpora/blind_templates.json``.

The skeletons come from a writer who saw neither ``corpora/templates.py``, the corpus, the models
nor either half of the blind benchmark (``benchmarks/blind/``); their brief is quoted in
``corpora/README.md``. This script keeps a skeleton only when

* its family's placeholders are right (the rule tests/test_corpora.py checks for every train-only
  template),
* its wrapper words carry no literal: no digit, quote or bracket, and, once filled with a known
  payload, the slot lexer finds exactly the payload's literals and the rule reader exactly the
  notation names that were filled in (so the wrapper neither adds a value nor names a notation),
* it is no copy of a corpus wording and is far from every novel (test_novel) template: word-set
  Jaccard < 0.5, the guard tests/test_corpora.py applies.

Usage: ``python scripts/import_blind_templates.py SKELETONS.json [--out corpora/blind_templates.json]``.
It prints what it dropped and why, and the writer's extra notation names (they go, by hand, into
each notation folder's ``english.py`` as ``MORE_ENGLISH_NAMES``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpora import templates as T  # noqa: E402
from helixc import catalog, requests  # noqa: E402
from helixc.neural.slots import delexicalize  # noqa: E402

FAMILIES = ("conv", "parse", "number", "words", "notarget_hlxl", "notarget_encode", "format")
_LITERAL_CHARS = re.compile(r"[0-9\"'`\[\]{}()<>]")

# Fillers: a payload in the value notation, a number phrase and a description, each with a known
# number of literals; notation names are the canonical ones (first English name) of two notations.
_FILL = {"payload": "[7, 8]", "num": "the port 8080", "desc": "a list of the numbers 7 and 8"}


def _template_words(text: str) -> set[str]:  # as in tests/test_corpora.py
    return set(re.findall(r"\{[a-z]+\}|[a-z0-9']+", T.wording(text))) - {"the", "a", "an", "this", "it", "of"}


def family_error(family: str, text: str) -> str | None:
    slots = re.findall(r"\{([a-z]+)\}", text)
    if len(slots) != len(set(slots)) or not set(slots) <= {"payload", "num", "desc", "source", "target"}:
        return "placeholders"
    values = set(slots) & {"payload", "num", "desc"}
    if len(values) != 1:
        return "placeholders"
    if family in ("conv", "number", "words"):
        need = {"conv": "payload", "number": "num", "words": "desc"}[family]
        if "target" not in slots or need not in values or ("source" in slots and family != "conv"):
            return "placeholders"
    else:
        if "target" in slots or ("source" in slots) != (family == "parse"):
            return "placeholders"
        if family in ("parse", "notarget_hlxl", "format") and "payload" not in values:
            return "placeholders"
    wrapper = re.sub(r"\{[a-z]+\}", " ", text)
    if _LITERAL_CHARS.search(wrapper):
        return "literal character in the wrapper"
    encodes = re.search(r"\b(?:encod|seriali[sz])", wrapper, re.I)
    if family == "notarget_encode" and not encodes:
        return "no encode/serialize word"
    if family in ("notarget_hlxl", "parse") and encodes:
        return "encode/serialize word (that would be an LC-B request)"
    return None


def reading_error(text: str) -> str | None:
    """Fill the skeleton; the wrapper must add no slot and name no notation."""
    names = {n: syns[0] for n, syns in catalog.english_names().items()}
    order = list(names)
    filled = text.replace("{source}", names[order[-1]]).replace("{target}", names[order[0]])
    part = None
    for k, v in _FILL.items():
        if "{" + k + "}" in filled:
            filled, part = filled.replace("{" + k + "}", v), v
    if len(delexicalize(filled)[1]) != len(delexicalize(part)[1]):
        return "the slot lexer reads a literal in the wrapper"
    want = sorted(n for n, ph in ((order[-1], "{source}"), (order[0], "{target}")) if ph in text)
    got = sorted(m[2] for m in requests._mentions(filled))
    if "{target}" not in text and "{source}" not in text:  # "format" may name the value notation
        got = [n for n in got if n != catalog.value_notation()]
    if got != want:
        return f"names {got}, filled {want}"
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("skeletons")
    ap.add_argument("--out", default=str(ROOT / "corpora" / "blind_templates.json"))
    a = ap.parse_args(argv)
    src = json.loads(Path(a.skeletons).read_text(encoding="utf-8"))
    novel = [(t.id, _template_words(t.text)) for t in T.TEMPLATES if t.novel]
    taken = {T.wording(t.text) for t in T.TEMPLATES if not t.id.split(".")[1].startswith("b")}
    out: dict[str, list[str]] = {"_about": [
        "Request skeletons written blind (see corpora/README.md), checked and filtered by "
        "scripts/import_blind_templates.py. Train split only."]}
    dropped: dict[str, int] = {}
    for fam in FAMILIES:
        kept = []
        for text in src.get(fam, []):
            text = re.sub(r"\s+", " ", text).strip()
            why = family_error(fam, text)
            if why is None and T.wording(text) in taken:
                why = "copy of a corpus wording"
            if why is None:
                w = _template_words(text)
                near = [tid for tid, n in novel if len(w & n) / len(w | n) >= 0.5]
                if near:
                    why = f"near the novel template {near[0]}"
            if why is None:
                why = reading_error(text)
            if why is not None:
                dropped[why.split(" [")[0]] = dropped.get(why.split(" [")[0], 0) + 1
                print(f"drop {fam}: {text!r}: {why}")
                continue
            taken.add(T.wording(text))
            kept.append(text)
        out[fam] = kept
    Path(a.out).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print({k: len(v) for k, v in out.items() if not k.startswith("_")}, "dropped:", dropped)
    for notation, names in src.get("names", {}).items():
        good = []
        for name in names:
            got = [m[2] for m in requests._mentions(f"Convert [7, 8] to {name}")]
            if got and got != [notation]:  # read as another notation already: ambiguous
                print(f"drop name {name!r} of {notation}: read as {got}")
            elif _LITERAL_CHARS.search(name) or len(delexicalize(f"Convert [7, 8] to {name}")[1]) != 2:
                print(f"drop name {name!r} of {notation}: literal")
            else:
                good.append(name)
        print(notation, tuple(good))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
