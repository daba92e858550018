"""Report files: written atomically, and they say what the metrics say."""

from __future__ import annotations

import json
import os

import pytest

from helixc.evaluation import report as R


def test_atomic_write_replaces_whole_file(tmp_path):
    p = tmp_path / "sub" / "r.json"
    R.atomic_write_text(p, "old")
    R.atomic_write_text(p, "new")
    assert p.read_text() == "new"
    assert sorted(x.name for x in p.parent.iterdir()) == ["r.json"]  # no temp file left


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    p = tmp_path / "r.md"
    R.atomic_write_text(p, "previous report")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(R.os, "replace", boom)
    with pytest.raises(OSError):
        R.atomic_write_text(p, "half")
    assert p.read_text() == "previous report"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["r.md"]


def test_atomic_write_goes_through_a_temp_file_in_the_same_dir(tmp_path, monkeypatch):
    seen = []
    real = os.replace

    def spy(src, dst):
        seen.append((os.path.dirname(src), os.path.basename(src), str(dst)))
        assert open(src, "rb").read() == b"content"  # complete before it becomes visible
        real(src, dst)

    monkeypatch.setattr(R.os, "replace", spy)
    R.atomic_write_text(tmp_path / "out.json", "content")
    assert len(seen) == 1
    d, name, dst = seen[0]
    assert d == str(tmp_path) and name != "out.json" and dst == str(tmp_path / "out.json")


RESULT = {
    "dataset": {"name": "tiny", "path": "tiny.jsonl", "rows": 3, "labelled_rows": 3, "per_route": {},
                "malformed": 1, "malformed_rows": [{"line": 4, "reason": "invalid JSON"}]},
    "router": "fake",
    "routing": {
        "overall": {"correct": 2, "total": 3, "accuracy": 2 / 3},
        "per_class": {"lc-b": {"correct": 1, "total": 2, "accuracy": 0.5},
                      "lc-r": {"correct": 1, "total": 1, "accuracy": 1.0},
                      "lc-t": {"correct": 0, "total": 0, "accuracy": None}},
        "confusion": {"labels": ["lc-b", "lc-r", "lc-t"],
                      "matrix": {"lc-b": {"lc-b": 1, "lc-r": 1, "lc-t": 0}, "lc-r": {"lc-b": 0, "lc-r": 1, "lc-t": 0},
                                 "lc-t": {"lc-b": 0, "lc-r": 0, "lc-t": 0}}},
        "examples_wrong": [],
    },
    "memory": {"peak_rss_mb": 100.0},
    "notes": ["1 malformed row(s) not evaluated, lines 4"],
}


def test_reports_are_written(tmp_path):
    out = R.write_reports(RESULT, json_path=str(tmp_path / "r.json"), md_path=str(tmp_path / "r.md"),
                          chart_path=str(tmp_path / "r.png"))
    assert set(out) == {"json", "report", "chart"}
    assert json.loads((tmp_path / "r.json").read_text())["routing"]["overall"]["correct"] == 2
    md = (tmp_path / "r.md").read_text()
    assert "66.7% (2/3)" in md and "50.0% (1/2)" in md
    assert "n/a (0/0)" in md  # the empty class is not scored
    assert "| lc-b | 1 | 1 | 0 |" in md  # confusion-matrix row
    assert "invalid JSON" in md and "r.png" in md
    assert (tmp_path / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = R.render_text(RESULT)
    assert "66.7% (2/3)" in text and "malformed" in text
