"""Import the seed's JSONL corpora: repair the 0x300 glyph shift, classify every row, report.

Classes (per unique row):

* ``valid``: every notation answer in the output parses in our profile (NOTATIONS.md), the
  parts agree on one value, and that value is the request's payload whenever the compiler can
  read one (``helixc.requests.read_request``, used here only to check, never to label).
* ``dialect``: nothing is wrong, but at least one part parses only in another HLX dialect (the
  seed's bracket LC-B ``[c:1000:...]``, LC-B hex with ULEB ints, BRAIN/PY LC-R ``᛭"..."``, HLXL
  braces in an LC-R answer).
* ``wrong``: a part is truncated (``...``), parses in no known dialect, carries commentary, or reads
  as a value other than the one requested (the reason is kept).
* ``prose``: a free-text answer (explanations, advice); the spec cannot check those, so they are
  counted and left out.

Valid rows with one notation answer are written in the generator's row format (output = the
canonical emission of the value, so ``HLXL: null`` becomes ``null``), with ``split`` "train".
The corpus seed decides which values are held out: use :func:`seed_training_rows` to drop rows
whose value belongs to another split of a generated corpus.
"""

from __future__ import annotations

import json
import re
import struct
from collections import Counter
from pathlib import Path

from helixc import same
from helixc.errors import E_INPUT, E_OUTPUT, E_PLUGIN, HelixError
from helixc.requests import read_request

from .generator import prompt, value_split
from .valuegen import emit, parse

# The seed's animal emoji are the LC-R glyphs shifted down by 0x300 (NOTATIONS.md section 2).
LCR_GLYPHS = (0x1F701, 0x1F702, 0x1F703, 0x1F704, 0x1F70A)
GLYPH_REPAIR = {cp - 0x300: cp for cp in LCR_GLYPHS}

LABEL = re.compile(r"^(HLXL|LC-T|LC-R|LC-B)\s*:\s?(.*)$")
LABEL_NAMES = {"HLXL": "hlxl", "LC-T": "lc-t", "LC-R": "lc-r", "LC-B": "lc-b"}
PROMPT_RE = re.compile(r"\A### Instruction:\n(.*)\n\n### Response:\n\Z", re.S)
_NOTATION_START = tuple('[{"#@&-0123456789' + "\u2205\u22a4\u22a5\u22a0\u27c1\U0001f703\U0001f70a\u25c7\u16ed")


def repair_glyphs(text: str) -> str:
    return text.translate(GLYPH_REPAIR)


def instruction_of(inp: str) -> tuple[str, bool]:
    m = PROMPT_RE.match(inp)
    return (m.group(1), True) if m else (inp, False)


# ---------------------------------------------------------------------------------------------
# Other dialects


def _uleb_int_decode(hextext: str):
    """LC-B hex whose ints are ULEB128 (unsigned) instead of SLEB128: scalars, arrays, contracts."""
    data = bytes.fromhex(re.sub(r"\s+", "", hextext))
    pos = 0

    def uleb():
        nonlocal pos
        n = shift = 0
        while True:
            b = data[pos]
            pos += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return n

    def value():
        nonlocal pos
        tag = data[pos]
        pos += 1
        if tag == 0x01:
            return uleb()
        if tag == 0x00:
            return None
        if tag in (0x0A, 0x0B):
            return tag == 0x0A
        if tag == 0x03:
            n = uleb()
            s = data[pos:pos + n].decode("utf-8")
            pos += n
            return s
        if tag == 0x05:
            out = []
            while data[pos] != 0x06:
                out.append(value())
            pos += 1
            return out
        raise ValueError(tag)

    v = value()
    if pos != len(data):
        raise ValueError("trailing bytes")
    return v


