"""How the slot-aware neural pipeline spells literal slots in this notation (helixc.neural.slots).

The shipped specialists were trained on targets written this way (SLOT_LEXER_VERSION 3):
change nothing here without a retrain. ``{slot}`` stands for the slot reference regex.
"""

SLOT_SPELLING = {
    # a bytes leaf written from slot k's hex digits: open + slot + close
    "bytes": ('#', ''),
    # a handle named by slot k: prefix + slot
    "handle": '@',
    # grammar terminals that also accept a slot reference (alternative put first)
    "terminals": {"INT": '{slot}', "STRING": '"{slot}"', "HANDLE": '@{slot}'},
    # terminals replaced outright: bytes come only from a slot (or are empty)
    "slot_only": {"BYTES": '#{slot}|#'},
    # how the writer escapes the private-use marks inside a string (None: written as is)
    "string_escape": '\\\\u',
    # The slot lexer reads requests with every notation's literals: these are this notation's
    # pieces of its regex (verbose-mode regex text; helixc.neural.slots joins the pieces of every
    # registered notation in name order). A bytes literal, a handle:
    "lex_bytes": r'(?<![\w#])\#(?:[0-9A-Fa-f]{2})+(?![\w])',
    "lex_handle": r'(?<![\w@])@(?=[A-Za-z0-9_]*[A-Za-z_])[A-Za-z0-9_]+',
    # characters (regex class text) after which a bare word followed by ":" is a map key, and
    # what such a key may not start with (a contract head)
    "lex_key_after": r'{',
    "lex_key_not": r'C:',
    # characters (regex class text) right after which a number is structure, not a literal (a field index)
    "lex_number_not_after": r'@',
}
