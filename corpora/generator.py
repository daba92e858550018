"""The corpus generator: English requests with exact answers, in leak-free splits.

Labels come from the generator's own values, emitted by the compiler
(``helixc.emit``), never from reading the request text back.

Split rule: every row carries one canonical value (its text in the value notation,
``helixc.catalog.value_notation``). A keyed hash of that
text (seeded) puts the value in exactly one of train / val / test / test_novel, so no value
and no (template, value) pair is shared between splits. ``test_novel`` rows use only
templates flagged ``novel`` (never used in the other splits). A few tiny values
(null, true, false, [], {}, 0..9) are pinned to train. Explain rows carry no value; their
question forms are split the same way by (knowledge id, form index), forms 0 and 1 of every
entry pinned to train so every entry is learnable. An entry's ``train_forms`` (extra wordings,
written without sight of the held-out forms) never reach test or test_novel: a keyed hash puts
about one in eight in val (a validation signal with many wordings), the rest in train; their form
index continues after ``question_forms`` (see ``entry_forms``).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path
from typing import Iterator

from helixc import detect, get_notation, same
from helixc.errors import HelixError
from helixc import catalog
from helixc.knowledge import entry_forms, explain_split, hash01, known_questions  # noqa: F401 (re-exported)
from helixc.requests import normalize_numbers

from . import templates as T
from . import valuegen as V
from .valuegen import emit, parse

SPLITS = ("train", "val", "test", "test_novel")
DEFAULT_SIZES = {"train": 12000, "val": 1000, "test": 2500, "test_novel": 2500}
EXPLAIN_FRACTION = 0.3  # explain rows per split, relative to one notation route
EXPLAIN_FRACTION_TRAIN = 0.6  # more in train: each of ~1,400 training wordings is seen a few times
GENERATOR_VERSION = 1
# Share of the train split's "words" rows whose value is nested two to four deep and described by
# valuegen.describe_nested (train only: the held-out splits keep describe's forms). Off: run 13 trained
# with 0.4 (and corpora/blind_templates_batch2.json) and was not kept (models/default/TRAINING.md).
NESTED_WORDS_TRAIN = 0.0

# Share of values per split (the hash of the canonical value decides).
_SPLIT_CUTS = (("train", 0.66), ("val", 0.73), ("test", 0.865), ("test_novel", 1.0))
_PINNED_TRAIN = {"null", "true", "false", "[]", "{}"} | {str(i) for i in range(10)}

# A route's phrasing families and their weights are its notation's (``Notation.corpus_families``).
# A notation plugin's route without them (a registered text notation with a slot spelling, so a
# specialist can write it) gets the families every text notation has: a value given in another
# notation, a number, a value described in words. Values it cannot hold are skipped.
PLUGIN_FAMILY_WEIGHTS = {"conv": 42, "number": 14, "digits": 4, "words": 40}


def family_weights(route: str) -> dict[str, int] | None:
    """The phrasing families of ``route``'s rows (None: the corpus has no rows for it)."""
    from helixc.plugins import registry

    n = registry().by_name.get(route)  # no copy of the table: this runs for every row
    if n is None:
        return None
    if n.corpus_families is not None:
        return n.corpus_families
    if not n.binary and n.slot_spelling is not None:
        return PLUGIN_FAMILY_WEIGHTS
    return None


def _family_sources(route: str, family: str):
    """The notations ``family``'s rows of ``route`` give their value in, or None: any payload notation."""
    return (get_notation(route).corpus_family_sources or {}).get(family)


def __getattr__(name: str):
    # Routes the corpus has phrasing for, in the coordinator's trained order (helixc.catalog.routes:
    # registered notations by route rank, then explain), from the registry of the moment: a plugin
    # notation registered after this import gets its rows too.
    if name == "NOTATION_ROUTES":
        return tuple(r for r in catalog.notation_routes() if family_weights(r) is not None)
    if name == "ROUTES":
        return tuple(r for r in catalog.routes() if r == catalog.EXPLAIN or family_weights(r) is not None)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

PROMPT = "### Instruction:\n{}\n\n### Response:\n"