def _bracket_lcb_value(t: str):
    """The few seed bracket-LC-B forms with a definite value; None when the form has none."""
    m = re.fullmatch(r"\[(_|T|F)\]", t)
    if m:
        return {"_": None, "T": True, "F": False}[m.group(1)], True
    m = re.fullmatch(r"\[(?:int(\d+):)?0x([0-9A-Fa-f]+)\]", t)
    if m:
        n = int(m.group(2), 16)
        width = int(m.group(1)) if m.group(1) else 4 * len(m.group(2))
        signed = n - (1 << width) if n >> (width - 1) & 1 else n
        return (n, signed), True
    m = re.fullmatch(r"\[float64:0x([0-9A-Fa-f]{16})\]", t)
    if m:
        return struct.unpack(">d", bytes.fromhex(m.group(1)))[0], True
    m = re.fullmatch(r"\[str:([0-9A-Fa-f]*)\]", t)
    if m and len(m.group(1)) % 2 == 0:
        try:
            return bytes.fromhex(m.group(1)).decode("utf-8"), True
        except UnicodeDecodeError:
            return None, False
    return None, False


def _matches(found, expected) -> bool:
    if type(found) is tuple:  # (unsigned, signed) readings of a bracket hex int
        return any(same(f, expected) for f in found)
    return same(found, expected)


def classify_part(text: str, notation: str, expected=None, has_expected=False) -> tuple[str, str, object]:
    """(class, reason, value) of one notation answer."""
    t = text.strip()
    if "..." in t or "\u2026" in t:
        return "wrong", "truncated ('...')", None
    try:
        v = parse(t, notation)
    except HelixError as e:
        v, err = None, e
    else:
        if has_expected and not same(v, expected):
            if notation == "lc-b":
                try:
                    uv = _uleb_int_decode(t)
                except Exception:
                    uv = None
                if uv is not None and same(uv, expected):
                    return "dialect", "LC-B with ULEB128 ints (codex T0 style)", None
            return "wrong", f"reads as {emit(v, 'hlxl')}, but the request's value is {emit(expected, 'hlxl')}", v
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
    if notation == "lc-t" and not t.isascii():
        return "wrong", "LC-T answer with non-ASCII text (LC-T is pure ASCII)", None
    if notation == "lc-b":
        if t.startswith("[") and t.endswith("]"):
            bv, definite = _bracket_lcb_value(t)
            if definite and has_expected and not _matches(bv, expected):
                shown = bv[0] if type(bv) is tuple else bv
                return "wrong", f"bracket LC-B {t} encodes {shown!r}, not {emit(expected, 'hlxl')}", None
            return "dialect", "seed bracket LC-B ([c:...], [arr:...], [0x..])", None
        if re.fullmatch(r"(?:[0-9A-Fa-f]{2}\s*)+", t):
            try:
                uv = _uleb_int_decode(t)
            except Exception:
                uv = None
            if uv is not None or not has_expected:
                if not has_expected or same(uv, expected):
                    return "dialect", "LC-B with ULEB128 ints (codex T0 style)", None
    if notation == "lc-r":
        if t.startswith("\u16ed"):
            return "dialect", "BRAIN/PY LC-R (\u16ed prefix)", None
        if "{" in t and "\U0001f701" not in t.split("{", 1)[1].split("}", 1)[0]:
            braced = t.replace("{", "\u25c7").replace("}", "\u25c6")
            try:
                bv = parse(braced, "lc-r")
            except HelixError as e2:
                bv = e2
            if not isinstance(bv, HelixError):
                if has_expected and not same(bv, expected):
                    return "wrong", f"reads as {emit(bv, 'hlxl')}, but the request's value is {emit(expected, 'hlxl')}", None
                return "dialect", "HLXL map braces inside an LC-R answer (phase-1 hybrid)", None
            if bv.code == "E_KEY_ORDER":
                return "dialect", "HLXL map braces inside an LC-R answer (phase-1 hybrid)", None
        if err.code == "E_KEY_ORDER":
            return "dialect", "LC-R map keys out of code-point order (order-insensitive dialect)", None
        if "{" in t:
            try:
                hv = parse(t, "hlxl")
            except HelixError:
                hv = None
            if hv is not None and (not has_expected or same(hv, expected)):
                return "dialect", "HLXL braces inside an LC-R answer (phase-1 hybrid)", None
            if "\U0001f701" in t:
                return "dialect", "phase-1 hybrid LC-R object {\U0001f701i v}", None
    return "wrong", f"not valid {notation}: {err.message}", None


