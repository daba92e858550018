"""Import the seed's JSONL corpora: repair the seed's glyph shift, classify every row, report.

What the seed corpora do with one notation (their label for its answer lines, their corrupted
glyphs, their other dialects of it) is that notation's ``seed_dialect``
(``plugins/<name>/seed_dialect.py``, :func:`helixc.catalog.seed_dialects`); this module names none.

Classes (per unique row):

* ``valid``: every notation answer in the output parses in our profile (NOTATIONS.md), the
  parts agree on one value, and that value is the request's payload whenever the compiler can
  read one (``helixc.requests.read_request``, used here only to check, never to label).
* ``dialect``: nothing is wrong, but at least one part parses only in another HLX dialect (a
  notation's ``seed_dialect`` knows it).
* ``wrong``: a part is truncated (``...``), parses in no known dialect, carries commentary, or reads
  as a value other than the one requested (the reason is kept).
* ``prose``: a free-text answer (explanations, advice); the spec cannot check those, so they are
  counted and left out.

Valid rows with one notation answer are written in the generator's row format (output = the
canonical emission of the value, so a labeled ``null`` answer becomes ``null``), with ``split``
"train". The corpus seed decides which values are held out: use :func:`seed_training_rows` to drop
rows whose value belongs to another split of a generated corpus.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections import Counter
from pathlib import Path

from helixc import catalog, get_notation, same
from helixc.errors import E_INPUT, E_OUTPUT, E_PLUGIN, HelixError
from helixc.requests import read_request
from helixc.textparse import NUM_START

from .generator import prompt, value_split
from .valuegen import emit, parse, value_text

PROMPT_RE = re.compile(r"\A### Instruction:\n(.*)\n\n### Response:\n\Z", re.S)


class _Seed:
    """The seed's spellings of the registered notations that have a ``seed_dialect``, as tables."""

    def __init__(self, dialects: dict):
        self.dialects = dialects  # name -> seed dialect, in the seed's order
        self.by_label = {d.LABEL: name for name, d in dialects.items()}
        labels = "|".join(re.escape(label) for label in self.by_label)
        self.label = re.compile(rf"^({labels})\s*:\s?(.*)$")
        self.completion = re.compile(rf"Complete the (?:({labels})|HLX \w+)\s*:\s*(.*)\Z", re.S)
        self.default = next((name for name, d in dialects.items() if getattr(d, "DEFAULT", False)), None)
        self.repair = {k: v for d in dialects.values() for k, v in getattr(d, "GLYPH_REPAIR", {}).items()}
        # first characters of a notation answer: a number's, the notations' own, their seed dialects'
        self.starts = tuple(sorted(NUM_START) + [c for name, d in dialects.items()
                                                 for c in get_notation(name).start_chars + getattr(d, "START_CHARS", "")])
        self.guesses = [(name, d.GUESS_PREFIXES) for name, d in dialects.items() if getattr(d, "GUESS_PREFIXES", ())]


_SEED: list = [None]


def _seed() -> _Seed:
    dialects = catalog.seed_dialects()
    if _SEED[0] is None or _SEED[0].dialects is not dialects:
        _SEED[0] = _Seed(dialects)
    return _SEED[0]


def repair_glyphs(text: str) -> str:
    """``text`` with the seed's corrupted glyphs repaired (every ``seed_dialect.GLYPH_REPAIR``)."""
    return text.translate(_seed().repair)


def instruction_of(inp: str) -> tuple[str, bool]:
    m = PROMPT_RE.match(inp)
    return (m.group(1), True) if m else (inp, False)


def _reads_as(found, expected) -> str:
    return f"reads as {value_text(found)}, but the request's value is {value_text(expected)}"


