"""Plugins: a throwaway notation registered at run time, `helixc plugins`, HELIXC_LOAD_PLUGINS."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

import helixc
from helixc.cli import cli
from helixc.errors import E_LC_PARSE, HelixError
from helixc.hookspecs import hookimpl
from helixc.notation import Notation
from helixc.plugins import pm

BUILTINS = {"hlxl": "hlxl", "lc_t": "lc-t", "lc_r": "lc-r", "lc_b": "lc-b"}


class JSONNotation(Notation):
    """JSON as a notation: arrays, objects, numbers, strings, true/false/null."""

    name = "json"
    aliases = ("js",)
    title = "JSON (test plugin)"
    grammar = 'start: /.+/s\n'

    def parse(self, text):
        try:
            value = json.loads(text)
        except ValueError as e:
            raise HelixError(E_LC_PARSE, f"not JSON: {e}", notation=self.name) from None
        return helixc.check(value)

    def emit(self, value):
        return json.dumps(helixc.check(value), sort_keys=True, ensure_ascii=False)


def _plugin_module():
    mod = types.ModuleType("helixc_test_json_plugin")

    @hookimpl
    def register_notations(register):
        register(JSONNotation())

    mod.register_notations = register_notations
    return mod


@pytest.fixture
def json_plugin(register):
    return register(_plugin_module(), "json-test")


def test_plugin_notation_through_the_cli(json_plugin):
    runner = CliRunner()
    res = runner.invoke(cli, ["translate", "--from", "json", "--to", "lc-r", "--text", '{"b": [1, 2.5, null], "a": "x"}'])
    assert res.exit_code == 0, res.output
    assert res.stdout == '◇a: "x", b: 🜃1, 2.5, ∅🜄◆\n'
    res = runner.invoke(cli, ["translate", "--from", "lc-b", "--to", "JS", "--text", "05 01 01 0A 06"])
    assert res.stdout == "[1, true]\n"
    res = runner.invoke(cli, ["translate", "--from", "json", "--to", "hlxl", "--text", "[1,"])
    assert res.exit_code == 2 and res.stderr.startswith("helixc: error: E_LC_PARSE [json]")
    assert "json" in runner.invoke(cli, ["notations"]).stdout


def test_plugin_is_gone_after_unregister(json_plugin):
    pm.unregister(json_plugin)
    try:
        with pytest.raises(HelixError) as ei:
            helixc.get_notation("json")
        assert ei.value.code == "E_NOTATION_UNKNOWN"
    finally:
        pm.register(json_plugin, name="json-test")  # the fixture unregisters it


def test_plugins_command_lists_the_builtins():
    res = CliRunner().invoke(cli, ["plugins"])
    assert res.exit_code == 0
    info = {p["name"]: p for p in json.loads(res.stdout)}
    for plugin, notation in BUILTINS.items():
        p = info[plugin]
        assert p["version"]
        assert "register_notations" in p["hooks"]
        assert p["notations"] == [notation]


def test_plugins_json_includes_runtime_plugin(json_plugin):
    info = {p["name"]: p for p in json.loads(CliRunner().invoke(cli, ["plugins"]).stdout)}
    assert info["json-test"]["notations"] == ["json"]
    assert info["json-test"]["hooks"] == ["register_notations"]


def test_bad_registration_is_a_helix_error():
    mod = types.ModuleType("helixc_test_bad_plugin")

    @hookimpl
    def register_notations(register):
        register(object())

    mod.register_notations = register_notations
    pm.register(mod, name="bad-test")
    try:
        with pytest.raises(HelixError) as ei:
            helixc.notations()
        assert ei.value.code == "E_PLUGIN"
    finally:
        pm.unregister(mod)


def _helixc(*args, env, env_extra):
    exe = Path(sys.executable).with_name("helixc")
    if not exe.exists():
        pytest.skip("console script not installed next to the interpreter")
    env = dict(env, **env_extra)
    return subprocess.run([str(exe), *args], capture_output=True, env=env, timeout=60, text=True)


def test_load_plugins_env_restricts_loading(helixc_env):
    p = _helixc("notations", env=helixc_env, env_extra={"HELIXC_LOAD_PLUGINS": "hlxl,lc_r"})
    names = sorted(line.split()[0] for line in p.stdout.splitlines())
    assert names == ["hlxl", "lc-r"]
    p = _helixc("translate", "--to", "lc-t", "--text", "[1]", env=helixc_env, env_extra={"HELIXC_LOAD_PLUGINS": "hlxl,lc_r"})
    assert p.returncode == 2 and "E_NOTATION_UNKNOWN" in p.stderr
    p = _helixc("plugins", env=helixc_env, env_extra={"HELIXC_LOAD_PLUGINS": ""})
    assert json.loads(p.stdout) == []


# --------------------------------------------------------------------------- the README's plugin, as written


def _readme_plugin() -> tuple[str, str]:
    """(python code, entry-point toml) of README.md's "Writing a plugin" section, verbatim."""
    import re

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Writing a plugin\n")
    section = text[start:text.index("\n## ", start + 5)]
    code = re.findall(r"```python\n(.*?)```", section, re.S)
    toml = re.findall(r"```toml\n(.*?)```", section, re.S)
    assert len(code) == 1 and len(toml) == 1, "the section has one python and one toml block"
    return code[0], toml[0]


