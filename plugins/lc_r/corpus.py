"""How the corpus generator phrases LC-R's route (corpora/generator.py); its payloads are the
canonical text (no writer of its own).

The shipped models were trained on the corpus these make (the weights and their order): change
them only with a retrain.
"""

# Phrasing families of the route's rows and their weights (the order is part of the draws).
FAMILY_WEIGHTS = {"conv": 42, "number": 14, "digits": 4, "words": 40}

# Place among the notations the corpus gives payloads in (the conversion rows of every route).
SOURCE_RANK = 2
