"""The machinery behind the text notations' parsers.

Each text notation has two parsers that must agree:

* the **reference** parser: the notation's Lark grammar (``grammar.lark`` in its folder,
  LALR) plus :class:`ValueBuilder`, a small transformer that turns parse-tree
  nodes into values. The grammar is the definition of the notation.
* the **fast** parser: one compiled token regex (C speed) and a short
  recursive-descent :class:`Reader` over the token list. It exists for speed
  and is checked against the reference by differential tests.

Both share the semantic checks (field order, duplicate keys, depth, ranges),
which live in :func:`make_contract` and :func:`make_map`.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any, Callable

from .errors import (
    E_CONTRACT_STRUCTURE,
    E_DEPTH,
    E_DUPLICATE_KEY,
    E_FIELD_ORDER,
    E_KEY_ORDER,
    E_LC_PARSE,
    HelixError,
    text_error,
)
from .scalars import parse_float, parse_int, unquote
from .values import MAX_DEPTH, Contract, Handle, check_contract_id, check_field_index


def _entry_error(code: str, message: str, entry: tuple) -> HelixError:
    """An error about one field or key; a third item in ``entry`` is its source position."""
    err = HelixError(code, message)
    err.entry_pos = entry[2] if len(entry) > 2 else None
    return err


def make_contract(cid: int, fields: list[tuple]) -> Contract:
    """Fields are (index, value) or (index, value, source position of the index)."""
    check_contract_id(cid)
    out: dict[int, Any] = {}
    last = -1
    for entry in fields:
        index, value = entry[0], entry[1]
        try:
            check_field_index(index)
        except HelixError as e:
            raise _entry_error(e.code, e.message, entry) from e
        if index in out:
            raise _entry_error(E_CONTRACT_STRUCTURE, f"contract {cid} repeats field @{index}", entry)
        if index < last:
            raise _entry_error(E_FIELD_ORDER, f"contract {cid}: field @{index} comes after @{last}; fields must ascend", entry)
        out[index] = value
        last = index
    return Contract(cid, out)


def make_map(pairs: list[tuple], canonical_order: bool) -> dict:
    """Pairs are (key, value) or (key, value, source position of the key)."""
    out: dict[str, Any] = {}
    last = None
    for entry in pairs:
        key, value = entry[0], entry[1]
        if key in out:
            raise _entry_error(E_DUPLICATE_KEY, f"map key {key!r} appears twice", entry)
        if canonical_order and last is not None and key < last:
            raise _entry_error(E_KEY_ORDER, f"map key {key!r} comes after {last!r}; keys must be in code-point order", entry)
        out[key] = value
        last = key
    if not canonical_order:
        out = {k: out[k] for k in sorted(out)}
    return out


# --------------------------------------------------------------------------- fast path


class Reader:
    """Recursive descent over a token list produced by one big regex.

    Subclasses set ``TOKENS`` (a compiled regex whose named groups are token
    kinds; a final ``err`` group catches anything else) and implement
    ``value_for`` hooks for their container syntax.
    """

    notation = ""
    TOKENS: re.Pattern
    SKIP = frozenset({"ws"})

    def __init__(self, text: str):
        self.text = text
        skip = self.SKIP
        self.toks = [(m.lastgroup, m.group(), m.start()) for m in self.TOKENS.finditer(text) if m.lastgroup not in skip]
        self.i = 0
        self.n = len(self.toks)

    # -- errors ------------------------------------------------------------
    def fail(self, message: str, pos: int | None = None, code: str = E_LC_PARSE) -> HelixError:
        if pos is None:
            pos = self.toks[self.i][2] if self.i < self.n else len(self.text)
        return text_error(code, message, self.notation, self.text, pos)

    def expect(self, kind: str, what: str):
        if self.i >= self.n:
            raise self.fail(f"unexpected end of input, expected {what}")
        tok = self.toks[self.i]
        if tok[0] != kind:
            raise self.unexpected(what)
        self.i += 1
        return tok

    def unexpected(self, what: str) -> HelixError:
        if self.i >= self.n:
            return self.fail(f"unexpected end of input, expected {what}")
        kind, tok, pos = self.toks[self.i]
        if kind == "err":
            return self.fail(f"unexpected character {tok!r}, expected {what}", pos)
        return self.fail(f"unexpected {tok!r}, expected {what}", pos)

    def semantic(self, fn: Callable, pos: int, *args):
        try:
            return fn(*args)
        except HelixError as e:
            if e.line is not None:
                raise
            at = getattr(e, "entry_pos", None)
            raise text_error(e.code, e.message, self.notation, self.text, pos if at is None else at) from e

    # -- driver ------------------------------------------------------------
    def parse(self):
        if not self.toks:
            raise self.fail("empty input, expected a value", 0)
        v = self.value(0)
        if self.i < self.n:
            raise self.unexpected("end of input")
        return v

    def value(self, depth: int):
        if self.i >= self.n:
            raise self.fail("unexpected end of input, expected a value")
        kind, tok, pos = self.toks[self.i]
        scalar = self.SCALARS.get(kind)
        if scalar is not None:
            self.i += 1
            return self.semantic(scalar, pos, tok)
        container = self.CONTAINERS.get(kind)
        if container is None:
            raise self.unexpected("a value")
        if depth >= MAX_DEPTH:
            raise self.fail(f"nesting deeper than {MAX_DEPTH} containers", pos, E_DEPTH)
        return container(self, depth + 1)

    SCALARS: dict[str, Callable[[str], Any]] = {}
    CONTAINERS: dict[str, Callable[["Reader", int], Any]] = {}

    def seq(self, close: str, sep: str, item: Callable[[int], Any], depth: int, what: str) -> list:
        """Items separated by ``sep`` up to ``close`` (the opener already consumed)."""
        items = []
        if self.i < self.n and self.toks[self.i][0] == close:
            self.i += 1
            return items
        while True:
            items.append(item(depth))
            if self.i >= self.n:
                raise self.fail(f"unexpected end of input, expected {what}")
            kind = self.toks[self.i][0]
            self.i += 1
            if kind == close:
                return items
            if kind != sep:
                self.i -= 1
                raise self.unexpected(what)


class LazyPattern:
    """A regex compiled on first use: the Readers' token patterns only run on the error path
    (the quick parsers take valid input), so the CLI need not compile them at start-up."""

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self.flags, self._compiled = pattern, flags, None

    def __getattr__(self, name):
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return getattr(self._compiled, name)


class QuickFail(Exception):
    """Internal: the quick parser met something it does not handle; the Reader takes over."""


def require_no_surrogates(text: str, notation: str) -> None:
    """A lone surrogate in the input (possible in a Python str) is never part of a value."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as e:
            from .errors import E_TEXT_INVALID

            raise text_error(E_TEXT_INVALID, f"lone surrogate U+{ord(text[e.start]):04X} in the input", notation, text, e.start) from e


