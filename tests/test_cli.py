"""``helixc translate`` end to end: directions, detection, aliases, LC-B in/out, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import helixc
from helixc.cli import cli

from test_notation_table import NAMES, ROWS

ALIASES = {
    "lc-r": ["lc-r", "lcr", "runic", "LC-R", "LCR", "Runic"],
    "lc-b": ["lc-b", "lcb", "binary", "LC-B", "LCB", "BINARY"],
    "lc-t": ["lc-t", "lct", "LC-T", "LcT"],
    "hlxl": ["hlxl", "HLXL", "Hlxl"],
}


@pytest.fixture
def runner():
    return CliRunner()


def run(runner, *args, input=None):
    return runner.invoke(cli, list(args), input=input, catch_exceptions=False)


def assert_clean_error(res, code):
    """Exit 2, one error line (plus an optional caret excerpt), no traceback."""
    assert res.exit_code == 2, (res.exit_code, res.output)
    err = res.stderr
    assert "Traceback" not in err and "Traceback" not in res.stdout
    lines = err.rstrip("\n").split("\n")
    assert lines[0].startswith(f"helixc: error: {code}"), err
    assert len(lines) in (1, 3), err  # the line, or the line + excerpt + caret
    if len(lines) == 3:
        assert lines[2].strip() == "^"


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_translate_every_direction(runner, row):
    label, value, texts = row
    for a in range(4):
        for b in range(4):
            res = run(runner, "translate", "--from", NAMES[a], "--to", NAMES[b], "--text", texts[a])
            assert res.exit_code == 0, res.output
            assert res.stdout == texts[b] + "\n"


# The one canonical text of the table that two notations read as different values.
AMBIGUOUS = {"{C:1}"}  # LC-T: empty contract 1; HLXL: the map {C: 1}


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_detection_on_every_canonical_form(runner, row):
    label, value, texts = row
    for a, text in enumerate(texts):
        readings = {}
        for name in NAMES:
            try:
                readings[name] = helixc.parse(text, name)
            except helixc.HelixError:
                pass
        distinct = {helixc.emit(v, "lc-b") for v in readings.values()}
        for b in range(4):
            res = run(runner, "translate", "--to", NAMES[b], "--text", text)
            if len(distinct) > 1:
                assert text in AMBIGUOUS
                assert_clean_error(res, "E_AMBIGUOUS")
                assert "--from" in res.stderr
                for name in readings:
                    assert name in res.stderr
            else:
                assert res.exit_code == 0, res.output
                assert res.stdout == texts[b] + "\n"


def test_ambiguous_is_resolved_by_from(runner):
    assert run(runner, "translate", "--to", "lc-r", "--text", "{C:1}", "--from", "lc-t").stdout == "🜊1🜂\n"
    assert run(runner, "translate", "--to", "lc-r", "--text", "{C:1}", "--from", "hlxl").stdout == "◇C: 1◆\n"
    # `10` is the int 10 in the text notations and the byte 0x10 (an unknown tag) in LC-B: not ambiguous
    assert run(runner, "translate", "--to", "lc-b", "--text", "10").stdout == "01 0A\n"


def test_ambiguous_when_lcb_also_reads_it(runner):
    """`00` is LC-B null; HLXL reads no `00` (leading zero): detection picks LC-B."""
    assert run(runner, "translate", "--to", "hlxl", "--text", "00").stdout == "null\n"
    assert run(runner, "translate", "--to", "hlxl", "--text", "0A").stdout == "true\n"


@pytest.mark.parametrize("canonical,aliases", sorted(ALIASES.items()))
def test_aliases(runner, canonical, aliases):
    value = [1, "a"]
    for alias in aliases:
        res = run(runner, "translate", "--to", alias, "--text", '[1, "a"]')
        assert res.exit_code == 0, res.output
        assert res.stdout == helixc.emit(value, canonical) + "\n"
        src = helixc.emit(value, canonical)
        res = run(runner, "translate", "--from", alias, "--to", "hlxl", "--text", src)
        assert res.stdout == '[1, "a"]\n'


def test_lcb_out_hex_by_default_and_raw_with_binary(runner, tmp_path):
    assert run(runner, "translate", "--to", "lc-b", "--text", "{14: {@0: 1}}").stdout == "07 0E 00 01 01 08\n"
    res = run(runner, "translate", "--to", "lc-b", "--binary", "--text", "{14: {@0: 1}}")
    assert res.stdout_bytes == bytes.fromhex("070E00010108")
    out = tmp_path / "v.lcb"
    res = run(runner, "translate", "--to", "lc-b", "--text", "{14: {@0: 1}}", "-o", str(out))
    assert res.exit_code == 0 and res.stdout == ""
    assert out.read_bytes() == bytes.fromhex("070E00010108")
    out2 = tmp_path / "v2.bin"
    run(runner, "translate", "--to", "lc-b", "--binary", "--text", "[]", "--output", str(out2))
    assert out2.read_bytes() == b"\x05\x06"
    hex_out = tmp_path / "v.hex"
    run(runner, "translate", "--to", "lc-b", "--text", "[]", "-o", str(hex_out))
    assert hex_out.read_text() == "05 06\n"


def test_text_output_to_file(runner, tmp_path):
    out = tmp_path / "out.lcr"
    res = run(runner, "translate", "--to", "lc-r", "--text", "[1, 2, 3]", "-o", str(out))
    assert res.exit_code == 0
    assert out.read_text(encoding="utf-8") == "🜃1, 2, 3🜄\n"


@pytest.mark.parametrize("value", [True, None, [1, 2], {"a": b"\x00"}, helixc.Handle("abcdefg"), helixc.Contract(9, {8: 1})])
def test_lcb_in_from_raw_bytes(runner, tmp_path, value):
    data = helixc.encode(value)
    f = tmp_path / "in.lcb"
    f.write_bytes(data)
    expected = helixc.emit(value, "hlxl") + "\n"
    assert run(runner, "translate", "--to", "hlxl", "--from", "lc-b", str(f)).stdout == expected
    assert run(runner, "translate", "--to", "hlxl", "--from", "lc-b", "-", input=data).stdout == expected
    assert run(runner, "translate", "--to", "hlxl", "--from", "lc-b", input=data).stdout == expected
    if value not in (True,):  # raw 0A alone is a newline: without --from it is empty text
        assert run(runner, "translate", "--to", "hlxl", str(f)).stdout == expected
        assert run(runner, "translate", "--to", "hlxl", "-", input=data).stdout == expected


def test_lcb_raw_non_utf8(runner):
    data = helixc.encode([b"\xff\xfe", 3.5])
    res = run(runner, "translate", "--to", "lc-t", "-", input=data)
    assert res.stdout == "[#fffe,3.5]\n"


@pytest.mark.parametrize("text", ["07 0E 00 01 01 08", "07 0e 00 01 01 08", "070E00010108", "07  0E\n00\t01 01 08\n",
                                  "  070e 0001 0108  "])
def test_lcb_in_from_hex_text_any_case_and_spacing(runner, text):
    for args in (["--from", "lc-b"], []):
        res = run(runner, "translate", "--to", "hlxl", *args, "--text", text)
        assert res.stdout == "{14: {@0: 1}}\n", (args, res.output)
    assert run(runner, "translate", "--to", "hlxl", "-", input=text.encode()).stdout == "{14: {@0: 1}}\n"


def test_stdin_text(runner):
    res = run(runner, "translate", "--to", "lc-t", input="{14: {@0: [1, 2]}}\n")
    assert res.stdout == "{C:14,0=[1,2]}\n"


BAD = [
    (["--to", "nope", "--text", "[1]"], "E_NOTATION_UNKNOWN"),
    (["--to", "lc-r", "--from", "klingon", "--text", "[1]"], "E_NOTATION_UNKNOWN"),
    (["--to", "lc-r", "--text", ""], "E_"),
    (["--to", "lc-r", "--from", "hlxl", "--text", ""], "E_LC_PARSE"),
    (["--to", "lc-r", "--from", "lc-b", "--text", "   "], "E_INPUT"),
    (["--to", "lc-r", "--from", "lc-b", "--text", "07 0G"], "E_INPUT"),
    (["--to", "lc-r", "--from", "lc-b", "--text", "07 0"], "E_INPUT"),
    (["--to", "lc-r", "--from", "lc-b", "--text", "07 0E 00"], "E_LC_BINARY_DECODE"),
    (["--to", "lc-r", "--text", "07 0E 00 01"], "E_LC_BINARY_DECODE"),
    (["--to", "lc-r", "--from", "lc-b", "--text", "FF 01"], "E_LC_PARSE"),
    (["--to", "hlxl", "--from", "lc-r", "--text", "🜃1,2🜄"], "E_LC_PARSE"),
    (["--to", "hlxl", "--from", "lc-r", "--text", "1.0e+16"], "E_NONCANONICAL"),
    (["--to", "hlxl", "--from", "lc-r", "--text", "◇b: 1, a: 2◆"], "E_KEY_ORDER"),
    (["--to", "hlxl", "--from", "hlxl", "--text", "{10: {@2: 1, @0: 2}}"], "E_FIELD_ORDER"),
    (["--to", "hlxl", "--text", "[1, 2"], "E_LC_PARSE"),
    (["--to", "hlxl", "--text", "[99999999999999999999]"], "E_INT_RANGE"),
    (["--to", "hlxl", "/nonexistent/dir/file.lcb"], "E_INPUT"),
    (["--to", "hlxl", "--from", "hlxl", "-"], "E_LC_PARSE"),  # empty stdin
]


@pytest.mark.parametrize("args,code", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_errors_are_one_line_plus_caret_exit_2(runner, args, code):
    res = runner.invoke(cli, ["translate", *args], input=b"")
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert_clean_error(res, code)


def test_error_excerpt_points_at_the_position(runner):
    res = run(runner, "translate", "--from", "hlxl", "--to", "lc-r", "--text", "[1, 2, @]")
    lines = res.stderr.rstrip("\n").split("\n")
    assert "line 1, column 8" in lines[0]
    assert lines[1] == "  [1, 2, @]" and lines[2] == "         ^"
    res = run(runner, "translate", "--from", "lc-b", "--to", "lc-r", "--text", "05 01 01 FF 06")
    lines = res.stderr.rstrip("\n").split("\n")
    assert "byte offset 3" in lines[0]
    assert lines[1] == "  05 01 01 FF 06" and lines[2] == "           ^"


def test_notations_and_help(runner):
    res = run(runner, "notations")
    for name in NAMES:
        assert name in res.stdout
    assert run(runner, "translate", "--help").exit_code == 0


def test_console_script_subprocess(helixc_env):
    exe = Path(sys.executable).with_name("helixc")
    if not exe.exists():
        pytest.skip("console script not installed next to the interpreter")
    env = helixc_env
    p = subprocess.run([str(exe), "translate", "--to", "lc-r", "--text", "{14: {@0: [1, 2]}}"], capture_output=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode("utf-8") == "🜊14🜁0 🜃1, 2🜄🜂\n"
    p = subprocess.run([str(exe), "translate", "--to", "lc-b", "--binary", "--text", "[1]"], capture_output=True, env=env, timeout=60)
    assert p.stdout == b"\x05\x01\x01\x06"
    p = subprocess.run([str(exe), "translate", "--to", "hlxl", "--from", "lc-b", "-"], input=b"\x05\x01\x01\x06", capture_output=True, env=env, timeout=60)
    assert p.stdout == b"[1]\n"
    p = subprocess.run([str(exe), "translate", "--to", "hlxl", "--text", "[1,"], capture_output=True, env=env, timeout=60)
    assert p.returncode == 2 and b"Traceback" not in p.stderr
    assert p.stderr.decode().startswith("helixc: error: E_LC_PARSE")


# --------------------------------------------------------------------------- input limit, unsure answers and -o


def _translate(*args):
    return CliRunner().invoke(cli, ["translate", *args])


def test_max_input_counts_utf8_bytes_and_uses_the_limits_code(tmp_path):
    r = _translate("--to", "lc-t", "--max-input", "9", "--text", '"' + "é" * 4 + '"')  # 6 chars, 10 bytes
    assert r.exit_code == 2 and "E_INPUT_TOO_LARGE" in r.stderr and "--max-input" in r.stderr
    r = _translate("--to", "hlxl", "--max-input", "10", "--text", '"' + "é" * 4 + '"')
    assert (r.exit_code, r.stdout) == (0, '"éééé"\n'), r.output
    f = tmp_path / "big.hlxl"
    f.write_text("[" + "1, " * 100 + "1]")
    r = _translate("--to", "lc-t", "--max-input", "50", str(f))
    assert r.exit_code == 2 and r.stderr.startswith("helixc: error: E_INPUT_TOO_LARGE")


def test_an_unsure_answer_never_lands_in_the_output_file(tmp_path):
    pytest.importorskip("torch")
    out = tmp_path / "answer.lcr"
    out.write_text("previous result\n")
    r = _translate("--to", "lc-r", "--text", "hello world", "-o", str(out))
    assert r.exit_code == 3 and "helixc: not sure: " in r.stderr
    assert out.read_text() == "previous result\n"  # untouched; the best reading went to stdout
    assert r.stdout.strip()
    r = _translate("--to", "lc-r", "--best-effort", "--text", "hello world", "-o", str(out))
    assert r.exit_code == 0 and out.read_text() != "previous result\n" and r.stdout == ""