def split_output(output: str, target_hint: str | None) -> tuple[str, list[tuple[str, str]]]:
    """('parts' | 'prose' | 'mixed', [(notation, text)])."""
    lines = output.split("\n")
    labeled = [LABEL.match(line) for line in lines]
    if all(labeled):
        parts = [(LABEL_NAMES[m.group(1)], m.group(2)) for m in labeled]
        if any(_wordy(text) and not _parses_anywhere(text) for _, text in parts):
            return "prose", []
        return "parts", parts
    if any(labeled):
        return "mixed", []
    t = output.strip()
    if len(lines) > 1 or not t.startswith(_NOTATION_START) or re.match(r"\d+\.\s", t):
        if not _parses_anywhere(t):
            return "prose", []
    if target_hint in LABEL_NAMES.values():
        return "parts", [(target_hint, t)]
    for n in ("hlxl", "lc-t", "lc-r", "lc-b"):
        try:
            parse(t, n)
            return "parts", [(n, t)]
        except HelixError:
            continue
    if t.startswith(_NOTATION_START) and not _wordy(t):
        if t.startswith(("\U0001f70a", "\U0001f703", "\u27c1", "\u25c7", "\u16ed", "\u2205", "\u22a4", "\u22a5")):
            return "parts", [("lc-r", t)]
        if t.startswith(("{C:", "#", "@")):
            return "parts", [("lc-t", t)]
        return "parts", [("hlxl", t)]
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
    for n in ("hlxl", "lc-t", "lc-r", "lc-b"):
        try:
            parse(t, n)
            return True
        except HelixError:
            pass
    return False


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
    m = re.match(r"Complete the (?:(HLXL|LC-T|LC-R|LC-B)|HLX \w+)\s*:\s*(.*)\Z", instruction, re.S)
    if m:  # completion rows: the prefix in the request plus the answer must be one value
        notation = LABEL_NAMES.get(m.group(1) or "HLXL", "hlxl")
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
BUILTIN_NOTATIONS = ("hlxl", "lc-b", "lc-r", "lc-t")
_BUILTIN_ENTRY_POINTS = "hlxl,lc_t,lc_r,lc_b"  # pyproject's [project.entry-points.helixc] names


def default_seed_files() -> list[str]:
    """The seed corpora shipped with helixc (``corpora/seed/*.jsonl``, package ``helixc_corpora``)."""
    return sorted(str(p) for p in SEED_DIR.glob("*.jsonl"))


def import_seed(files: list[str] | None = None, out_path: str | None = None, report_path: str | None = None, *,
                force: bool = False, _isolate: bool | None = None) -> dict:
    """Classify the seed rows of ``files`` (default: :func:`default_seed_files`) and report.

    Writes the kept rows to ``out_path`` and the Markdown report to ``report_path`` when given
    (nothing by default); an existing file is only replaced with ``force=True``, so committed
    files are never overwritten by accident. The result depends on the files only: rows are read
    with the four built-in notations, whatever other notation plugins are loaded (when others are,
    the classification runs in a child process that loads the built-ins alone).
    """
    files = [str(f) for f in files] if files else default_seed_files()
    if not files:
        raise HelixError(E_INPUT, f"no seed corpora given and none found in {SEED_DIR}")
    for target in (out_path, report_path):
        if target and Path(target).exists() and not force:
            raise HelixError(E_OUTPUT, f"{target} exists; name another output file, or pass force=True "
                                       f"(--force) to replace it")
    isolate = _isolate if _isolate is not None else not _only_builtins_registered()
    per_file, reasons_all, kept_rows, conflicts = (_classify_in_child if isolate else _classify_files)(files)
    md = render_report(per_file, reasons_all, len(kept_rows), conflicts, out_path)
    if out_path:
        _write_text(out_path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept_rows))
    if report_path:
        _write_text(report_path, md)
    return {"files": {n: dict(s) for n, s, _ in per_file}, "kept": len(kept_rows), "conflicts": conflicts,
            "markdown": md, "rows": kept_rows}