def prompt(instruction: str) -> str:
    return PROMPT.format(instruction)


_hash01 = hash01  # the split hash (helixc.knowledge: the explain split lives there, shared with the rule reader)


def value_split(text: str, seed: int) -> str:
    """The split of the value whose canonical text (``valuegen.value_text``) is ``text``."""
    if text in _PINNED_TRAIN:
        return "train"
    u = _hash01("value", seed, text)
    for name, cut in _SPLIT_CUTS:
        if u < cut:
            return name
    return "test_novel"


# ---------------------------------------------------------------------------------------------
# Noise on the English skeleton (never on payloads, descriptions or numbers)

_SLOT = re.compile(r"\{(payload|desc|num|q)\}")


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # swap
    if kind < 0.8:
        return word[:i] + word[i + 1:]  # drop
    return word[:i] + word[i] + word[i:]  # double


def noisy(skeleton: str, rng: random.Random) -> str:
    """Casing, punctuation and typo noise. Slots are protected with \\x00k\\x00 markers."""
    slots = []

    def protect(m):
        slots.append(m.group(0))
        return f"\x00{len(slots) - 1}\x00"

    s = _SLOT.sub(protect, skeleton)
    r = rng.random()
    if r < 0.12:
        s = s.lower()
    elif r < 0.15:
        s = s.upper()
    elif r < 0.22 and s[:1].isupper():
        s = s[:1].lower() + s[1:]
    r = rng.random()
    if r < 0.10:
        s = s.rstrip("?.!") + rng.choice(["?", ".", "!", " ?", "??"]) if not s.endswith("\x00") else s
    elif r < 0.18 and s.endswith(("?", ".", "!")):
        s = s[:-1]
    elif r < 0.23:
        s = s.replace(" ", "  ", 1)
    if rng.random() < 0.05:
        words = [m for m in re.finditer(r"[A-Za-z]{5,}", s)]
        if words:
            m = rng.choice(words)
            s = s[: m.start()] + _typo(m.group(), rng) + s[m.end():]
    return re.sub("\x00(\\d+)\x00", lambda m: slots[int(m.group(1))], s)


def synonym(notation: str, rng: random.Random, train: bool = False) -> str:
    more = catalog.more_english_names().get(notation) if train else None
    # train only (the held-out splits keep their wording and their random draws): blind-written
    # descriptive names and misspellings, one name in five
    if more and rng.random() < 0.2:
        return rng.choice(more)
    syns = catalog.english_names()[notation]
    # canonical names are the most common wording
    if rng.random() < 0.35:
        return syns[0]
    return rng.choice(syns)


# ---------------------------------------------------------------------------------------------
# Numbers

def number_phrase(rng: random.Random, ambiguous: bool = False) -> tuple[str, int, str]:
    """(phrase, value, base) for the number family; base is d/h/b/o."""
    if ambiguous:  # a bare 0/1 digit string: decimal by the rule in corpora/README.md
        digits = "1" + "".join(rng.choice("01") for _ in range(rng.randint(2, 9)))
        noun = rng.choice(["", "", "the number", "the value"])
        return (f"{noun} {digits}".strip(), int(digits), "d")
    noun, bases = rng.choice(T.NUMBER_NOUNS)
    base = rng.choice(bases)
    if base == "b":
        n = rng.choice([rng.randint(1, 255), rng.randint(256, 65535), rng.randint(1, 15)])
    elif base == "h":
        n = rng.choice([rng.randint(0, 255), rng.randint(256, 65535), rng.randint(65536, 2**32 - 1),
                        rng.randint(0x7F000000, 0x7FFFFFFF), rng.randint(0xDE000000, 0xDEFFFFFF)])
    elif base == "o":
        n = rng.randint(0, 4095)
    else:
        n = V.rand_int(rng)
        if noun and n < 0 and noun not in ("the number", "number", "integer", "the integer", "the value", "offset",
                                           "counter", "the constant", "error code", "the decimal number"):
            n = -n
    marks_base = noun in ("bit pattern", "the bit pattern", "the binary number") and base == "b" or \
        noun == "the hex number" and base == "h"
    if base == "h":
        lit = rng.choice(["0x%X", "0x%X", "0x%x", "0x%08X" if n < 2**32 else "0x%X"]) % n
        if marks_base and rng.random() < 0.4:
            lit = lit[2:]  # "the hex number FF": normalize_numbers reads the base word
    elif base == "b":
        width = rng.choice([0, 8, 16]) if n < 65536 else 0
        lit = "0b" + format(n, "b").zfill(width if width >= n.bit_length() else 0)
        if marks_base and rng.random() < 0.4:
            lit = lit[2:]
            if lit.startswith("0"):
                lit = format(n, "b")
    elif base == "o":
        lit = "0o%o" % n
    else:
        lit = str(n)
    return (f"{noun} {lit}".strip(), n, base)


