"""How LC-B appears in English requests and where its route stands (helixc.catalog).

The shipped models were trained with these names (the corpus draws its {target}/{source}
wording from them) and with this route rank: change them only with a retrain.
"""

# Names people write for the notation (matched lower-case, longest first when scanning).
ENGLISH_NAMES = (
    "LC-B", "LCB", "LC B", "LC-B bytes", "binary", "binary notation", "binary form", "binary encoding",
    "hex bytes", "wire format", "wire bytes", "bytes", "byte encoding", "LC-B binary", "HLX binary notation",
    "hex dump", "LC-B compact", "the binary format", "byte form",
)

# More names, written blind (descriptive names, nicknames, misspellings; see corpora/README.md,
# "Blind skeletons"): the rule reader reads them, the corpus uses them in its train split only.
MORE_ENGLISH_NAMES = (
    "lc_b", "l-c-b", "lbc", "cl-b", "lc-bin", "lc binary",
    "the binary one", "the hex version", "the byte form", "binary lc", "lcb notation", "the packed binary format",
    "the wire format", "bianry", "binnary", "lc.b", "the octet form",
)

# The second batch of blind-written names (scripts/import_blind_templates.py): read by the rule reader
# only, since the corpus that would train on them was not kept (models/default/TRAINING.md, run 13).
READER_NAMES = (
    "the hex wire format", "the byte format", "the hex dump form", "the bytes notation", "the octet format", "the packed binary form",
)

# Words that describe this notation and no other ("the <word> notation", "the plain-<word> text
# notation"): read by the rule reader only (helixc.requests; no corpus row uses them).
DESCRIPTIVE_WORDS = ("binary", "byte", "bytes", "hex", "octet", "octets", "wire", "packed",)

# Sort key among the coordinator's route labels (built-ins 0-3; explain is 4).
ROUTE_RANK = 0

# First characters that only this notation's text starts with (detection: not an English request).
START_CHARS = ""

# The rule reader (helixc.requests.describe_value) stops a described text at these words (they name
# a notation: "the text hello in runic"), and does not read "X inside a list" as a value when X
# holds one of the second list. Lower-case whole words.
DESCRIPTION_STOP_WORDS = ("lc", "lcb", "binary")
LIST_STOP_WORDS = ("lc",)

# Words naming the notation that tell no topic: the explain route's topic check (a request and the
# knowledge entry answered share a content word; helixc.neural.confidence) ignores them.
TOPIC_STOP_WORDS = ("lc", "lcb", "binary")

# One English request to the notation for examples (helixc export vllm's request files; from no
# corpus split).
EXAMPLE_REQUEST = "Encode the list 1, 2 as LC-B"
