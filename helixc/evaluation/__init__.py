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

ROUTES = ("lc-b", "lc-r", "lc-t", "hlxl", "explain")
NOTATION_ROUTES = ("lc-b", "lc-r", "lc-t", "hlxl")