# ---------------------------------------------------------------------------------------------
# Row construction


class _Reject(Exception):
    pass


def _pick_template(family: str, split: str, rng: random.Random, need=None) -> T.Template:
    novel = split == "test_novel"
    pool = [t for t in _BY_FAMILY[family] if t.novel == novel and (split == "train" or not t.train_only)
            and (need is None or need(t.text))]
    if not pool:
        raise _Reject
    return rng.choice(pool)


_BY_FAMILY: dict[str, list[T.Template]] = {}
for _t in T.TEMPLATES:
    _BY_FAMILY.setdefault(_t.family, []).append(_t)


def _value_for(rng: random.Random, family: str, split: str, seed: int):
    """A value for the family whose hash puts it in `split` (else _Reject, cheaply, before any other work)."""
    r = rng.random()
    if r < 0.15:
        v = V.op_contract(rng)
    elif family == "words" and r < 0.35:
        v = V.rand_value(rng, 0, "scalar")
    else:
        v = V.rand_value(rng, 0)
    _check_split(v, split, seed)
    if not V.fits(v):
        raise _Reject
    return v


def _check_split(value, split: str, seed: int) -> None:
    if value_split(V.value_text(value), seed) != split:
        raise _Reject


def _detects_as(text: str, value) -> bool:
    try:
        return same(detect(text).value, value)
    except HelixError:
        return False


def _fill(template: str, rng: random.Random, target=None, source=None, split=None, **slots) -> str:
    sk = template
    if "{target}" in sk:
        sk = sk.replace("{target}", synonym(target, rng, split == "train"))
    if "{source}" in sk:
        sk = sk.replace("{source}", synonym(source, rng, split == "train"))
    sk = noisy(sk, rng)
    sk = re.sub(r"\b([Tt]he)\s+the\b", r"\1", sk)  # "the {target}" with a name that starts with "the"
    for k, v in slots.items():
        sk = sk.replace("{" + k + "}", v)
    return sk


