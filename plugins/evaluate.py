"""helixc built-in plugin: ``helixc eval`` and ``helixc bench``.

Heavy imports (the evaluation package, the MoE, matplotlib) happen inside the commands, so
loading this plugin costs nothing for ``helixc translate``.
"""

from __future__ import annotations

import click

from helixc.hookspecs import hookimpl


@hookimpl
def register_commands(cli):
    @cli.command(name="eval")
    @click.option("--split", default="test", show_default=True,
                  help="test, test_novel (the generated corpus; built if missing), or a JSONL FILE in the seed's "
                       "format (input/output, optional route).")
    @click.option("json_out", "--json", type=click.Path(dir_okay=False), help="Write every metric as JSON here.")
    @click.option("report", "--report", type=click.Path(dir_okay=False), help="Write a markdown report here.")
    @click.option("chart", "--chart", type=click.Path(dir_okay=False),
                  help="PNG bar chart of per-class routing accuracy (default: next to --report or --json).")
    @click.option("models", "--models", type=click.Path(file_okay=False), envvar="HELIXC_MODELS",
                  help="Model directory (default: the shipped models).")
    @click.option("router", "--router", default="moe", show_default=True,
                  help="Router to score: 'moe' (the trained coordinator), 'compiler-rules' (the rule-based request reader) or a registered router, e.g. seed-keyword.")
    @click.option("baseline", "--baseline", default="seed-keyword", show_default=True,
                  help="Router scored beside it on the same rows ('none' to skip).")
    @click.option("limit", "--limit", type=click.IntRange(min=1), help="Evaluate N rows spread evenly over the set.")
    @click.option("latency_samples", "--latency-samples", type=click.IntRange(min=0), default=50, show_default=True,
                  help="Single requests timed for the latency percentiles.")
    @click.option("batch_size", "--batch-size", type=click.IntRange(min=1), default=16, show_default=True)
    @click.option("no_moe", "--no-moe", is_flag=True,
                  help="Routing only: do not load the MoE (no specialist, end-to-end or latency figures).")
    @click.option("routing_only", "--routing-only", is_flag=True,
                  help="Score the routers only (loads the MoE's coordinator if --router moe; no generation).")
    @click.option("no_unconstrained", "--no-unconstrained", is_flag=True,
                  help="Skip the unconstrained specialist pass (halves the specialist time).")
    @click.option("engines", "--engines", default="auto", show_default=True,
                  help="Engines for the end-to-end pass, comma-separated: auto (neural, verified and corrected by the "
                       "compiler), neural (model alone), compiler (rule-based reader). The first is the headline.")
    @click.option("corpus_dir", "--corpus-dir", type=click.Path(file_okay=False),
                  help="Where the generated corpus lives (for the built-in split names).")
    def eval_cmd(split, json_out, report, chart, models, router, baseline, limit, latency_samples, batch_size,
                 no_moe, routing_only, no_unconstrained, engines, corpus_dir):
        """Accuracy of the English-request pipeline on held-out data: routing (overall, per class,
        confusion matrix) beside the seed's keyword rule, each specialist with and without the grammar
        constraint, end-to-end `translate --to auto`, explain answers against the knowledge base,
        latency p50/p95/p99 and peak RSS.

        \b
        Examples:
          helixc eval --split test --report eval-test.md --json eval-test.json
          helixc eval --split corpora/eval/seed_report_cases.jsonl
          helixc eval --split my_cases.jsonl --router seed-keyword --no-moe
        """
        from helixc.evaluation.cli import run_eval_command

        code = run_eval_command(split=split, json_out=json_out, report=report, chart=chart, models=models,
                                router=router, baseline=baseline, limit=limit, latency_samples=latency_samples,
                                batch_size=batch_size, no_moe=no_moe, no_unconstrained=no_unconstrained,
                                corpus_dir=corpus_dir, engines=engines, routing_only=routing_only)
        if code:
            raise SystemExit(code)

    @cli.command(name="bench")
    @click.option("only", "--only", multiple=True, help="Run only this benchmark (name like 'codec' or 'bench_codec'); repeatable.")
    @click.option("bench_dir", "--dir", type=click.Path(file_okay=False), help="Benchmark directory (default: ./benchmarks).")
    @click.option("out_dir", "--out", type=click.Path(file_okay=False), help="Results directory (default: DIR/results).")
    @click.option("timeout", "--timeout", type=click.IntRange(min=1), default=1800, show_default=True,
                  help="Seconds allowed per benchmark script.")
    def bench_cmd(only, bench_dir, out_dir, timeout):
        """Run benchmarks/bench_*.py (codec, constrained decoding, MoE, server) and write one summary table:
        DIR/results/summary.md and summary.json."""
        from helixc.evaluation.bench import main_run

        raise SystemExit(main_run(bench_dir=bench_dir, out_dir=out_dir, only=only, timeout=timeout))
