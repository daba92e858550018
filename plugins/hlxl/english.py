"""How HLXL appears in English requests and where its route stands (helixc.catalog).

The shipped models were trained with these names (the corpus draws its {target}/{source}
wording from them) and with this route rank: change them only with a retrain.
"""

# Names people write for the notation (matched lower-case, longest first when scanning).
ENGLISH_NAMES = (
    "HLXL", "HLX-L", "HLXL notation", "HLX lite", "HLX-Lite", "human-readable form",
    "human-readable notation", "readable notation", "readable form", "plain HLXL", "HLXL syntax",
    "canonical HLXL", "human notation", "HLX language", "the HLXL format", "source notation",
)

# More names, written blind (descriptive names, nicknames, misspellings; see corpora/README.md,
# "Blind skeletons"): the rule reader reads them, the corpus uses them in its train split only.
MORE_ENGLISH_NAMES = (
    "hl-xl", "hlx_l", "h-l-x-l", "hlxll", "hxlx", "hlxel",
    "hxll", "lhxl", "hl xl", "h.l.x.l", "the readable one", "the human readable format",
    "the human-friendly one", "the json-like one", "the json-ish format", "the pretty one", "the verbose format", "the curly brace notation",
    "the readable version", "the long-form notation", "the easy-to-read one", "the plain readable format",
)

# The second batch of blind-written names (scripts/import_blind_templates.py): read by the rule reader
# only, since the corpus that would train on them was not kept (models/default/TRAINING.md, run 13).
READER_NAMES = (
    "the human readable notation", "hlx l", "the pretty notation", "the human format", "the helix language", "the friendly notation", "the default readable format", "hlxl format", "the one humans write",
)

# Words that describe this notation and no other ("the <word> notation", "the plain-<word> text
# notation"): read by the rule reader only (helixc.requests; no corpus row uses them).
DESCRIPTIVE_WORDS = ("helix", "human", "humans", "human-friendly", "people-friendly", "friendly", "readable", "pretty", "verbose", "json-like", "json-ish", "curly",)

# Sort key among the coordinator's route labels (built-ins 0-3; explain is 4).
ROUTE_RANK = 3

# First characters that only this notation's text starts with (detection: not an English request).
START_CHARS = '[{"&'

# The rule reader (helixc.requests.describe_value) stops a described text at these words (they name
# a notation: "the text hello in runic"), and does not read "X inside a list" as a value when X
# holds one of the second list. Lower-case whole words.
DESCRIPTION_STOP_WORDS = ("hlxl",)
LIST_STOP_WORDS = ("hlxl",)

# Words naming the notation that tell no topic: the explain route's topic check (a request and the
# knowledge entry answered share a content word; helixc.neural.confidence) ignores them. None:
# "hlxl" is a topic word, and the family name "hlx" is among the core's own stop words.
TOPIC_STOP_WORDS = ()

# One English request to the notation for examples (helixc export vllm's request files; from no
# corpus split).
EXAMPLE_REQUEST = "Show the list 4, 5 and 6 in HLXL"
