"""A new notation gets its own specialist without retraining the rest (issue 15, deliverable 3).

The third-party example plugin (examples/helixc-json) is registered for the test, as its entry
point would register it; the corpus then has json rows (and every other route's rows stay byte for
byte what they were), and ``helixc train --add-notation json`` on a tiny models directory adds the
json adapter and a retrained coordinator while copying the base and every other adapter unchanged.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import helixc
from helixc.plugins import pm

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "helixc-json" / "helixc_json.py"
SIZES = {"train": 40, "val": 8, "test": 4, "test_novel": 4}


def _json_plugin():
    spec = importlib.util.spec_from_file_location("helixc_json_under_test", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def json_plugin(register):
    return register(_json_plugin(), "json-under-test")


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_a_plugin_notation_gets_corpus_rows_and_the_others_keep_theirs(tmp_path, json_plugin):
    from helixc_corpora import build
    from helixc_corpora import generator as G

    assert "json" in G.ROUTES and G.family_weights("json") == G.PLUGIN_FAMILY_WEIGHTS
    with_json = build(seed=0, out_dir=tmp_path / "with", sizes=SIZES)
    rows = [json.loads(line) for line in Path(with_json["paths"]["json"]["train"]).open(encoding="utf-8")]
    assert rows and all(r["route"] == "json" and r["target_notation"] == "json" for r in rows)
    for r in rows:  # the compiler's own JSON of the row's value: nothing JSON cannot hold
        assert helixc.emit(helixc.parse(r["value"], "hlxl"), "json") == r["output"]
        assert helixc.same(json.loads(r["output"]), helixc.parse(r["value"], "hlxl"))  # and Python's json reads it
    pm.unregister(json_plugin)
    assert "json" not in G.ROUTES
    plain = build(seed=0, out_dir=tmp_path / "plain", sizes=SIZES)
    assert set(with_json["paths"]) == set(plain["paths"]) | {"json"}
    for role, splits in plain["paths"].items():
        if role == "coordinator":
            continue  # it holds every route's rows, json's too
        for split, path in splits.items():
            assert Path(path).read_bytes() == Path(with_json["paths"][role][split]).read_bytes(), (role, split)


def test_add_notation_trains_one_specialist_and_the_router_and_copies_the_rest(tmp_path, json_plugin):
    pytest.importorskip("torch")
    pytest.importorskip("peft")
    from helixc_corpora import build

    from helixc.neural import COORDINATOR
    from helixc.neural.moe import MoE
    from helixc.neural.train import main

    tiny = ["--threads", "1", "--val-em-rows", "4", "--val-loss-rows", "8", "--p2-lr", "3e-3", "--max-len", "200",
            "--quiet", "--p2-max-steps", "2", "--p2-eval-every", "2"]
    # the models before the plugin: trained on a corpus without json rows
    pm.unregister(json_plugin)
    build(seed=0, out_dir=tmp_path / "c0", sizes=SIZES)
    src = tmp_path / "m0"
    assert main(["--corpus", str(tmp_path / "c0"), "--out", str(src), "--work", str(tmp_path / "w0"), "--size", "tiny",
                 "--vocab-size", "400", "--p1-max-steps", "2", "--p1-eval-every", "2", "--p1-lr", "3e-3",
                 "--adapters", COORDINATOR, "lc-r", "hlxl", *tiny]) == 0
    before = json.loads((src / "manifest.json").read_text())
    assert "json" not in before["adapters"][COORDINATOR]["labels"]
    # the plugin installed: its corpus rows, then one new specialist
    pm.register(json_plugin, name="json-under-test")
    build(seed=0, out_dir=tmp_path / "c1", sizes=SIZES)
    out = tmp_path / "m1"
    assert main(["--corpus", str(tmp_path / "c1"), "--out", str(out), "--work", str(tmp_path / "w1"),
                 "--add-notation", "json", "--models", str(src), *tiny]) == 0
    man = json.loads((out / "manifest.json").read_text())
    assert man["adapters"][COORDINATOR]["labels"] == before["adapters"][COORDINATOR]["labels"] + ["json"]
    assert man["adapters"]["json"]["grammar"] == "json" and man["adapters"]["json"]["kind"] == "notation"
    assert man["added"][-1]["notation"] == "json" and man["added"][-1]["adapters"] == [COORDINATOR, "json"]
    old, new = _files(src), _files(out)
    changed = {k for k in old if new.get(k) != old[k]}
    # the base and the lc-r / hlxl adapters are the same bytes; only the coordinator and the manifest change
    assert changed <= {"manifest.json"} | {k for k in old if k.startswith(f"adapters/{COORDINATOR}/")}, changed
    assert any(k.startswith("adapters/json/") for k in new) and "base/model.safetensors" not in changed
    # the same command again (this process's RNG is elsewhere now): the same bytes
    again = tmp_path / "m5"
    assert main(["--corpus", str(tmp_path / "c1"), "--out", str(again), "--work", str(tmp_path / "w5"),
                 "--add-notation", "json", "--models", str(src), *tiny]) == 0
    for name in (COORDINATOR, "json"):
        f = f"adapters/{name}/adapter_model.safetensors"
        assert (again / f).read_bytes() == (out / f).read_bytes(), f"{name}: a second run wrote other weights"
    moe = MoE(out)
    assert "json" in moe.routes() and "json" in moe.labels
    assert moe.route(["Convert [1, 2] to JSON"])[0] in moe.labels  # constrained to a label
    # asked twice, or for a notation no specialist can write: one clear error each, nothing written
    assert main(["--corpus", str(tmp_path / "c1"), "--out", str(tmp_path / "m2"), "--add-notation", "json",
                 "--models", str(out), *tiny]) == 2
    assert main(["--corpus", str(tmp_path / "c1"), "--out", str(tmp_path / "m3"), "--add-notation", "nope",
                 "--models", str(src), *tiny]) == 2
    assert not (tmp_path / "m2").exists() and not (tmp_path / "m3").exists()
    # a corpus without the notation's rows, an --out that holds files: refused before any training
    assert main(["--corpus", str(tmp_path / "c0"), "--out", str(tmp_path / "m4"), "--add-notation", "json",
                 "--models", str(src), *tiny]) == 2
    assert main(["--corpus", str(tmp_path / "c1"), "--out", str(out), "--add-notation", "json",
                 "--models", str(src), *tiny]) == 2
    assert not (tmp_path / "m4").exists()
