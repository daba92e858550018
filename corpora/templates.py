"""Instruction templates, by family.

Slots: ``{payload}`` (a value written in ``{source}`` notation), ``{source}`` / ``{target}`` (a
notation synonym), ``{num}`` (a number phrase), ``{desc}`` (a value described in words),
``{q}`` (a question about the notations). A template flagged ``novel`` is used only in the
``test_novel`` split, never in train/val/test. Templates from ``extra_templates.json`` are
``train_only``: more training wordings, written without sight of the novel ones (see
``corpora/README.md``), used in the train split only so that val/test/test_novel stay as they were.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from helixc import catalog

CONV = [
    "Convert {payload} to {target}",
    "Convert this {source} to {target}: {payload}",
    "Translate {payload} into {target}",
    "Translate from {source} to {target}: {payload}",
    "{source} to {target}: {payload}",
    "Rewrite {payload} in {target}",
    "Show {payload} in {target}",
    "Express {payload} in {target}",
    "Give me the {target} form of {payload}",
    "What is {payload} in {target}?",
    "How do I write {payload} in {target}?",
    "How is {payload} written in {target}?",
    "Turn this {source} into {target}: {payload}",
    "Change {payload} to {target}",
    "Render {payload} as {target}",
    "Write {payload} as {target}",
    "{target} for {payload}",
    "{payload} in {target} please",
    "Can you convert {payload} to {target}?",
    "Please translate this {source} value to {target}: {payload}",
    "I have {payload} in {source}. What is it in {target}?",
    "Need the {target} version of {payload}",
    "Output {payload} using {target}",
    "Produce the {target} encoding of {payload}",
    "Map {payload} from {source} to {target}",
    "Transcode {payload} to {target}",
    "Re-encode this {source} as {target}: {payload}",
    "Could you show me {payload} as {target}?",
    "Give {payload} in {target}",
    "From {source} into {target}: {payload}",
    "Take this {source} value and write it in {target}: {payload}",
    "Recode {payload} into {target}",
    "What does {payload} look like in {target}?",
    "Represent {payload} in {target}",
    "Encode {payload} in {target}",
    "Encode this {source} as {target}: {payload}",
    "Serialize {payload} to {target}",
    "Format {payload} as {target}",
    "Convert the following {source} to {target}: {payload}",
    "{source} -> {target}: {payload}",
    "Quick, {payload} to {target}",
    "Help me turn {payload} into {target}",
    "Make {payload} into {target}",
    "I need {payload} converted to {target}",
    "Switch {payload} over to {target}",
    "{target} please: {payload}",
    "Show the {target} equivalent of {payload}",
    "Port this {source} to {target}: {payload}",
    "Spell out {payload} in {target}",
    "Translate to {target}: {payload}",
    "Convert to {target}: {payload}",
    "Show me this in {target}: {payload}",
    "Please give the {target} representation of this {source}: {payload}",
    "How would {payload} be written in {target}?",
    "Give me {payload} expressed in {target}",
    'Convert {payload} into the {target} notation',
    'Could you rewrite {payload} in {target}?',
    'Please express this {source} value in {target}: {payload}',
    'What would this {source} be in {target}? {payload}',
    'Give me {target}: {payload}',
    'Translate the {source} {payload} into {target}',
    'I need the {target} for this: {payload}',
    'Show {payload} as {target}, please',
    'Reformat {payload} as {target}',
    'Write the {target} form of {payload}',
    '{payload} -> {target}',
    'Express the following in {target}: {payload}',
    'Convert from {source}: {payload} (target: {target})',
    'Can I get {payload} in {target}?',
]

PARSE = [
    "Parse {source}: {payload}",
    "Parse this {source}: {payload}",
    "What value is this {source}: {payload}",
    "What value does this {source} encode: {payload}",
    "Decode this {source}: {payload}",
    "Decode {source}: {payload}",
    "Read this {source}: {payload}",
    "Read {payload} as {source}",
    "What is this {source}? {payload}",
    "Interpret this {source}: {payload}",
    "What does this {source} mean: {payload}",
    "Parse the {source} {payload}",
    "Unpack this {source}: {payload}",
    "Tell me what this {source} says: {payload}",
    "Which value is {payload} in {source}?",
    "Parse {payload} from {source}",
    "What's the value of this {source}: {payload}",
    "Decode the following {source}: {payload}",
    "Can you parse this {source}? {payload}",
    "Explain the value of this {source} text: {payload}",
    "Decipher this {source}: {payload}",
    "What value is written here in {source}: {payload}",
    "Give the value behind this {source}: {payload}",
    "Deserialize this {source}: {payload}",
    'What value does the {source} {payload} stand for?',
    'Read the following {source}: {payload}',
    'Which value is encoded by this {source}: {payload}',
    'Parse the following {source}: {payload}',
    'Please decode this {source} for me: {payload}',
    'I got this {source}, what value is it? {payload}',
    'What does the {source} {payload} decode to?',
    'Turn this {source} back into a value: {payload}',
]

NUMBER = [
    "Convert {num} to {target}",
    "Encode {num} in {target}",
    "Show {num} in {target}",
    "Write {num} as {target}",
    "What is {num} in {target}?",
    "Convert {num} to {target} please",
    "Express {num} in {target}",
    "Give me {num} in {target}",
    "{target} for {num}",
    "How do I write {num} in {target}?",
    "Represent {num} using {target}",
    "Translate {num} into {target}",
    "Store {num} in {target}",
    "Put {num} into {target}",
    "I need {num} as {target}",
    "Render {num} in {target}",
    "Encode {num} as {target}",
    "Turn {num} into {target}",
    "Show the {target} form of {num}",
    "Give the {target} encoding of {num}",
    "Can you encode {num} in {target}?",
    "Please write {num} in {target}",
    "How is {num} written in {target}?",
    "Serialize {num} to {target}",
    "Output {num} in {target}",
    "Show {target} representation of {num}",
    "Convert {num} to {target} compact",
    "{num} in {target}?",
    "Pack {num} into {target}",
    "What does {num} look like in {target}?",
    "Emit {num} as {target}",
    "Record {num} in {target}",
    "Make {num} {target}",
    "Write down {num} in {target}",
    'Convert {num} into {target}',
    'Please store {num} as {target}',
    'Give {num} in {target} form',
    'How would you write {num} in {target}?',
    'Show me {num} encoded in {target}',
    'Express {num} as {target}',
    'I want {num} in {target}',
    'Translate {num} to {target} please',
]

WORDS = [
    "Write {desc} in {target}",
    "Encode {desc} in {target}",
    "Convert {desc} to {target}",
    "Show {desc} in {target}",
    "How is {desc} written in {target}?",
    "{target} for {desc}",
    "Give me {desc} in {target}",
    "Express {desc} in {target}",
    "Represent {desc} in {target}",
    "What is {desc} in {target}?",
    "Create {desc} in {target}",
    "Build {desc} in {target}",
    "Make {desc} in {target}",
    "I want {desc}, written in {target}",
    "Please write {desc} using {target}",
    "Encode {desc} as {target}",
    "Give the {target} form of {desc}",
    "How do I write {desc} in {target}?",
    "Translate {desc} into {target}",
    "Write out {desc} in {target}",
    "Produce {desc} in {target}",
    "Show me {desc} as {target}",
    "Can you write {desc} in {target}?",
    "In {target}, write {desc}",
    "Using {target}, express {desc}",
    "Generate {desc} in {target}",
    "Construct {desc} in {target}",
    "What would {desc} look like in {target}?",
    "Compose {desc} in {target}",
    "Spell {desc} in {target}",
    "Serialize {desc} to {target}",
    "Declare {desc} in {target}",
    "Need {desc} in {target}",
    "Define {desc} using {target}",
    'Please encode {desc} in {target}',
    'Show how {desc} is written in {target}',
    'Write {desc} using {target}',
    'Give me {desc} as {target}',
    'Could you express {desc} in {target}?',
    'I need {desc} in {target}',
    'Represent {desc} using {target}',
    'Turn {desc} into {target}',
    'Output {desc} in {target}',
    'Form {desc} in {target}',
]

# The notation values are written in (helixc.catalog.value_notation; None: none is registered).
_VALUE = catalog.value_notation()

# No target notation named. Rule (corpora/README.md): the answer is in the value notation, except for
# "encode"/"serialize" requests, whose answer is in the binary notation. The family's label is
# "notarget_" and the value notation's name ("-" as "_"): the trained template ids, the template files
# and the value notation's ``corpus_families`` use it.
NOTARGET_VALUE = "notarget_" + (_VALUE or "value").replace("-", "_")
NOTARGET = [
    "What value is this: {payload}",
    "What is {payload}?",
    "Parse {payload}",
    "Read {payload}",
    "Decode {payload}",
    "What does {payload} mean?",
    "Interpret {payload}",
    "Which value is {payload}?",
    "Tell me the value of {payload}",
    "What is the value of {payload}?",
    "Parse this: {payload}",
    "What's this value: {payload}",
    'Parse the value {payload}',
    'Decode this value: {payload}',
    'What value do I have here: {payload}',
    'Read this value: {payload}',
]
NOTARGET_ENCODE = [
    "Encode {payload}",
    "Serialize {payload}",
    "Encode this: {payload}",
    "Serialize this value: {payload}",
    "Encode {desc}",
    "Serialize {desc}",
    "Please encode {desc}",
    "Encode {num}",
    "Serialize {num}",
    "Please encode {payload}",
    'Serialize {desc}, please',
    'Encode the value {payload}',
    'I need {num} encoded',
    'Encode this value for me: {payload}',
    "Encode {desc} for me",
    "Serialize the value {payload}",
    "Could you encode {num}?",
]

# Rewrite an untidy value canonically: the value notation's route's "format" rows (its corpus_families),
# naming it by its display name (helixc.catalog.display_name), filled in here; no value notation, no rows.
_FORMAT = [
    "Format {payload} as canonical {value_notation}",
    "Normalize this {value_notation}: {payload}",
    "Canonicalize {payload}",
    "Pretty-print this {value_notation}: {payload}",
    "Clean up the spacing of {payload} in {value_notation}",
    "Rewrite {payload} in canonical {value_notation} form",
    "Fix the formatting of this {value_notation}: {payload}",
    "Give the canonical {value_notation} for {payload}",
    "Tidy up {payload} as {value_notation}",
    "Write {payload} in proper {value_notation}",
    "Normalize {payload} to {value_notation}",
    'Clean up this {value_notation}: {payload}',
    'Reformat {payload} as canonical {value_notation}',
    'Please normalize the {value_notation} {payload}',
]
FORMAT = [t.replace("{value_notation}", catalog.display_name(_VALUE)) for t in _FORMAT] if _VALUE else []

EXPLAIN = [
    "{q}",
    "{q} Thanks.",
    "Quick question: {q}",
    "Can you tell me: {q}",
    "I am new to HLX. {q}",
    "{q} Please explain.",
    "Question about the notations: {q}",
    "Help: {q}",
    "Explain briefly. {q}",
    "HLX question: {q}",
    "{q} Keep it short.",
    "Hi! {q}",
    "Please answer: {q}",
    "Something I never understood: {q}",
    "{q} (HLX notations)",
    "Docs question: {q}",
    "Hey, {q}",
    "According to the spec, {q}",
    "{q} Cite the spec.",
    "I'd like to know: {q}",
    "Out of curiosity, {q}",
    "In HLX, {q}",
    '{q} Answer from the spec.',
    'Short answer please: {q}',
    'Reading the HLX docs. {q}',
    "{q} I'm confused.",
    'One question: {q}',
    'Could you explain? {q}',
    'Wondering: {q}',
    '{q} What does the spec say?',
]

FAMILIES = {
    "conv": CONV,
    "parse": PARSE,
    "number": NUMBER,
    "words": WORDS,
    NOTARGET_VALUE: NOTARGET,
    "notarget_encode": NOTARGET_ENCODE,
    "format": FORMAT,
    "explain": EXPLAIN,
}

# Number phrases: (noun, allowed bases). "bit pattern" only for binary-looking literals.
NUMBER_NOUNS = [
    ("", "dbho"), ("the number", "dbh"), ("number", "dh"), ("integer", "dh"), ("the integer", "dbh"),
    ("the value", "dh"), ("memory address", "dh"), ("the memory address", "h"), ("address", "h"),
    ("CRC32 checksum", "hd"), ("CRC32", "h"), ("checksum", "hd"), ("hash", "h"), ("bit pattern", "b"),
    ("the bit pattern", "b"), ("bitmask", "bh"), ("mask", "bh"), ("flags", "bh"), ("port number", "d"),
    ("port", "d"), ("offset", "dh"), ("register value", "h"), ("timestamp", "d"), ("Unix timestamp", "d"),
    ("counter", "d"), ("the constant", "dh"), ("user id", "d"), ("error code", "dh"), ("count", "d"),
    ("pointer", "h"), ("opcode", "h"), ("the decimal number", "d"), ("the hex number", "h"),
    ("the binary number", "b"), ("status word", "hb"), ("color", "h"), ("magic number", "h"),
]


@dataclass(frozen=True)
class Template:
    id: str
    family: str
    text: str
    novel: bool
    train_only: bool = False


def _novel(family: str, i: int, n: int) -> bool:
    # every 6th template of a family (from the 3rd on) is held out for test_novel
    return n >= 5 and i % 6 == 2


def wording(text: str) -> str:
    """A template's wording with the value slots made alike: "Convert {desc} to {target}" and
    "Convert {payload} to {target}" are the same wording."""
    import re

    return re.sub(r"\{(payload|desc|num|q)\}", "{X}", text).lower()


def all_templates() -> list[Template]:
    kept = set()  # wordings used by training templates
    for fam, texts in FAMILIES.items():
        for i, t in enumerate(texts):
            if not _novel(fam, i, len(texts)):
                kept.add(wording(t))
    # a picked template whose wording a training template also has ("Convert {desc} to {target}" vs
    # "Convert {payload} to {target}") is not novel: test_novel must never reuse a training wording
    out = []
    for fam, texts in FAMILIES.items():
        for i, t in enumerate(texts):
            out.append(Template(f"{fam}.{i:03d}", fam, t, _novel(fam, i, len(texts)) and wording(t) not in kept))
    for fam, texts in EXTRA_TRAIN.items():
        for i, t in enumerate(texts):
            out.append(Template(f"{fam}.x{i:03d}", fam, t, False, train_only=True))
    for fam, texts in BLIND_TRAIN.items():
        for i, t in enumerate(texts):
            out.append(Template(f"{fam}.b{i:03d}", fam, t, False, train_only=True))
    return out


# Extra training wordings per family (train split only); tests/test_corpora.py checks that none is
# near a novel template's wording.
EXTRA_TRAIN: dict[str, list[str]] = json.loads(
    (Path(__file__).parent / "extra_templates.json").read_text(encoding="utf-8"))

# Request skeletons written blind (by a helper who saw neither the templates above, the corpus, nor
# either half of the blind benchmark; scripts/import_blind_templates.py checked and filtered them:
# the same near-copy guard against the novel templates, no literal in the wrapper words). Train only.
BLIND_TRAIN: dict[str, list[str]] = {
    k: v for k, v in json.loads((Path(__file__).parent / "blind_templates.json").read_text(encoding="utf-8")).items()
    if not k.startswith("_")}


TEMPLATES = all_templates()
BY_ID = {t.id: t for t in TEMPLATES}


def template_regex(text: str):
    """A regex that matches any request this template can produce (slots as wildcards, synonyms as
    alternatives, case-insensitive). Broad on purpose: it is used to keep held-out templates out of
    extra training data (seed rows), where a false match only drops a row."""
    import re

    from helixc.requests import NOTATION_SYNONYMS

    syn = "|".join(sorted({re.escape(x) for v in NOTATION_SYNONYMS.values() for x in v}, key=len, reverse=True))
    e = re.escape(text)
    e = re.sub(r"\\\{(payload|desc|num|q)\\\}", "(.+)", e)
    e = re.sub(r"\\\{(target|source)\\\}", f"(?:{syn})", e)
    return re.compile(r"^\s*" + e + r"\s*[?.!]*\s*$", re.I | re.S)


def matches_novel_template(instruction: str) -> str | None:
    """Id of a test_novel template that could have produced `instruction`, else None."""
    global _NOVEL_RX
    if _NOVEL_RX is None:
        _NOVEL_RX = [(t.id, template_regex(t.text)) for t in TEMPLATES if t.novel]
    for tid, rx in _NOVEL_RX:
        if rx.match(instruction):
            return tid
    return None


_NOVEL_RX = None