def classify_part(text: str, notation: str, expected=None, has_expected=False) -> tuple[str, str, object]:
    """(class, reason, value) of one notation answer."""
    t = text.strip()
    if "..." in t or "\u2026" in t:
        return "wrong", "truncated ('...')", None
    d = _seed().dialects.get(notation)
    try:
        v = parse(t, notation)
    except HelixError as e:
        v, err = None, e
    else:
        if has_expected and not same(v, expected):
            misread = getattr(d, "misread", None)
            reason = misread(t, expected) if misread else None
            if reason:
                return "dialect", reason, None
            return "wrong", _reads_as(v, expected), v
        return "valid", "", v
    # not in our profile: other dialects, or wrong
    if "\\n" in re.sub(r'"(?:[^"\\\\]|\\\\.)*"', "", t):
        return "wrong", "literal backslash-n instead of a newline", None
    m = re.fullmatch(r"(.*?)\s+\(([^()]*)\)", t)
    if m:  # trailing commentary: judge the value, then call the row wrong for the commentary
        cls, reason, _ = classify_part(m.group(1), notation, expected, has_expected)
        if cls == "wrong":
            return cls, reason, None
        return "wrong", f"commentary after the answer: '({m.group(2)})'", None
    dialect = getattr(d, "dialect", None)
    found = dialect(t, err, expected, has_expected, value_text) if dialect else None
    if found:
        return found[0], found[1], None
    return "wrong", f"not valid {notation}: {err.message}", None


def split_output(output: str, target_hint: str | None) -> tuple[str, list[tuple[str, str]]]:
    """('parts' | 'prose' | 'mixed', [(notation, text)])."""
    seed = _seed()
    lines = output.split("\n")
    labeled = [seed.label.match(line) for line in lines]
    if all(labeled):
        parts = [(seed.by_label[m.group(1)], m.group(2)) for m in labeled]
        if any(_wordy(text) and not _parses_anywhere(text) for _, text in parts):
            return "prose", []
        return "parts", parts
    if any(labeled):
        return "mixed", []
    t = output.strip()
    if len(lines) > 1 or not t.startswith(seed.starts) or re.match(r"\d+\.\s", t):
        if not _parses_anywhere(t):
            return "prose", []
    if target_hint in seed.dialects:
        return "parts", [(target_hint, t)]
    for n in seed.dialects:
        if _parses_in(t, n):
            return "parts", [(n, t)]
    if t.startswith(seed.starts) and not _wordy(t):
        guess = next((n for n, prefixes in seed.guesses if t.startswith(prefixes)), seed.default)
        return "parts", [(guess, t)]
    return "prose", []


def _parses_in(t: str, notation: str) -> bool:
    try:
        parse(t, notation)
        return True
    except HelixError:
        return False


def _wordy(t: str) -> bool:
    """Three English words in a row outside quotes: prose, not a value."""
    bare = re.sub(r'"(?:[^"\\\\]|\\\\.)*"', "", t)
    return re.search(r"[A-Za-z]{2,}[ ,.;:/-]+[A-Za-z]{2,}[ ,.;:/-]+[A-Za-z]{2,}", bare) is not None


def _parses_anywhere(t: str) -> bool:
    return any(_parses_in(t, n) for n in _seed().dialects)


def classify_row(inp: str, out: str) -> dict:
    instruction, templated = instruction_of(inp)
    reading = read_request(instruction)
    hint = reading.target if reading.target not in (None, "explain") else None
    kind, parts = split_output(out, hint)
    if kind != "parts":
        return {"class": "prose", "reason": "free-text answer" if kind == "prose" else "notation mixed with prose",
                "parts": [], "instruction": instruction, "reading": reading}
    has_expected = reading.has_payload
    expected = reading.payload
    seed = _seed()
    m = seed.completion.match(instruction)
    if m:  # completion rows: the prefix in the request plus the answer must be one value
        notation = seed.by_label.get(m.group(1), seed.default)
        for joiner in ("", " "):
            if _parses_in(m.group(2) + joiner + out.strip(), notation):
                return {"class": "valid", "reason": "completion", "parts": [], "instruction": instruction,
                        "reading": reading, "completion": True}
        return {"class": "wrong", "reason": f"{notation}: completion does not form a value", "parts": [],
                "instruction": instruction, "reading": reading}
    if len(parts) == 1 and "\n" not in out and not has_expected and not _parses_anywhere(parts[0][1]) \
            and re.search(r"\?\s*$|^(?:what|which|how|why|describe|explain)\b", instruction.strip(), re.I):
        return {"class": "prose", "reason": "answer to a question about the notation", "parts": [],
                "instruction": instruction, "reading": reading}
    results = []
    for notation, text in parts:
        results.append((notation, text) + classify_part(text, notation, expected, has_expected))
    values = [r[4] for r in results if r[2] == "valid"]
    cls = "valid"
    reason = ""
    if any(r[2] == "wrong" for r in results):
        bad = next(r for r in results if r[2] == "wrong")
        cls, reason = "wrong", f"{bad[0]}: {bad[3]}"
    elif values and not all(same(v, values[0]) for v in values[1:]):
        cls, reason = "wrong", "the notation lines disagree on the value"
    elif any(r[2] == "dialect" for r in results):
        d = next(r for r in results if r[2] == "dialect")
        cls, reason = "dialect", f"{d[0]}: {d[3]}"
    return {"class": cls, "reason": reason, "parts": results, "instruction": instruction, "reading": reading}


