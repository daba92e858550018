"""The notation registry: built once and rebuilt when plugins change, checked plugins (duplicate
names, misspelt hooks, HELIXC_LOAD_PLUGINS, broken imports), foreign exceptions as E_PLUGIN;
HelixError as a ValueError that keeps its cause; cache-load failures logged."""

from __future__ import annotations

import logging
import pickle
import subprocess
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

import helixc
from helixc import _lookup, plugins
from helixc.cli import cli
from helixc.errors import E_LC_PARSE, E_PLUGIN, HelixError
from helixc.hookspecs import hookimpl
from helixc.notation import Notation
from helixc.plugins import pm


class Toy(Notation):
    """Numbers in parentheses; ``behaviour`` decides what its methods do (tests set it)."""

    title = "toy (test plugin)"
    grammar = 'start: "(" NUM ")"\nNUM: /[0-9]+/\n'

    def __init__(self, name="toy", aliases=(), behaviour=None):
        self.name, self.aliases = name, tuple(aliases)
        self.behaviour = behaviour or {}

    def _run(self, op, arg):
        b = self.behaviour.get(op)
        if b is not None:
            raise b
        return arg

    def parse(self, text):
        self._run("parse", text)
        if not (text.startswith("(") and text.endswith(")") and text[1:-1].isdigit()):
            raise HelixError(E_LC_PARSE, "not a toy", notation=self.name)
        return int(text[1:-1])

    def emit(self, value):
        self._run("emit", value)
        return f"({value})"

    def encode(self, value):
        self._run("encode", value)
        return self.emit(value).encode()

    def decode(self, data):
        self._run("decode", data)
        return self.parse(data.decode())


def plugin_module(*notations, calls=None, name="helixc_test_registry_plugin"):
    mod = types.ModuleType(name)

    @hookimpl
    def register_notations(register):
        if calls is not None:
            calls.append(1)
        for n in notations:
            register(n)

    mod.register_notations = register_notations
    return mod


def _code(fn, *args):
    with pytest.raises(HelixError) as ei:
        fn(*args)
    return ei.value


# --------------------------------------------------------------------------- built once, invalidated


def test_registry_is_built_once_and_rebuilt_when_plugins_change(register):
    calls = []
    register(plugin_module(Toy(), calls=calls), "toy-plugin")
    for _ in range(50):
        assert helixc.get_notation("toy").name == "toy"
        assert helixc.parse("(7)", "TOY") == 7
        assert helixc.encode(7, "toy") == b"(7)"
        helixc.notations()
    assert len(calls) == 1
    other = register(plugin_module(Toy("toy2"), name="helixc_test_toy2"), "toy2-plugin")
    assert helixc.emit(3, "toy2") == "(3)"  # the new plugin is seen at once
    assert len(calls) == 2  # ... because the registry was rebuilt
    pm.unregister(other)
    assert _code(helixc.get_notation, "toy2").code == "E_NOTATION_UNKNOWN"
    assert helixc.get_notation("toy").plugin == "toy-plugin"


def test_fast_path_memo_is_emptied_on_unregister(register):
    mod = register(plugin_module(Toy("toy", aliases=("TY",))), "toy-plugin")
    assert helixc.get_notation("Ty") is helixc.get_notation("toy")  # one object per notation
    assert "Ty" in _lookup.NOTATIONS
    pm.unregister(mod)
    assert "Ty" not in _lookup.NOTATIONS
    for fn, args in ((helixc.get_notation, ("Ty",)), (helixc.parse, ("(1)", "Ty")), (helixc.emit, (1, "Ty")),
                     (helixc.encode, (1, "Ty")), (helixc.decode, (b"(1)", "Ty"))):
        assert _code(fn, *args).code == "E_NOTATION_UNKNOWN"


def test_lookup_errors_are_helix_errors():
    assert _code(helixc.get_notation, "nope").code == "E_NOTATION_UNKNOWN"
    assert "lc-r" in str(_code(helixc.get_notation, "nope"))  # lists the known names
    assert _code(helixc.get_notation, ["lc-b"]).code == "E_NOTATION_UNKNOWN"  # unhashable
    assert _code(helixc.encode, 1, None).code == "E_NOTATION_UNKNOWN"