def make_row(route: str, split: str, rng: random.Random, seed: int, knowledge: list[dict]) -> dict:
    """One candidate row for (route, split); raises _Reject when the sample does not fit the split."""
    if route == "explain":
        return _explain_row(split, rng, seed, knowledge)
    weights = family_weights(route)
    family = rng.choices(list(weights), list(weights.values()))[0]
    target = route
    source = None
    category = family
    if family in ("number", "digits"):
        tpl = _pick_template("number", split, rng)
        phrase, value, base = number_phrase(rng, ambiguous=family == "digits")
        _check_split(value, split, seed)
        category = "ambiguous_digits" if family == "digits" else f"number_{ {'d': 'dec', 'h': 'hex', 'b': 'bin', 'o': 'oct'}[base]}"
        source = "english"
        instruction = _fill(tpl.text, rng, split=split, target=target, num=phrase)
    elif family == "words":
        tpl = _pick_template("words", split, rng)
        if split == "train" and NESTED_WORDS_TRAIN and rng.random() < NESTED_WORDS_TRAIN:
            value = V.nested_value(rng)
            _check_split(value, split, seed)
            if not V.fits(value):
                raise _Reject
            desc = V.describe_nested(value, rng)
            category = "words_nested"
        else:
            value = _value_for(rng, family, split, seed)
            desc = V.describe(value, rng)
        if desc is None:
            raise _Reject
        source = "english"
        instruction = _fill(tpl.text, rng, split=split, target=target, desc=desc)
    elif family in ("conv", "parse", T.NOTARGET_VALUE):
        tpl = _pick_template(family, split, rng)
        value = _value_for(rng, family, split, seed)
        sources = _family_sources(route, family)
        if sources:
            source = rng.choice(sources)
        else:
            others = [n for n in catalog.corpus_sources() if n != target]
            source = target if rng.random() < 0.06 else rng.choice(others)
        try:
            payload = V.payload_text(value, source, rng)
        except HelixError:  # the value given in a plugin notation that cannot hold it
            raise _Reject from None
        if "{source}" not in tpl.text and not _detects_as(payload, value):
            raise _Reject  # an unnamed payload must read unambiguously (rule in corpora/README.md)
        if family == T.NOTARGET_VALUE:
            category = "ambiguous_no_target"
        instruction = _fill(tpl.text, rng, split=split, target=target, source=source, payload=payload)
    elif family == "notarget_encode":
        tpl = _pick_template("notarget_encode", split, rng)
        category = "ambiguous_no_target"
        if "{num}" in tpl.text:
            phrase, value, base = number_phrase(rng)
            _check_split(value, split, seed)
            source = "english"
            instruction = _fill(tpl.text, rng, split=split, num=phrase)
        elif "{desc}" in tpl.text:
            value = _value_for(rng, "words", split, seed)
            desc = V.describe(value, rng)
            if desc is None:
                raise _Reject
            source = "english"
            instruction = _fill(tpl.text, rng, split=split, desc=desc)
        else:
            value = _value_for(rng, family, split, seed)
            source = rng.choice(_family_sources(route, family) or catalog.corpus_sources())
            payload = V.payload_text(value, source, rng)
            if not _detects_as(payload, value):
                raise _Reject
            instruction = _fill(tpl.text, rng, split=split, payload=payload)
    elif family == "format":
        tpl = _pick_template("format", split, rng)
        value = _value_for(rng, family, split, seed)
        source = target  # the route's own notation, written untidily
        payload = get_notation(target).corpus_format_payload(value, rng)
        instruction = _fill(tpl.text, rng, split=split, payload=payload)
    else:  # pragma: no cover
        raise ValueError(family)
    text = V.value_text(value)
    if value_split(text, seed) != split:
        raise _Reject
    try:
        output = emit(value, target)
    except HelixError:  # a plugin notation that cannot hold this value (JSON has no contracts or bytes)
        raise _Reject from None
    return _row(instruction, output, route, source, target, text, category, tpl.id, split)


def _row(instruction, output, route, source, target, value_text, category, template_id, split, knowledge_id=None,
         knowledge_form=None):
    return {
        "input": prompt(instruction),
        "output": output,
        "model_input": prompt(normalize_numbers(instruction)),
        "route": route,
        "source_notation": source,
        "target_notation": target,
        "value": value_text,
        "category": category,
        "template_id": template_id,
        "split": split,
        "knowledge_id": knowledge_id,
        "knowledge_form": knowledge_form,
    }


def _explain_row(split: str, rng: random.Random, seed: int, knowledge: list[dict]) -> dict:
    entry = rng.choice(knowledge)
    form_split = "test" if split == "test_novel" else split
    texts = entry_forms(entry)
    forms = [i for i in range(len(texts)) if explain_split(entry["id"], i, seed, entry) == form_split]
    if not forms:
        raise _Reject
    i = rng.choice(forms)
    tpl = _pick_template("explain", split, rng)
    q = texts[i]
    if tpl.text.index("{q}") > 0 and q[:1].isupper() and not q.startswith(("LC", "HLX", "I ", "T")) and rng.random() < 0.5:
        q = q[:1].lower() + q[1:]
    instruction = _fill(tpl.text, rng, split=split, q=q)
    return _row(instruction, entry["answer"], "explain", "english", "explain", None, "explain", tpl.id, split,
                knowledge_id=entry["id"], knowledge_form=i)


# ---------------------------------------------------------------------------------------------