# ---------------------------------------------------------------------------------------------


SEED_DIR = Path(__file__).resolve().parent / "seed"  # the seed corpora as published (corpora/seed/)


def default_seed_files() -> list[str]:
    """The seed corpora shipped with helixc (``corpora/seed/*.jsonl``, package ``helixc_corpora``)."""
    return sorted(str(p) for p in SEED_DIR.glob("*.jsonl"))


def import_seed(files: list[str] | None = None, out_path: str | None = None, report_path: str | None = None, *,
                force: bool = False, _isolate: bool | None = None) -> dict:
    """Classify the seed rows of ``files`` (default: :func:`default_seed_files`) and report.

    Writes the kept rows to ``out_path`` and the Markdown report to ``report_path`` when given
    (nothing by default); an existing file is only replaced with ``force=True``, so committed
    files are never overwritten by accident. The result depends on the files only: rows are read
    with the notations that have a ``seed_dialect`` (the four built-ins), whatever other notation
    plugins are loaded (when others are, the classification runs in a child process that loads the
    plugins of those notations alone).
    """
    files = [str(f) for f in files] if files else default_seed_files()
    if not files:
        raise HelixError(E_INPUT, f"no seed corpora given and none found in {SEED_DIR}")
    for target in (out_path, report_path):
        if target and Path(target).exists() and not force:
            raise HelixError(E_OUTPUT, f"{target} exists; name another output file, or pass force=True "
                                       f"(--force) to replace it")
    isolate = _isolate if _isolate is not None else not _only_seed_notations_registered()
    per_file, reasons_all, kept_rows, conflicts = (_classify_in_child if isolate else _classify_files)(files)
    md = render_report(per_file, reasons_all, len(kept_rows), conflicts, out_path)
    if out_path:
        _write_text(out_path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept_rows))
    if report_path:
        _write_text(report_path, md)
    return {"files": {n: dict(s) for n, s, _ in per_file}, "kept": len(kept_rows), "conflicts": conflicts,
            "markdown": md, "rows": kept_rows}


def _only_seed_notations_registered() -> bool:
    """Every registered notation has a ``seed_dialect``."""
    import helixc

    return sorted(helixc.notations()) == sorted(catalog.seed_dialects())


def _write_text(path: str, text: str) -> None:
    """Write through a temporary file in the same directory (the old file stays whole on error);
    plain open(), so the file mode follows the umask."""
    import os

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, p)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise HelixError(E_OUTPUT, f"cannot write {p}: {e.strerror or e}") from None


_CHILD = ("import json, sys; req = json.loads(sys.stdin.buffer.read().decode('utf-8')); sys.path[:] = req['path']; "
          "from helixc_corpora.seed_import import _child_main; _child_main(req)")