def test_notations_is_a_copy():
    d = helixc.notations()
    d.clear()
    assert set(helixc.notations()) >= {"hlxl", "lc-t", "lc-r", "lc-b"}


# --------------------------------------------------------------------------- duplicates


@pytest.mark.parametrize("second,what", [
    (Toy("toy"), "'toy' is registered twice"),  # same name
    (Toy("other", aliases=("toy",)), "'toy' is registered twice"),  # alias = another's name
    (Toy("other", aliases=("T1",)), "'t1' is registered twice"),  # alias = another's alias (case-insensitive)
    (Toy("RUNIC"), "'runic' is registered twice"),  # name = a built-in's alias
])
def test_duplicate_names_and_aliases_name_both_plugins(register, second, what):
    register(plugin_module(Toy("toy", aliases=("t1",))), "first-plugin")
    register(plugin_module(second, name="helixc_test_second"), "second-plugin")
    e = _code(helixc.notations)
    assert e.code == E_PLUGIN
    assert what in e.message and "second-plugin" in e.message
    assert ("first-plugin" in e.message) or ("'lc_r'" in e.message)
    res = CliRunner().invoke(cli, ["notations"])
    assert res.exit_code == 2 and res.stderr.count("\n") == 1 and "E_PLUGIN" in res.stderr


def test_a_notation_may_repeat_its_own_name_as_alias(register):
    register(plugin_module(Toy("toy", aliases=("toy", "TOY", "t", "t"))), "toy-plugin")
    assert helixc.get_notation("t").name == "toy"


# --------------------------------------------------------------------------- hooks


def test_misspelt_hook_fails_loudly_naming_plugin_and_hook(register):
    mod = types.ModuleType("helixc_test_misspelt")

    @hookimpl
    def register_notation(register):  # missing "s"
        register(Toy())

    mod.register_notation = register_notation
    register(mod, "misspelt-plugin")
    e = _code(helixc.get_notation, "lc-b")
    assert e.code == E_PLUGIN and "misspelt-plugin" in e.message and "'register_notation'" in e.message
    assert "register_notations" in e.message  # the hooks that exist


def test_hook_without_hookimpl_fails_loudly(register):
    mod = types.ModuleType("helixc_test_undecorated")
    mod.register_notations = lambda register: register(Toy())
    register(mod, "undecorated-plugin")
    e = _code(helixc.notations)
    assert e.code == E_PLUGIN and "undecorated-plugin" in e.message and "@hookimpl" in e.message


def test_exception_in_a_hook_names_the_plugin(register):
    mod = types.ModuleType("helixc_test_raising_hook")

    @hookimpl
    def register_notations(register):
        raise KeyError("boom")

    mod.register_notations = register_notations
    register(mod, "raising-plugin")
    e = _code(helixc.notations)
    assert e.code == E_PLUGIN and "raising-plugin" in e.message and "KeyError" in e.message
    assert isinstance(e.__cause__, KeyError)


def test_bad_registration_names_the_plugin(register):
    register(plugin_module(object()), "bad-plugin")
    e = _code(helixc.notations)
    assert e.code == E_PLUGIN and "bad-plugin" in e.message


# --------------------------------------------------------------------------- foreign exceptions


@pytest.mark.parametrize("op,call", [
    ("parse", lambda: helixc.parse("(1)", "toy")),
    ("emit", lambda: helixc.emit(1, "toy")),
    ("encode", lambda: helixc.encode(1, "toy")),
    ("decode", lambda: helixc.decode(b"(1)", "toy")),
    ("parse", lambda: helixc.get_notation("toy").parse_reference("(1)")),  # Notation's default: self.parse
    ("parse", lambda: helixc.translate("(1)", to="lc-r", source="toy")),
])
def test_foreign_exceptions_become_one_line_plugin_errors(register, op, call):
    boom = TypeError("Object of type Contract is not JSON serializable\nsecond line")
    register(plugin_module(Toy(behaviour={op: boom})), "toy-plugin")
    e = _code(call)
    assert e.code == E_PLUGIN and e.notation == "toy"
    assert "toy-plugin" in e.message and "TypeError" in e.message and "\n" not in str(e)
    assert e.__cause__ is boom


