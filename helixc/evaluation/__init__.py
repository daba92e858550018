"""Evaluation of helixc's English-request pipeline (``helixc eval``) and the benchmark runner
(``helixc bench`` / ``benchmarks/run_all``).

* :mod:`.data`     reads eval sets (JSONL in the seed's format, or a generated corpus split),
                   reporting every malformed row by line number.
* :mod:`.metrics`  pure metric functions (accuracy, confusion matrix, percentiles, ...).
* :mod:`.runner`   runs a router and the MoE over an eval set and collects every metric.
* :mod:`.report`   console table, markdown report, JSON, PNG chart; all written atomically.
* :mod:`.seed_cases` the seed report's own test cases with our expected answers.
* :mod:`.bench`    runs ``benchmarks/bench_*.py`` and writes the summary table.

Nothing here imports torch; the MoE is loaded through ``helixc.neural.service.get_moe`` only
when a run needs it.
"""



def routes() -> tuple[str, ...]:
    """The route labels scored, in the coordinator's order (:func:`helixc.catalog.routes`: the
    registered notations by route rank, explain, then plugin notations), from the registry of the moment."""
    from .. import catalog

    return catalog.routes()


def __getattr__(name: str):
    if name == "ROUTES":
        return routes()
    if name == "NOTATION_ROUTES":
        from .. import catalog

        return catalog.notation_routes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