def parse_quick(quick: Callable[[str], Any], reader_cls, reference: Callable[[str], Any], text: str):
    """The quick parser for valid input; any doubt goes to :func:`parse_fast` for the error.

    ``quick`` (a ``re.findall`` tokenizer without positions and a recursive descent that
    raises :class:`QuickFail` on anything unexpected) accepts only what the grammar accepts
    (differential tests); it keeps no positions, so on failure the positioned Reader runs
    and reports the error (or, if the Reader accepts, its value is returned).
    """
    try:
        return quick(text)
    except (QuickFail, RecursionError, HelixError, StopIteration, ValueError):
        return parse_fast(reader_cls, reference, text)


def parse_fast(reader_cls, reference: Callable[[str], Any], text: str):
    """Run the fast reader; on a semantic error, let the grammar pick the error to report.

    A text can hold several errors (an out-of-range int and, further on, a syntax error).
    The Lark reference reports syntax errors first and then semantic ones in its own
    order; so that both parsers give the same code for the same text, a non-syntax error
    from the fast reader is re-checked by the reference (error path only, no cost on
    valid input). Syntax errors from the fast reader are its own (the differential tests
    compare them with the grammar's).
    """
    try:
        return reader_cls(text).parse()
    except HelixError as e:
        if e.code == E_LC_PARSE:
            raise
        reference(text)  # raises the reference's error
        raise  # the reference accepted: keep the fast reader's error (a disagreement tests will see)


# --------------------------------------------------------------------------- reference path


@functools.lru_cache(maxsize=None)
def grammar_text(package: str, filename: str = "grammar.lark") -> str:
    """The Lark grammar a notation package ships in its folder (``plugins/<name>/grammar.lark``).

    ``package`` is the notation's import name (a plugin passes ``__name__``); everyone else asks
    the notation object (``get_notation(name).grammar``).
    """
    # A plain file read: importlib.resources costs ~30 ms of imports (tempfile, random, shutil)
    # at every CLI start, and the grammars are read when the plugins load.
    import sys

    mod = sys.modules.get(package)
    if mod is None:
        import importlib

        mod = importlib.import_module(package)
    folder = os.path.dirname(getattr(mod, "__file__", None) or "")
    path = os.path.join(folder, filename)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    from importlib import resources  # zipped installs

    return resources.files(package).joinpath(filename).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def lark_parser(grammar: str, **options):
    """An LALR Lark parser for ``grammar`` (cached per grammar text)."""
    from lark import Lark

    return Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=True, **options)


def reference_parse(grammar: str, builder_cls, notation: str, text: str):
    """Parse ``text`` with the Lark grammar and build the value; all errors become HelixError."""
    from lark import Tree

    tree = reference_parse_raw(grammar, notation, text)
    return builder_cls(notation, text).build(tree.children[0] if isinstance(tree, Tree) else tree)