def _only_builtins_registered() -> bool:
    import helixc

    return tuple(sorted(helixc.notations())) == BUILTIN_NOTATIONS


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
    """:func:`_classify_files` in a fresh interpreter that loads only the built-in notation plugins."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, HELIXC_LOAD_PLUGINS=_BUILTIN_ENTRY_POINTS)
    req = json.dumps({"path": sys.path, "files": [str(Path(f).resolve()) for f in files]})
    proc = subprocess.run([sys.executable, "-I", "-c", _CHILD], input=req.encode("utf-8"), capture_output=True,
                          env=env, check=False)
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise HelixError(E_PLUGIN, f"classifying the seed rows with the built-in notations only failed: {tail[0]}")
    out = json.loads(proc.stdout.decode("utf-8"))
    per_file = [(name, Counter(stats), Counter(reasons)) for name, stats, reasons in out["per_file"]]
    return per_file, Counter(out["reasons"]), out["rows"], out["conflicts"]


def _child_main(req: dict) -> None:
    import sys

    if not _only_builtins_registered():
        import helixc

        raise SystemExit(f"expected the built-in notations only, have {sorted(helixc.notations())}")
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
                        "value": emit(value, "hlxl"),
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
    r = re.sub(r"reads as .*", "reads as a different value than the request's", reason)
    r = re.sub(r"bracket LC-B .* encodes .*", "bracket LC-B encodes a different value than the request's", r)
    r = re.sub(r"not valid (\S+): .*", r"not valid \1 in any known dialect", r)
    r = re.sub(r"commentary after the answer: .*", "commentary after the answer", r)
    return r


COLUMNS = [("rows", "rows"), ("duplicates", "exact duplicates"), ("glyphs_repaired", "glyph-shift repaired"),
           ("valid", "parse in our profile"), ("dialect", "other dialect only"), ("wrong", "wrong"),
           ("prose", "prose (not checkable)"), ("kept", "kept for training")]


def render_report(per_file, reasons_all: Counter, kept: int, conflicts: int, out_path) -> str:
    lines = [
        "# Seed corpora import",
        "",
        "Generated by `helixc corpus import-seed` (plugins/corpus.py, corpora/seed_import.py) from the",
        "seed corpora as published, kept in `corpora/seed/`, with the four built-in notations only.",
        "Every row's glyphs are repaired first (the seed's U+1F40A/01/02/03/04 are the LC-R glyphs",
        "U+1F70A/01/02/03/04 shifted by 0x300, docs/NOTATIONS.md section 2), then each unique row is",
        "classified:",
        "",
        "- **parse in our profile**: every notation answer parses with helixc (docs/NOTATIONS.md), the",
        "  answers agree, and they equal the request's payload whenever the compiler can read one;",
        "- **other dialect only**: nothing wrong, but some answer parses only in another HLX dialect",
        "  (the seed's bracket LC-B `[c:900:...]`, LC-B hex with ULEB ints, BRAIN/PY LC-R, HLXL braces",
        "  in LC-R);",
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
    "Convert to LC-T: ..." is the novel template ``conv.050``)."""
    from .templates import matches_novel_template

    p = Path(path)
    if not p.exists():
        return []
    rows = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if value_split(r["value"], seed) == "train"
            and matches_novel_template(instruction_of(r["input"])[0]) is None]
