"""One small real run of `helixc eval` on the shipped models (skipped until models/default exists)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models" / "default"

pytestmark = pytest.mark.skipif(not (MODELS / "manifest.json").is_file(), reason="models/default not trained yet")


def test_eval_seed_report_cases_on_the_shipped_models(tmp_path):
    pytest.importorskip("torch")
    from helixc.cli import cli

    out = tmp_path / "seed.json"
    r = CliRunner().invoke(cli, ["eval", "--split", str(ROOT / "corpora" / "eval" / "seed_report_cases.jsonl"),
                                 "--models", str(MODELS), "--latency-samples", "2", "--json", str(out)])
    assert r.exit_code == 0, r.output
    res = json.loads(out.read_text())
    assert res["dataset"]["rows"] == 9 and res["dataset"]["malformed"] == 0
    assert res["routing"]["overall"]["total"] == 9
    assert res["baseline_routing"]["overall"]["correct"] == 3  # the seed's rule, as in test_seed_keyword
    con = res["specialists"]["modes"]["constrained"]
    # Under the grammar constraint every notation answer parses (the 100% target).
    for route in ("lc-b", "lc-r"):
        assert con["per_specialist"][route]["grammar_valid"]["accuracy"] == 1.0
    assert res["end_to_end"]["overall"]["total"] == 9
    assert res["latency_ms"]["samples"] == 2
    assert len(res["per_row"]) == 9