def reference_parse_raw(grammar: str, notation: str, text: str):
    """The Lark parse tree of ``text``; syntax errors become HelixError with a position."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    parser = lark_parser(grammar)
    try:
        tree = parser.parse(text)
    except UnexpectedEOF as e:
        raise text_error(E_LC_PARSE, "unexpected end of input", notation, text, len(text)) from e
    except UnexpectedCharacters as e:
        raise text_error(E_LC_PARSE, f"unexpected character {text[e.pos_in_stream]!r}", notation, text, e.pos_in_stream) from e
    except UnexpectedToken as e:
        pos = e.token.start_pos if e.token.start_pos is not None else len(text)
        what = "end of input" if e.token.type == "$END" else repr(str(e.token))
        raise text_error(E_LC_PARSE, f"unexpected {what}", notation, text, pos) from e
    except UnexpectedInput as e:  # pragma: no cover - other lark subclasses
        raise text_error(E_LC_PARSE, str(e).splitlines()[0], notation, text, getattr(e, "pos_in_stream", 0) or 0) from e
    return tree


class ValueBuilder:
    """Turns a Lark tree of a text notation into a value, iteratively.

    Lark's own Transformer recurses; this walks the tree with an explicit
    stack, so pathological nesting gives E_DEPTH rather than RecursionError.
    Subclasses provide one method per tree node / token alias.
    """

    canonical_key_order = False
    reserved_keys: frozenset[str] = frozenset({"null", "true", "false"})

    def __init__(self, notation: str, text: str):
        self.notation = notation
        self.text = text

    def error(self, e: HelixError, pos: int) -> HelixError:
        return text_error(e.code, e.message, self.notation, self.text, pos)

    def build(self, root):
        from lark import Token, Tree

        # Depth first: check it before building anything.
        stack = [(root, 0)]
        while stack:
            node, depth = stack.pop()
            if isinstance(node, Tree) and node.data in ("array", "map", "contract"):
                if depth >= MAX_DEPTH:
                    raise text_error(E_DEPTH, f"nesting deeper than {MAX_DEPTH} containers", self.notation, self.text, node.meta.start_pos)
                depth += 1
            if isinstance(node, Tree):
                stack.extend((c, depth) for c in node.children if c is not None)
        # Post-order evaluation with an explicit stack.
        results: dict[int, Any] = {}
        work = [(root, False)]
        while work:
            node, done = work.pop()
            if isinstance(node, Token):
                results[id(node)] = self.token(node)
                continue
            if node is None:
                continue
            if not done:
                work.append((node, True))
                work.extend((c, False) for c in node.children)
                continue
            # Lark's placeholder for an empty `[a ("," a)*]` is a None child; drop it here, on the
            # tree, not on the built values, where None is also the value null (`[null]`).
            kids = [results.pop(id(c)) for c in node.children if c is not None]
            try:
                results[id(node)] = getattr(self, "node_" + node.data)(kids, node)
            except HelixError as e:
                if e.line is not None:
                    raise
                at = getattr(e, "entry_pos", None)
                if at is None:
                    at = node.meta.start_pos if not node.meta.empty else 0
                raise self.error(e, at) from e
        return results[id(root)]

    def token(self, tok):
        return str(tok)

    # Tree nodes produced by the `-> alias` scalar rules carry one token.
    def node_null(self, kids, node):
        return None

    def node_true(self, kids, node):
        return True

    def node_false(self, kids, node):
        return False

    # How many characters of each token are markup: a bytes literal's quotes, a field's sigil...
    handle_prefix_len = 1
    bytes_affix = (1, 0)
    field_prefix_len = 0
    reserved_key_code = E_LC_PARSE

    def node_int(self, kids, node):
        return parse_int(kids[0])

    def node_float(self, kids, node):
        return parse_float(kids[0])

    def node_string(self, kids, node):
        return unquote(kids[0])

    def node_bytes(self, kids, node):
        head, tail = self.bytes_affix
        return bytes.fromhex(kids[0][head : len(kids[0]) - tail])

    def node_handle(self, kids, node):
        return Handle(kids[0][self.handle_prefix_len :])

    def node_array(self, kids, node):
        return drop_placeholders(kids)

    def node_field(self, kids, node):
        return (parse_int(kids[0][self.field_prefix_len :]), kids[1], _start(node))

    def node_contract(self, kids, node):
        return make_contract(parse_int(kids[0]), drop_placeholders(kids[1:]))

    def node_pair(self, kids, node):
        return (kids[0], kids[1], _start(node))

    def node_ident(self, kids, node):
        if kids[0] in self.reserved_keys:
            raise HelixError(self.reserved_key_code, f"{kids[0]!r} is reserved; quote it to use it as a map key")
        return kids[0]

    def node_map(self, kids, node):
        return make_map(drop_placeholders(kids), self.canonical_key_order)


# Shared by the quick parsers of the text notations (plugins/<name>/__init__.py).
NUM_START = frozenset("-0123456789")
IDENT_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")


def quick_run(pattern: re.Pattern, qvalue, text: str):
    """Drive a quick parser: tokens by ``pattern.findall``, one value, nothing left over."""
    nxt = iter(pattern.findall(text)).__next__
    v = qvalue(nxt(), nxt, 0)
    for _ in iter(nxt, None):  # anything left over
        raise QuickFail
    return v


def _start(node):
    return None if node.meta.empty else node.meta.start_pos


def drop_placeholders(kids: list) -> list:
    """Placeholders are already dropped by :meth:`ValueBuilder.build` (``[None]`` is ``[null]``)."""
    return kids
