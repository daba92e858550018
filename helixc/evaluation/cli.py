"""The body of ``helixc eval`` (the click command lives in ``plugins/evaluate.py``)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from ..errors import HelixError
from . import data as D
from . import report as R
from . import runner


def _progress(msg: str) -> None:
    click.echo(f"[eval] {msg}", err=True)


def _default_chart(report: str | None, json_out: str | None) -> str | None:
    base = report or json_out
    if not base:
        return None
    p = Path(base)
    return str(p.with_name(p.stem + "-routing.png"))


def run_eval_command(*, split: str, json_out: str | None = None, report: str | None = None, chart: str | None = None,
                     models: str | None = None, router: str = "moe", baseline: str | None = "seed-keyword",
                     limit: int | None = None, latency_samples: int = 50, batch_size: int = 16,
                     no_moe: bool = False, no_unconstrained: bool = False, corpus_dir: str | None = None,
                     engines: str = "auto", routing_only: bool = False) -> int:
    engine_list = [e.strip() for e in engines.split(",") if e.strip()]
    bad = [e for e in engine_list if e not in ("auto", "neural", "compiler")]
    if bad or not engine_list:
        raise click.UsageError(f"--engines takes a comma-separated list of auto, neural, compiler (got {engines!r})")
    from . import blind

    if Path(split).is_file() and blind.sniff_format(split) is not None:
        # blind free-English or garbage rows: coverage, precision of answered, end to end, garbage answered
        res = blind.evaluate_file(split, models_dir=models, batch_size=max(batch_size, 32), progress=_progress)
        click.echo(blind.render(res["scores"]), nl=False)
        for w in res["wrong_answers"][:20]:
            click.echo(f"  wrong: {w['request']!r} (to {w['to']}) -> {w['output']!r}", err=True)
        if json_out:
            Path(json_out).write_text(blind.to_json(res), encoding="utf-8")
            click.echo(f"wrote json: {json_out}", err=True)
        return 0
    evalset = D.load_split(split, corpus_dir)
    if limit is not None:
        evalset = D.EvalSet(evalset.name, evalset.path, runner.spread_sample(evalset.rows, limit), evalset.malformed)
    if evalset.malformed:
        lines = ", ".join(m.where for m in evalset.malformed[:20])
        click.echo(f"helixc: warning: {len(evalset.malformed)} malformed row(s) in {evalset.path} "
                   f"(lines {lines}{' ...' if len(evalset.malformed) > 20 else ''}); they are reported, not evaluated",
                   err=True)
    if not evalset.rows:
        raise HelixError(D.E_EVAL_INPUT, f"no valid row in {evalset.path} ({len(evalset.malformed)} malformed)")

    moe = None
    moe_error = None
    if no_moe and engine_list == ["compiler"]:
        moe = runner.CompilerOnly()  # end to end through the rule-based reader alone, no model
    elif not no_moe:
        try:
            moe = runner.load_moe(models)
        except HelixError as e:
            if router in runner.MOE_ROUTER_NAMES:
                raise
            moe_error = str(e)
    if router in runner.MOE_ROUTER_NAMES and (moe is None or isinstance(moe, runner.CompilerOnly)):
        raise HelixError(runner.E_EVAL_ROUTER, "--router moe needs the models; use --router seed-keyword with --no-moe "
                                              "for a routing-only run")
    the_router = moe if router in runner.MOE_ROUTER_NAMES else runner.get_router(router, lambda: moe)
    base = None
    if baseline and baseline.lower() != "none" and baseline != router:
        base = runner.get_router(baseline, lambda: moe)
    kb = D.load_knowledge()
    res = runner.evaluate(
        evalset, router=the_router, router_name=router, moe=moe, moe_error=moe_error, baseline=base, kb=kb,
        latency_samples=latency_samples, batch_size=batch_size, engines=engine_list,
        constrained_modes=(True,) if no_unconstrained else (True, False), progress=_progress,
        routing_only=routing_only,
    )
    command = "helixc " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["eval"] else None
    res["command"] = command
    click.echo(R.render_text(res), nl=False)
    chart = chart or _default_chart(report, json_out)
    written = R.write_reports(res, json_path=json_out, md_path=report, chart_path=chart, command=command)
    for kind, path in written.items():
        click.echo(f"wrote {kind}: {path}", err=True)
    return 0
