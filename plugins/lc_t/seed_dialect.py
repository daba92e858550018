"""How the seed corpora (``corpora/seed/``) write LC-T, for their import (corpora/seed_import.py)."""

# The seed's label of an LC-T answer line ("LC-T: {C:14,0=1}").
LABEL = "LC-T"

# Place in the seed's own order (HLXL, LC-T, LC-R, LC-B): an unlabeled answer is tried in it.
RANK = 1

# An unlabeled answer that parses nowhere and starts so is taken for LC-T (then judged as LC-T).
GUESS_PREFIXES = ("{C:", "#", "@")


def dialect(text, err, expected, has_expected, show):
    """(class, reason) of a seed answer our LC-T refuses, or None: not valid in any known dialect."""
    if not text.isascii():
        return "wrong", "LC-T answer with non-ASCII text (LC-T is pure ASCII)"
    return None
