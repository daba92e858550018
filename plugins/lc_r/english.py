"""How LC-R appears in English requests and where its route stands (helixc.catalog).

The shipped models were trained with these names (the corpus draws its {target}/{source}
wording from them) and with this route rank: change them only with a retrain.
"""

# Names people write for the notation (matched lower-case, longest first when scanning).
ENGLISH_NAMES = (
    "LC-R", "LCR", "LC R", "runic glyph notation", "runic", "runic notation", "runic form", "runes",
    "rune notation", "glyph form", "glyphs", "glyph notation", "symbolic notation", "the runic glyphs",
    "LC-R runic", "Runic format", "runic script", "alchemical glyphs",
)

# More names, written blind (descriptive names, nicknames, misspellings; see corpora/README.md,
# "Blind skeletons"): the rule reader reads them, the corpus uses them in its train split only.
MORE_ENGLISH_NAMES = (
    "lc_r", "l-c-r", "lrc", "cl-r", "lc-runic", "lc runes",
    "runnic", "runik", "runick", "rnuic", "the runic one", "the glyph version",
    "the rune notation", "the unicode symbols one", "the symbol glyph format", "lc-rune", "the fancy symbols one", "the glyphy one",
    "runic lc", "lcr notation", "lc.r",
)

# The second batch of blind-written names (scripts/import_blind_templates.py): read by the rule reader
# only, since the corpus that would train on them was not kept (models/default/TRAINING.md, run 13).
READER_NAMES = (
    "the glyph one", "the alchemical one", "the symbol one", "the fancy glyph format", "lc runic", "the alchemy symbols notation", "the unicode glyph format", "the runic compact notation",
)

# Words that describe this notation and no other ("the <word> notation", "the plain-<word> text
# notation"): read by the rule reader only (helixc.requests; no corpus row uses them).
DESCRIPTIVE_WORDS = ("runic", "rune", "runes", "glyph", "glyphs", "glyphy", "symbol", "symbols", "symbolic", "alchemy", "alchemical", "unicode-symbol",)

# Sort key among the coordinator's route labels (built-ins 0-3; explain is 4).
ROUTE_RANK = 1

# First characters that only this notation's text starts with (detection: not an English request).
START_CHARS = '"' + "\u2205\u22a4\u22a5\u22a0\u27c1\U0001f703\U0001f70a\u25c7"  # quote, empty, true, false, bytes, handle, array, contract, map

# The rule reader (helixc.requests.describe_value) stops a described text at these words (they name
# a notation: "the text hello in runic"), and does not read "X inside a list" as a value when X
# holds one of the second list. Lower-case whole words.
DESCRIPTION_STOP_WORDS = ("lc", "lcr", "runic")
LIST_STOP_WORDS = ("lc", "runic")

# Words naming the notation that tell no topic: the explain route's topic check (a request and the
# knowledge entry answered share a content word; helixc.neural.confidence) ignores them.
TOPIC_STOP_WORDS = ("lc", "lcr", "runic")

# One English request to the notation for examples (helixc export vllm's request files; from no
# corpus split).
EXAMPLE_REQUEST = "Convert [7, 8] to LC-R"

# What in an English request shows a value of a kind in this notation's glyphs (regex text;
# helixc.neural.confidence): true/false, null, an empty value, and (a character-class body) the
# characters of a literal (the alchemical block holds the array and contract glyphs).
REQUEST_CUES = {
    "bool": r"[\u22a4\u22a5]",  # ⊤ ⊥
    "null": r"[\u22a0\u2205]",  # ⊠ ∅
    "empty": r"\u2205|\U0001f703\s*\U0001f704|\u25c7\s*\u25c6",  # ∅, 🜃🜄, ◇◆
    "literal": r"\u22a4\u22a5\u22a0\u2205\u27c1\u25c7\u25c6\U0001f700-\U0001f77f",
}
