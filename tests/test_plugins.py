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
def json_plugin():
    helixc.notations()  # entry points first, as a real session would
    mod = _plugin_module()
    pm.register(mod, name="json-test")
    try:
        yield mod
    finally:
        pm.unregister(mod)


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