def test_helix_errors_from_plugins_pass_unchanged(register):
    err = HelixError("E_TYPE", "no")
    register(plugin_module(Toy(behaviour={"emit": err})), "toy-plugin")
    assert _code(helixc.emit, 1, "toy") is err


def test_foreign_exception_through_the_cli_is_one_line_exit_2(register):
    register(plugin_module(Toy(behaviour={"emit": ZeroDivisionError("division by zero")})), "toy-plugin")
    res = CliRunner().invoke(cli, ["translate", "--to", "toy", "--text", "[1]"])
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("helixc: error: E_PLUGIN [toy]: plugin 'toy-plugin' failed in toy.emit: ZeroDivisionError")
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.output


def test_wrapper_reads_like_the_plugin_object(register):
    inner = Toy("toy", aliases=("t",))
    inner.extra = "kept"
    register(plugin_module(inner), "toy-plugin")
    n = helixc.get_notation("toy")
    assert n.wrapped is inner and n.plugin == "toy-plugin" and isinstance(n, Notation)
    assert (n.name, n.aliases, n.title, n.grammar, n.binary) == ("toy", ("t",), inner.title, inner.grammar, False)
    assert n.extra == "kept" and repr(n) == repr(inner)
    # re-registering what get_notation handed out does not wrap twice
    pm.unregister(name="toy-plugin")
    register(plugin_module(n, name="helixc_test_rewrap"), "toy-plugin-2")
    assert helixc.get_notation("toy").wrapped is inner


# --------------------------------------------------------------------------- loading


def _helixc(env, *args, extra=None, pythonpath=None):
    exe = Path(sys.executable).with_name("helixc")
    if not exe.exists():
        pytest.skip("console script not installed next to the interpreter")
    env = dict(env, **(extra or {}))
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([str(exe), *args], capture_output=True, env=env, timeout=60, text=True)


def test_unknown_name_in_load_plugins_is_one_line_exit_2(helixc_env):
    p = _helixc(helixc_env, "notations", extra={"HELIXC_LOAD_PLUGINS": "nope"})
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.count("\n") == 1, p.stderr
    assert p.stderr.startswith("helixc: error: E_PLUGIN: HELIXC_LOAD_PLUGINS names 'nope'")
    assert "hlxl" in p.stderr and "lc_r" in p.stderr  # the installed names
    p = _helixc(helixc_env, "translate", "--to", "lc-r", "--text", "[1]", extra={"HELIXC_LOAD_PLUGINS": "hlxl, nope"})
    assert p.returncode == 2 and "'nope'" in p.stderr and "Traceback" not in p.stderr


def _dist(tmp_path, module_source, entry="broken = helixc_test_broken_mod"):
    (tmp_path / "helixc_test_broken_mod.py").write_text(module_source, encoding="utf-8")
    info = tmp_path / "helixc_test_broken-0.1.dist-info"
    info.mkdir()
    (info / "entry_points.txt").write_text(f"[helixc]\n{entry}\n", encoding="utf-8")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: helixc-test-broken\nVersion: 0.1\n", encoding="utf-8")
    return tmp_path


def test_plugin_that_fails_to_import_is_an_error(helixc_env, tmp_path):
    path = _dist(tmp_path, "import helixc_no_such_module_xyz\n")
    p = _helixc(helixc_env, "translate", "--to", "lc-r", "--text", "[1]", pythonpath=path)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.startswith("helixc: error: E_PLUGIN: plugin 'broken' (helixc_test_broken_mod) failed to import: "
                               "ModuleNotFoundError"), p.stderr
    assert "HELIXC_LOAD_PLUGINS" in p.stderr  # says how to leave it out
    p = _helixc(helixc_env, "translate", "--to", "lc-r", "--text", "[1]", pythonpath=path,
                extra={"HELIXC_LOAD_PLUGINS": "hlxl,lc_r"})
    assert p.returncode == 0 and p.stdout == "🜃1🜄\n", p.stderr