def _classify_in_child(files: list[str]):
    """:func:`_classify_files` in a fresh interpreter that loads only the plugins of the notations
    with a ``seed_dialect`` (their entry points)."""
    import os
    import subprocess
    import sys

    import helixc

    seed = sorted(catalog.seed_dialects())
    plugins = sorted({getattr(n, "plugin", n.name) for n in helixc.notations().values() if n.name in seed})
    env = dict(os.environ, HELIXC_LOAD_PLUGINS=",".join(plugins))
    req = json.dumps({"path": sys.path, "files": [str(Path(f).resolve()) for f in files], "notations": seed})
    proc = subprocess.run([sys.executable, "-I", "-c", _CHILD], input=req.encode("utf-8"), capture_output=True,
                          env=env, check=False)
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise HelixError(E_PLUGIN, f"classifying the seed rows with the seed's notations only failed: {tail[0]}")
    out = json.loads(proc.stdout.decode("utf-8"))
    per_file = [(name, Counter(stats), Counter(reasons)) for name, stats, reasons in out["per_file"]]
    return per_file, Counter(out["reasons"]), out["rows"], out["conflicts"]


def _child_main(req: dict) -> None:
    import sys

    import helixc

    if sorted(helixc.notations()) != req["notations"] or not _only_seed_notations_registered():
        raise SystemExit(f"expected the notations {req['notations']} only, have {sorted(helixc.notations())}")
    per_file, reasons_all, rows, conflicts = _classify_files(req["files"])
    out = {"per_file": [[n, dict(s), dict(r)] for n, s, r in per_file], "reasons": dict(reasons_all),
           "rows": rows, "conflicts": conflicts}
    sys.stdout.buffer.write(json.dumps(out, ensure_ascii=False).encode("utf-8"))


