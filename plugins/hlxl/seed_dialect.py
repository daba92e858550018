"""How the seed corpora (``corpora/seed/``) write HLXL, for their import (corpora/seed_import.py).

The seed's HLXL answers are in our profile: this module only says how the seed labels them and
that HLXL is the seed's default notation.
"""

# The seed's label of an HLXL answer line ("HLXL: [1, 2]").
LABEL = "HLXL"

# Place in the seed's own order (its all-format answers list HLXL, LC-T, LC-R, LC-B): an unlabeled
# answer is tried in the notations in this order.
RANK = 0

# The seed's default notation: an unlabeled answer that starts like notation text, parses nowhere and
# starts like no other notation's answers, and a "Complete the HLX ...:" request without a notation
# label, are HLXL.
DEFAULT = True