def test_entry_point_plugin_with_misspelt_hook(helixc_env, tmp_path):
    src = "from helixc.hookspecs import hookimpl\n\n@hookimpl\ndef register_notatoins(register):\n    pass\n"
    p = _helixc(helixc_env, "notations", pythonpath=_dist(tmp_path, src))
    assert p.returncode == 2 and p.stderr.count("\n") == 1
    assert "plugin 'broken' implements hook 'register_notatoins'" in p.stderr


def test_reload_plugins_reads_the_environment_again(monkeypatch):
    helixc.notations()
    try:
        monkeypatch.setenv("HELIXC_LOAD_PLUGINS", "hlxl,nope")
        with pytest.raises(HelixError) as ei:
            plugins.reload_plugins()
        assert ei.value.code == E_PLUGIN and "'nope'" in ei.value.message
        assert _code(helixc.get_notation, "hlxl").code == E_PLUGIN  # raised again until reloaded
        monkeypatch.setenv("HELIXC_LOAD_PLUGINS", "hlxl")
        plugins.reload_plugins()
        assert sorted(helixc.notations()) == ["hlxl"]
    finally:
        monkeypatch.delenv("HELIXC_LOAD_PLUGINS", raising=False)
        plugins.reload_plugins()
    assert sorted(helixc.notations()) == ["hlxl", "lc-b", "lc-r", "lc-t"]


# --------------------------------------------------------------------------- HelixError


def test_helix_error_is_a_value_error_and_pickles():
    e = HelixError("E_LC_PARSE", "bad", notation="lc-t", line=1, column=3, source="[1,")
    assert isinstance(e, ValueError)
    f = pickle.loads(pickle.dumps(e))
    assert type(f) is HelixError and str(f) == str(e) and f.excerpt() == e.excerpt() and f.code == e.code


@pytest.mark.parametrize("call,cause", [
    (lambda: helixc.decode(b"\x03\x02\xff\xfe"), UnicodeDecodeError),  # LC-B text that is not UTF-8
    (lambda: helixc.get_notation("hlxl").parse_reference("[1,"), Exception),  # lark's error
    (lambda: helixc.get_notation("lc-t").decode(b"\xff"), UnicodeDecodeError),
])
def test_errors_keep_their_cause(call, cause):
    e = _code(call)
    assert isinstance(e.__cause__, cause), (e, e.__cause__)


# --------------------------------------------------------------------------- cache loads are logged


def test_corrupt_constraint_cache_is_logged_and_rebuilt(tmp_path, monkeypatch, caplog):
    pytest.importorskip("tokenizers")
    pytest.importorskip("numpy")
    from helixc.constrain import core
    from helixc.constrain.testing import char_tokenizer

    monkeypatch.setenv("HELIXC_CACHE_DIR", str(tmp_path))
    grammar = 'start: "(" NUM ")"\nNUM: /[0-9]+/\n// registry test\n'
    tok = char_tokenizer(["(1)", "(23)", "(456)"] * 20, 60)
    first = core.GrammarConstraint(grammar, tok)
    assert first.built_from == "grammar" and first._core_path.exists()
    core._MEM.clear()
    first._core_path.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING, logger="helixc.constrain.core"):
        again = core.GrammarConstraint(grammar, tok)
    assert again.built_from == "grammar"
    assert any("unreadable constraint cache" in r.getMessage() and str(first._core_path) in r.getMessage()
               for r in caplog.records), caplog.text
    core._MEM.clear()
    again._nodes_path.write_bytes(b"\x80garbage")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="helixc.constrain.core"):
        third = core.GrammarConstraint(grammar, tok)
        assert third.built_from == "disk"
        st = third.start()
        st.mask()
    assert any(str(again._nodes_path) in r.getMessage() for r in caplog.records), caplog.text
