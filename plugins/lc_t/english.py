"""How LC-T appears in English requests and where its route stands (helixc.catalog).

The shipped models were trained with these names (the corpus draws its {target}/{source}
wording from them) and with this route rank: change them only with a retrain.
"""

# Names people write for the notation (matched lower-case, longest first when scanning).
ENGLISH_NAMES = (
    "LC-T", "LCT", "LC T", "ASCII text form", "ASCII", "ASCII notation", "ASCII form", "ASCII format",
    "text-safe form", "text-safe notation", "compact text", "compact ASCII", "plain ASCII", "LC-T text",
    "lc-text", "the ASCII notation", "ascii-safe form",
)

# More names, written blind (descriptive names, nicknames, misspellings; see corpora/README.md,
# "Blind skeletons"): the rule reader reads them, the corpus uses them in its train split only.
MORE_ENGLISH_NAMES = (
    "lc_t", "lc text", "lctext", "lc-tee", "l-c-t", "ltc",
    "cl-t", "lc.t", "lct notation", "lc-txt", "the compact text one", "the plain-text compact one",
    "the compact ascii one", "the ascii form", "ascii lc", "the terse text notation", "compact textual form", "the short text version",
    "the typeable compact one", "llc-t", "lc--t", "lcc-t",
)

# The second batch of blind-written names (scripts/import_blind_templates.py): read by the rule reader
# only, since the corpus that would train on them was not kept (models/default/TRAINING.md, run 13).
READER_NAMES = (
    "the ascii one", "asci form", "the plain ascii notation", "the terse text format", "the ascii compact form", "the keyboard friendly one", "lc tee", "the all caps one", "lc dash t",
)

# Words that describe this notation and no other ("the <word> notation", "the plain-<word> text
# notation"): read by the rule reader only (helixc.requests; no corpus row uses them).
DESCRIPTIVE_WORDS = ("ascii", "ascii-safe", "ascii-only", "7-bit", "typeable", "keyboard",)

# Sort key among the coordinator's route labels (built-ins 0-3; explain is 4).
ROUTE_RANK = 2

# First characters that only this notation's text starts with (detection: not an English request).
START_CHARS = '[{"#@'

# The rule reader (helixc.requests.describe_value) stops a described text at these words (they name
# a notation: "the text hello in runic"), and does not read "X inside a list" as a value when X
# holds one of the second list. Lower-case whole words.
DESCRIPTION_STOP_WORDS = ("lc", "lct")
LIST_STOP_WORDS = ("lc",)

# Words naming the notation that tell no topic: the explain route's topic check (a request and the
# knowledge entry answered share a content word; helixc.neural.confidence) ignores them.
TOPIC_STOP_WORDS = ("lc", "lct", "ascii")

# One English request to the notation for examples (helixc export vllm's request files; from no
# corpus split).
EXAMPLE_REQUEST = "Write the map {a: 5} in LC-T"