def _classify_files(files: list[str]):
    per_file = []
    kept_rows: list[dict] = []
    kept_inputs: dict[str, str] = {}
    conflicts = 0
    reasons_all: Counter = Counter()
    for f in files:
        name = Path(f).name
        stats = Counter()
        reasons: Counter = Counter()
        seen = set()
        with open(f, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                stats["rows"] += 1
                try:
                    raw = json.loads(line)
                    inp, out = raw["input"], raw["output"]
                except (ValueError, KeyError, TypeError):
                    stats["wrong"] += 1
                    reasons["not a JSON object with input/output"] += 1
                    continue
                if (inp, out) in seen:
                    stats["duplicates"] += 1
                    continue
                seen.add((inp, out))
                rin, rout = repair_glyphs(inp), repair_glyphs(out)
                if (rin, rout) != (inp, out):
                    stats["glyphs_repaired"] += 1
                c = classify_row(rin, rout)
                stats[c["class"]] += 1
                if c["class"] in ("wrong", "dialect"):
                    reasons[f"{c['class']}: {_reason_key(c['reason'])}"] += 1
                if c["class"] == "valid" and len(c["parts"]) == 1:
                    notation, text, _, _, value = c["parts"][0]
                    canon = emit(value, notation)
                    instr = c["instruction"]
                    row = {
                        "input": prompt(instr),
                        "output": canon,
                        "model_input": prompt(_normalize(instr)),
                        "route": notation,
                        "source_notation": c["reading"].payload_notation if c["reading"].has_payload else None,
                        "target_notation": notation,
                        "value": value_text(value),
                        "category": f"seed:{Path(name).stem}",
                        "template_id": None,
                        "split": "train",
                        "knowledge_id": None,
                        "knowledge_form": None,
                        "seed_output": out,
                        "repairs": [r for r, on in (("glyphs", (rin, rout) != (inp, out)),
                                                     ("label", text != rout.strip()),
                                                     ("canonical", canon != text.strip())) if on],
                    }
                    prev = kept_inputs.get(row["input"])
                    if prev is None:
                        kept_inputs[row["input"]] = canon
                        kept_rows.append(row)
                        stats["kept"] += 1
                    elif prev != canon:
                        conflicts += 1
                        stats["conflicts"] += 1
                    else:
                        stats["cross_file_duplicates"] += 1
        per_file.append((name, stats, reasons))
        reasons_all.update(reasons)
    return per_file, reasons_all, kept_rows, conflicts


def _normalize(instr: str) -> str:
    from helixc.requests import normalize_numbers

    return normalize_numbers(instr)


def _reason_key(reason: str) -> str:
    """Group reasons for the summary: drop the concrete values."""
    keys = [(r"reads as .*", "reads as a different value than the request's")]
    keys += [k for d in _seed().dialects.values() for k in getattr(d, "REASON_KEYS", ())]
    keys += [(r"not valid (\S+): .*", r"not valid \1 in any known dialect"),
             (r"commentary after the answer: .*", "commentary after the answer")]
    for pattern, repl in keys:
        reason = re.sub(pattern, repl, reason)
    return reason


COLUMNS = [("rows", "rows"), ("duplicates", "exact duplicates"), ("glyphs_repaired", "glyph-shift repaired"),
           ("valid", "parse in our profile"), ("dialect", "other dialect only"), ("wrong", "wrong"),
           ("prose", "prose (not checkable)"), ("kept", "kept for training")]


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, 95, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


def render_report(per_file, reasons_all: Counter, kept: int, conflicts: int, out_path) -> str:
    # the seed dialects' own words for their glyph repairs and their dialects, in route order
    seed = _seed().dialects
    dialects = [seed[name] for name in catalog.notation_routes() if name in seed]
    repairs = "; ".join(d.REPORT_REPAIRS for d in dialects if getattr(d, "REPORT_REPAIRS", ""))
    others = ", ".join(d.REPORT_DIALECTS for d in dialects if getattr(d, "REPORT_DIALECTS", ""))
    repairs = f" ({repairs})" if repairs else ""
    others = f" (the seed's {others})" if others else ""
    lines = [
        "# Seed corpora import",
        "",
        *_wrap("Generated by `helixc corpus import-seed` (plugins/corpus.py, corpora/seed_import.py) from the seed "
               "corpora as published, kept in `corpora/seed/`, with the four built-in notations only. Every row's "
               f"glyphs are repaired first{repairs}, then each unique row is classified:"),
        "",
        "- **parse in our profile**: every notation answer parses with helixc (docs/NOTATIONS.md), the",
        "  answers agree, and they equal the request's payload whenever the compiler can read one;",
        *_wrap(f"- **other dialect only**: nothing wrong, but some answer parses only in another HLX dialect{others};",
               "  "),
        "- **wrong**: truncated, unparseable in any known dialect, commentary after the answer, or a value",
        "  other than the one requested;",
        "- **prose**: free-text answers (explanations, advice) that no grammar can check.",
        "",
        "Duplicates are exact (input, output) repeats inside a file and are not classified again.",
        f"Kept for training: valid rows with a single notation answer, written in the generator's row format "
        f"(output = canonical emission) to `{out_path or '-'}`.",
        "",
        "| file | " + " | ".join(h for _, h in COLUMNS) + " |",
        "|---|" + "---:|" * len(COLUMNS),
    ]
    total = Counter()
    for name, stats, _ in per_file:
        total.update(stats)
        lines.append(f"| {name} | " + " | ".join(str(stats.get(k, 0)) for k, _ in COLUMNS) + " |")
    lines.append("| **total** | " + " | ".join(f"**{total.get(k, 0)}**" for k, _ in COLUMNS) + " |")
    lines += ["", f"Rows kept: {kept} (after dropping {total.get('cross_file_duplicates', 0)} cross-file duplicates; "
              f"{conflicts} inputs had conflicting answers across files and only the first was kept).", "",
              "## Reasons (wrong and dialect rows, all files)", "", "| reason | rows |", "|---|---:|"]
    for reason, n in sorted(reasons_all.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"| {reason.replace('|', '/')} | {n} |")
    lines += ["", "## Per file", ""]
    for name, stats, reasons in per_file:
        if not reasons:
            continue
        lines.append(f"**{name}**: " + "; ".join(f"{r} ({n})" for r, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def seed_training_rows(path: str | Path = Path(__file__).parent / "data" / "seed-repaired.jsonl", seed: int = 0) -> list[dict]:
    """Repaired seed rows usable as extra training data for the corpus built with `seed`.

    Dropped, so nothing leaks into the held-out splits: rows whose value the split hash puts
    outside train, and rows whose wording a test_novel template could have produced (the seed's
    "Convert to <notation>: ..." is the novel template ``conv.050``)."""
    from .templates import matches_novel_template

    p = Path(path)
    if not p.exists():
        return []
    rows = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if value_split(r["value"], seed) == "train"
            and matches_novel_template(instruction_of(r["input"])[0]) is None]
