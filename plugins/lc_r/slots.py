"""How the slot-aware neural pipeline spells literal slots in this notation (helixc.neural.slots).

The shipped specialists were trained on targets written this way (SLOT_LEXER_VERSION 3):
change nothing here without a retrain. ``{slot}`` stands for the slot reference regex.
"""

SLOT_SPELLING = {
    # a bytes leaf written from slot k's hex digits: open + slot + close
    "bytes": ('\u22a0', ''),
    # a handle named by slot k: prefix + slot
    "handle": '\u27c1',
    # grammar terminals that also accept a slot reference (alternative put first)
    "terminals": {"INT": '{slot}', "UINT": '{slot}', "HANDLE": '\u27c1{slot}', "STRING": '"{slot}"'},
    # terminals replaced outright: bytes come only from a slot (or are empty)
    "slot_only": {"BYTES": '\u22a0{slot}|\u22a0'},
    # how the writer escapes the private-use marks inside a string (None: written as is)
    "string_escape": None,
}