def load_knowledge() -> list[dict]:
    return json.loads((Path(__file__).parent / "knowledge.json").read_text(encoding="utf-8"))


def quotas(sizes: dict | None = None) -> dict[tuple[str, str], int]:
    sizes = {**DEFAULT_SIZES, **(sizes or {})}
    q = {}
    for split in SPLITS:
        for route in __getattr__("ROUTES"):
            n = sizes[split]
            if route == "explain":
                frac = EXPLAIN_FRACTION_TRAIN if split == "train" else EXPLAIN_FRACTION
                n = max(1, round(n * frac)) if n else 0
            q[(route, split)] = n
    return q


def generate_rows(seed: int = 0, sizes: dict | None = None) -> Iterator[dict]:
    """Yield every row (all routes and splits), deterministically for `seed`.

    `sizes` gives rows per notation route for each split (explain gets EXPLAIN_FRACTION of it).
    Inputs are unique across the whole corpus.
    """
    knowledge = load_knowledge()
    seen: set[str] = set()
    for (route, split), n in quotas(sizes).items():
        rng = random.Random(f"helixc-corpus:{seed}:{route}:{split}")
        made = tries = 0
        limit = max(2000, n * 200)
        while made < n:
            tries += 1
            if tries > limit:
                raise RuntimeError(f"could not fill {route}/{split}: {made}/{n} rows after {tries} tries")
            try:
                row = make_row(route, split, rng, seed, knowledge)
            except _Reject:
                continue
            key = row["input"]
            if key in seen:
                continue
            seen.add(key)
            made += 1
            yield row


def coordinator_row(row: dict) -> dict:
    return {**row, "output": row["route"]}


def verify_row(row: dict) -> None:
    """Raise AssertionError unless the row's output is the compiler's emission of its value."""
    if row["route"] == "explain":
        return
    value = parse(row["value"], catalog.value_notation())
    assert V.value_text(value) == row["value"], row
    out_value = parse(row["output"], row["target_notation"])
    assert same(out_value, value), row
    assert emit(value, row["target_notation"]) == row["output"], row


def build(seed: int = 0, out_dir: str | Path = "corpora/data/generated", sizes: dict | None = None,
          verify: bool = True) -> dict:
    """Write the corpus as JSONL files; returns {"paths": {...}, "counts": {...}, "manifest": path}.

    Layout: ``<out>/<role>/<split>.jsonl`` for role in coordinator and every route (``ROUTES``).
    """
    out = Path(out_dir)
    by_role: dict[str, dict[str, list[str]]] = {r: {s: [] for s in SPLITS} for r in ("coordinator",) + __getattr__("ROUTES")}
    for row in generate_rows(seed, sizes):
        if verify:
            verify_row(row)
        by_role[row["route"]][row["split"]].append(json.dumps(row, ensure_ascii=False))
        by_role["coordinator"][row["split"]].append(json.dumps(coordinator_row(row), ensure_ascii=False))
    paths: dict[str, dict[str, str]] = {}
    counts: dict[str, dict[str, int]] = {}
    for role, splits in by_role.items():
        (out / role).mkdir(parents=True, exist_ok=True)
        paths[role], counts[role] = {}, {}
        for split, lines in splits.items():
            if role == "coordinator":  # interleave routes
                random.Random(f"helixc-corpus-shuffle:{seed}:{split}").shuffle(lines)
            p = out / role / f"{split}.jsonl"
            p.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
            paths[role][split] = str(p)
            counts[role][split] = len(lines)
    manifest = {
        "seed": seed, "generator_version": GENERATOR_VERSION, "sizes": {**DEFAULT_SIZES, **(sizes or {})},
        "counts": counts,
        "sha256": {f"{r}/{s}": hashlib.sha256(Path(p).read_bytes()).hexdigest() for r, d in paths.items() for s, p in d.items()},
        "templates": len(T.TEMPLATES), "novel_templates": sum(t.novel for t in T.TEMPLATES),
        "fields": list(_row("", "", "", "", "", "", "", "", "").keys()),
    }
    mp = out / "manifest.json"
    mp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return {"paths": paths, "counts": counts, "manifest": str(mp)}
