"""benchmarks/run_all machinery on a throw-away benchmark directory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helixc.evaluation import bench


def _script(d: Path, name: str, body: str):
    (d / f"{name}.py").write_text(body, encoding="utf-8")


def test_run_all_summary(tmp_path):
    bd = tmp_path / "benchmarks"
    bd.mkdir()
    _script(bd, "bench_codec", "import json, os\n"
            "json.dump({'encode': {'ops_per_s': 12345.6, 'p50_us': 3.2}, 'rows': [1, 2]}, open(os.environ['HELIXC_BENCH_JSON'], 'w'))\n")
    _script(bd, "bench_moe", "print('warming up')\nprint('{\"p50_ms\": 41.5, \"routing_acc\": 0.99}')\n")
    _script(bd, "bench_serve", "import sys\nprint('boom', file=sys.stderr)\nsys.exit(3)\n")
    _script(bd, "bench_extra", "print('no json here')\n")
    out = tmp_path / "results"
    summary = bench.run_all(bd, out, echo=lambda m: None)
    by = {b["name"]: b for b in summary["benchmarks"]}
    assert [b["name"] for b in summary["benchmarks"]] == ["bench_codec", "bench_constrain", "bench_moe", "bench_serve",
                                                          "bench_extra"]
    assert by["bench_constrain"]["status"] == "missing"
    assert by["bench_codec"]["status"] == "ok" and by["bench_codec"]["metrics"]["encode.ops_per_s"] == 12345.6
    assert by["bench_codec"]["metrics"]["rows"] == "1, 2"
    assert by["bench_moe"]["metrics"] == {"p50_ms": 41.5, "routing_acc": 0.99}
    assert by["bench_serve"]["status"] == "failed" and by["bench_serve"]["returncode"] == 3
    assert "boom" in (out / "bench_serve.log").read_text()
    assert by["bench_extra"]["metrics"] == {} and by["bench_extra"]["stdout_tail"] == ["no json here"]
    md = (out / "summary.md").read_text()
    assert "| bench_constrain | not present |" in md and "encode.ops_per_s=12345.6" in md and "failed (rc 3)" in md
    assert json.loads((out / "summary.json").read_text())["benchmarks"][0]["name"] == "bench_codec"


def test_only_filter(tmp_path):
    bd = tmp_path / "benchmarks"
    bd.mkdir()
    _script(bd, "bench_codec", "print('{\"x\": 1}')\n")
    _script(bd, "bench_moe", "raise SystemExit('should not run')\n")
    summary = bench.run_all(bd, tmp_path / "r", only=("codec",), echo=lambda m: None)
    assert [b["name"] for b in summary["benchmarks"]] == ["bench_codec"]


def test_run_all_script_is_executable_and_has_help():
    root = Path(__file__).resolve().parents[1]
    script = root / "benchmarks" / "run_all"
    assert script.stat().st_mode & 0o111
    r = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "summary" in r.stdout


def test_results_file_by_the_scripts_own_convention(tmp_path):
    bd = tmp_path / "benchmarks"
    bd.mkdir()
    _script(bd, "bench_codec", "import json, os\n"
            "d = {'python': '3.11', 'rows': [{'notation': 'lc-b', 'op': 'encode', 'ratio_to_json': 1.5}],\n"
            "     'cli': {'median_ms': 120.0, 'meets_target': True}}\n"
            "json.dump(d, open(os.path.join(os.environ['HELIXC_BENCH_OUT'], 'codec.json'), 'w'))\n")
    out = tmp_path / "results"
    summary = bench.run_all(bd, out, only=("codec",), echo=lambda m: None)
    b = summary["benchmarks"][0]
    assert b["results_from"] == "codec.json"
    assert b["key_metrics"] == {"cli.median_ms": 120.0, "cli.meets_target": True}
    md = (out / "summary.md").read_text()
    assert "cli.median_ms=120" in md and "| lc-b | encode | 1.5 |" in md
