"""Imports between the core's modules go one way (issue 15, deliverable 5): ``service -> moe ->
answering / constrain`` (moe never imports service), and the compiler's rule reader
(``helixc.requests``) does not import the corpus generator (the explain split it shares with the
generator is ``helixc.knowledge``). Read from the source (every import, also inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path, package: str) -> set[str]:
    """Every module ``path`` imports (absolute names; ``from . import x`` gives ``package.x`` too)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_the_scan_sees_relative_and_function_level_imports():
    got = _imports(ROOT / "helixc" / "neural" / "service.py", "helixc.neural")
    assert "helixc.neural.moe" in got and "helixc.neural.answering" in got  # get_moe's import is inside a function


def test_moe_does_not_import_the_service():
    for mod in ("moe", "answering", "decode", "order", "slots", "data"):
        got = _imports(ROOT / "helixc" / "neural" / f"{mod}.py", "helixc.neural")
        assert "helixc.neural.service" not in got, mod
    assert "helixc.neural.moe" not in _imports(ROOT / "helixc" / "neural" / "answering.py", "helixc.neural")


def test_the_rule_reader_does_not_import_the_corpus_generator():
    for mod in ("requests", "knowledge", "catalog"):
        got = _imports(ROOT / "helixc" / f"{mod}.py", "helixc")
        assert not any(m.startswith("helixc_corpora") for m in got), (mod, sorted(got))


def test_the_backend_imports_the_contract_never_the_engine():
    # engine -> neural.service, one way: the backend takes TranslateRequest/TranslateResult from
    # helixc.translation
    for path in sorted((ROOT / "helixc" / "neural").glob("*.py")):
        got = _imports(path, "helixc.neural")
        assert not any(m == "helixc.engine" or m.startswith("helixc.engine.") for m in got), path.name
    assert "helixc.translation" in _imports(ROOT / "helixc" / "neural" / "service.py", "helixc.neural")