@pytest.fixture
def readme_plugin(tmp_path):
    """The README's module, imported from a file and registered like an entry point would be."""
    import importlib.util

    code, _ = _readme_plugin()
    path = tmp_path / "helixc_json.py"
    path.write_text(code, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("helixc_json_readme", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    helixc.notations()
    pm.register(mod, name="json-readme")
    try:
        yield mod
    finally:
        pm.unregister(mod)


def test_readme_plugin_translates_through_the_cli(readme_plugin):
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["translate", *args])

    res = run("--from", "json", "--to", "lc-r", "--text", '{"b": [1, 2.5, null], "a": "x"}')
    assert (res.exit_code, res.stdout) == (0, '◇a: "x", b: 🜃1, 2.5, ∅🜄◆\n'), res.output
    res = run("--to", "js", "--text", '{b: [1, 2.5, null], a: "x é"}')  # HLXL in, detected
    assert (res.exit_code, res.stdout) == (0, '{"a": "x é", "b": [1, 2.5, null]}\n'), res.output
    res = run("--from", "lc-b", "--to", "JSON", "--text", "05 01 01 0A 06")
    assert res.stdout == "[1, true]\n"
    # a contract has no JSON form: the plugin says so, one line with its code, exit 2
    res = run("--to", "json", "--text", "{14: {@0: 1}}")
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert res.stderr == "helixc: error: E_TYPE [json]: JSON has no contract values: Contract(14, {0: 1}) (HLXL, LC-T, LC-R and LC-B have)\n"
    for text in ('[x"00ff"]', "{a: &h_x}"):  # ... nor bytes and handles
        res = run("--from", "hlxl", "--to", "json", "--text", text)
        assert res.exit_code == 2 and res.stderr.startswith("helixc: error: E_TYPE [json]: JSON has no "), res.output
    res = run("--from", "json", "--to", "hlxl", "--text", '{"a": 1, "a": 2}')
    assert res.exit_code == 2 and res.stderr.startswith("helixc: error: E_DUPLICATE_KEY [json]")
    res = run("--from", "json", "--to", "hlxl", "--text", "[1,\n 2,]")
    assert res.exit_code == 2 and res.stderr.startswith("helixc: error: E_LC_PARSE [json] at line 2, column 4: not JSON")
    res = run("--from", "json", "--to", "hlxl", "--text", "[1e999]")  # checked like every value
    assert res.exit_code == 2 and res.stderr.startswith("helixc: error: E_FLOAT_SPECIAL")


def test_readme_plugin_grammar_accepts_what_it_writes(readme_plugin):
    """The grammar is LALR (constrained decoding needs that) and takes every emitted text."""
    from helixc.textparse import lark_parser

    n = helixc.get_notation("json")
    parser = lark_parser(n.grammar)
    for value in ([], {}, [1, -2.5e-07, "tab\t\"q\" \\ é \U0001f600 \x01", None, True, False],
                  {"k": {"n": [[], {}]}, "": 0}):
        text = n.emit(value)
        parser.parse(text)
        assert helixc.same(n.parse(text), helixc.check(value))


def test_readme_plugin_installed_by_its_entry_point(helixc_env, tmp_path):
    """As a user installs it: the module on sys.path, the README's entry point in a dist-info."""
    import tomllib

    code, toml = _readme_plugin()
    entries = tomllib.loads(toml)["project"]["entry-points"]["helixc"]
    assert entries == {"json": "helixc_json"}
    (tmp_path / "helixc_json.py").write_text(code, encoding="utf-8")
    info = tmp_path / "helixc_json-0.1.dist-info"
    info.mkdir()
    lines = "".join(f"{k} = {v}\n" for k, v in entries.items())
    (info / "entry_points.txt").write_text(f"[helixc]\n{lines}", encoding="utf-8")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: helixc-json\nVersion: 0.1\n", encoding="utf-8")
    env = dict(helixc_env, PYTHONPATH=str(tmp_path))
    p = _helixc("translate", "--to", "json", "--text", "[1, {a: null}]", env=env, env_extra={})
    assert (p.returncode, p.stdout) == (0, '[1, {"a": null}]\n'), p.stderr
    p = _helixc("translate", "--to", "json", "--text", "{14: {@0: 1}}", env=env, env_extra={})
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "E_TYPE [json]" in p.stderr
    info = {d["name"]: d for d in json.loads(_helixc("plugins", env=env, env_extra={}).stdout)}
    assert info["json"]["notations"] == ["json"] and info["json"]["version"] == "0.1"


def test_a_plugin_that_lets_json_fail_gives_one_line_e_plugin(json_plugin):
    """The fixture's emit lets json.dumps raise TypeError on a contract (the README example used
    to): the registry makes it one E_PLUGIN line naming the plugin, exit 2."""
    res = CliRunner().invoke(cli, ["translate", "--to", "json", "--text", "{14: {@0: 1}}"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert res.stderr == ("helixc: error: E_PLUGIN [json]: plugin 'json-test' failed in json.emit: TypeError: "
                          "Object of type Contract is not JSON serializable\n")


# --------------------------------------------------------------------------- examples/helixc-json, a real package

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "helixc-json"


def test_the_readme_plugin_is_the_example_package_verbatim():
    code, toml = _readme_plugin()
    assert (EXAMPLE / "helixc_json.py").read_text(encoding="utf-8") == code
    import tomllib

    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["entry-points"]["helixc"] == tomllib.loads(toml)["project"]["entry-points"]["helixc"]


def test_the_example_plugin_installs_and_passes_its_own_tests(tmp_path):
    """pip installs examples/helixc-json (a copy: pip writes build files beside the source) into a
    target directory, as a user's site-packages would hold it; its own tests then run against the
    installed distribution, found through its entry point."""
    import shutil

    src = tmp_path / "src"
    shutil.copytree(EXAMPLE, src, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    site = tmp_path / "site"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                          "--disable-pip-version-check", "--target", str(site), str(src)],
                         capture_output=True, text=True, timeout=300)
    assert pip.returncode == 0, pip.stderr
    assert (site / "helixc_json.py").is_file() and list(site.glob("helixc_json-*.dist-info"))
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("HELIXC_LOAD_PLUGINS", "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(src),
                          str(src / "tests")], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "skipped" not in run.stdout
