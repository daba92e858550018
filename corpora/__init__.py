"""helixc corpora: the corpus generator and the seed-corpus import.

    >>> import helixc_corpora
    >>> info = helixc_corpora.build(seed=0, out_dir="corpora/data/generated")
    >>> rows = list(helixc_corpora.generate_rows(seed=0, sizes={"train": 10, "val": 2, "test": 2, "test_novel": 2}))

See ``corpora/README.md`` for the row format, the split rule and the rules for ambiguous requests.
"""

from __future__ import annotations

from .generator import (
    DEFAULT_SIZES,
    SPLITS,
    build,
    coordinator_row,
    entry_forms,
    generate_rows,
    known_questions,
    load_knowledge,
    prompt,
    verify_row,
)



def __getattr__(name: str):
    if name == "ROUTES":  # from the registry of the moment (generator.__getattr__)
        from . import generator

        return generator.ROUTES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_SIZES",
    "ROUTES",
    "SPLITS",
    "build",
    "coordinator_row",
    "entry_forms",
    "generate_rows",
    "known_questions",
    "load_knowledge",
    "prompt",
    "verify_row",
]
