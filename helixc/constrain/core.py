"""The reference backend: Lark's LALR tables + byte-level lexer automata + vocabulary masks.

How a mask is computed (see the package docstring for the API):

* The grammar is compiled by Lark (``parser="lalr"``, contextual lexer). We keep only plain
  data: the LALR action/goto table, and for every distinct contextual-lexer terminal set
  ("context") a byte-level DFA over the union of its terminals (UTF-8 aware, see
  ``regex_fsa``). Each accepting DFA state knows which terminal Lark's lexer would emit for
  that lexeme (Lark's terminal order and its keyword "unless" rule).
* The decoding state is (LALR state stack, DFA state at the last character boundary of the
  unfinished lexeme, pending bytes of a half-read UTF-8 character).
* Lexing is maximal munch at character granularity: a lexeme ends exactly when the next
  character cannot extend it; it is then typed, fed to the LALR table (ignored terminals are
  dropped), and the character starts a new lexeme in the new state's context.
* The vocabulary tables are computed with numpy over all tokens at once: from a lexer state,
  every token is run through the DFA in parallel; tokens that stay inside the lexeme are
  grouped by the terminals still alive at their end ("parts", allowed when one of those can
  still be fed); tokens that end the lexeme are grouped by terminal type, and per group the
  remaining suffixes are run from the next context ("nodes", keyed by content). The parser
  runs once per terminal type, never per token.
* Build time (``_close``): the node of every character-boundary lexer state and, recursively,
  of every group in every context its terminal can lead to, plus a walk plan per (node set,
  LALR state it can be walked at). Only states with a half-read UTF-8 character (pending
  bytes) build nodes later (their token sets are small). Parts of >= V/32 tokens are packed
  bitmaps; the parts a plan allows outright are merged into at most one bitmap and one id list.
* A mask: walk from the current node (``_walk``) over sets of nodes walked on the same stack
  (``_Multi``: one feed per terminal for all of them; children of ignored groups join the set,
  a shifted child whose state only reduces by a one-symbol rule is walked at the goto state,
  where siblings meet). The plan says what the top state decides; reduce chains are computed
  directly, and each set's result is memoized on (set, the top stack states its subtree
  read), so a known (lexer state, top of stack) costs one lookup. The union of the parts is
  OR-ed (packed) and unpacked once into a pre-touched row of a pool (``_MaskPool``: fresh
  memory would cost a page fault per 4 KiB); bool masks live in an LRU keyed by their parts
  and EOS flag.
* Everything parser-independent is persisted under ``$HELIXC_CACHE_DIR`` (default
  ``~/.cache/helixc/constrain``), keyed by sha256(grammar text, tokenizer JSON, sizes).
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import weakref
from pathlib import Path

import numpy as np

from helixc.errors import E_GRAMMAR, HelixError

from . import regex_fsa as rf
from .vocab import guess_eos, token_bytes, token_bytes_of, tokenizer_fingerprint

FORMAT_VERSION = 12
log = logging.getLogger(__name__)


def cache_dir() -> Path:
    d = os.environ.get("HELIXC_CACHE_DIR")
    return Path(d) / "constrain" if d else Path.home() / ".cache" / "helixc" / "constrain"


# =========================================================================== grammar tables


def _lark_tables(grammar_text: str) -> dict:
    """Compile with Lark and extract plain, picklable tables."""
    from lark import Lark
    from lark.exceptions import GrammarError, LarkError
    from lark.lexer import UnlessCallback
    from lark.parsers.lalr_analysis import LALR_Analyzer, Shift

    try:
        lk = Lark(grammar_text, parser="lalr", lexer="contextual")
        # Lark resolves shift/reduce conflicts silently unless strict; strict mode as a whole
        # would also reject overlapping terminals (which the contextual lexer handles), so
        # re-run the LALR analysis strictly on its own.
        an = LALR_Analyzer(lk.parser.parser_conf, strict=True)
        an.compute_lalr()
    except GrammarError as e:
        raise HelixError(E_GRAMMAR, f"grammar is not LALR(1): {str(e).strip().splitlines()[0]}") from e
    except LarkError as e:
        raise HelixError(E_GRAMMAR, f"grammar rejected by Lark: {str(e).strip().splitlines()[0]}") from e
    if len(lk.options.start) != 1:
        raise HelixError(E_GRAMMAR, "grammar must have exactly one start symbol")
    start = lk.options.start[0]
    pt = lk.parser.parser.parser.parse_table
    table = {}
    for st, row in pt.states.items():
        r = {}
        for sym, (action, arg) in row.items():  # plain str names (Lark's rule names are Tokens: slow ==)
            if action is Shift:
                r[str(sym)] = (True, arg)
            else:
                r[str(sym)] = (False, len(arg.expansion), str(arg.origin.name))
        table[st] = r
    n_states = max(table) + 1
    table_list = [table.get(i, {}) for i in range(n_states)]

    gflags = lk.options.g_regex_flags or 0
    terms = {t.name: t for t in lk.terminals}
    ignore = frozenset(lk.lexer_conf.ignore)
    ctx_lexers = lk.parser.lexer.lexers
    ctx_ids: dict[int, int] = {}
    contexts = []  # per context: {"terms": [...lark order], "order": [...], "unless": {re: [str...]}}
    ctx_of_state = [0] * n_states
    for st, lx in ctx_lexers.items():
        k = id(lx)
        if k not in ctx_ids:
            ctx_ids[k] = len(contexts)
            sc = lx.scanner
            unless = {}
            for name, cb in lx.callback.items():
                if isinstance(cb, UnlessCallback):
                    unless[name] = [t.name for t in cb.scanner.terminals]
            contexts.append({
                "terms": [t.name for t in lx.terminals],
                "order": [t.name for t in sc.terminals],
                "unless": unless,
            })
        ctx_of_state[st] = ctx_ids[k]
    regexps = {n: (t.pattern.to_regexp(), t.pattern.type == "str") for n, t in terms.items()}
    return {
        "table": table_list,
        "start_state": pt.start_states[start],
        "end_state": pt.end_states[start],
        "contexts": contexts,
        "ctx_of_state": ctx_of_state,
        "regexps": regexps,
        "gflags": gflags,
        "ignore": ignore,
    }


def _build_dfa(g: dict) -> dict:
    """Byte-level DFA per context; global numbering, state 0 = dead."""
    nfa = rf.NFA()
    t_start, t_acc = {}, {}
    term_of: list = []
    for name, (rx, _is_str) in g["regexps"].items():
        n0 = len(nfa.edges)
        s, e = rf.add_terminal(nfa, rx, g["gflags"])
        t_start[name], t_acc[name] = s, e
        term_of.extend([name] * (len(nfa.edges) - n0))
    alive_sets: list[frozenset] = []
    alive_ids: dict[frozenset, int] = {}

    def alive_code(names) -> int:
        fz = frozenset(names)
        c = alive_ids.get(fz)
        if c is None:
            c = alive_ids[fz] = len(alive_sets)
            alive_sets.append(fz)
        return c

    alive = [alive_code(())]
    acc_of = {e: n for n, e in t_acc.items()}
    trans: list[list[int]] = [[0] * 256]
    mid = [False]
    acc_type: list[str | None] = [None]
    is_start = [False]
    ctx_start = []
    first_bytes: dict[str, set] = {}
    for name, s in t_start.items():
        fb = set()
        for q in rf.eps_closure(nfa, [s]):
            for lo, hi, _t in nfa.edges[q]:
                fb.update(range(lo, hi + 1))
        first_bytes[name] = fb
    clos_cache: dict[frozenset, frozenset] = {}
    for ci, ctx in enumerate(g["contexts"]):
        names = ctx["terms"]
        order = ctx["order"]
        unless = ctx["unless"]

        def resolve(acc_names, order=order, unless=unless, names=names):
            if not acc_names:
                return None
            chosen = next((n for n in order if n in acc_names), None)
            if chosen is None:
                chosen = next(n for n in names if n in acc_names)
            for s in unless.get(chosen, ()):
                if s in acc_names:
                    return s
            return chosen

        ids: dict[frozenset, int] = {}
        start_set = rf.eps_closure(nfa, [t_start[n] for n in names])
        start_id = len(trans)
        trans.append([0] * 256)
        mid.append(False)
        acc_type.append(None)
        is_start.append(True)
        alive.append(alive_code(names))
        ctx_start.append(start_id)
        todo = [(start_id, start_set)]
        while todo:
            sid, sset = todo.pop()
            raw: dict[int, set] = {}
            for q in sset:
                for lo, hi, t in nfa.edges[q]:
                    for b in range(lo, hi + 1):
                        raw.setdefault(b, set()).add(t)
            row = trans[sid]
            for b, ts in raw.items():
                fz = frozenset(ts)
                c = clos_cache.get(fz)
                if c is None:
                    c = clos_cache[fz] = rf.eps_closure(nfa, ts)
                tid = ids.get(c)
                if tid is None:
                    tid = ids[c] = len(trans)
                    trans.append([0] * 256)
                    m = any(nfa.mid[q] for q in c)
                    mid.append(m)
                    acc_names = {acc_of[q] for q in c if q in acc_of} if not m else set()
                    acc_type.append(resolve(acc_names))
                    is_start.append(False)
                    alive.append(alive_code({term_of[q] for q in c}))
                    todo.append((tid, c))
                row[b] = tid
    return {
        "trans": trans,
        "mid": mid,
        "acc_type": acc_type,
        "is_start": is_start,
        "ctx_start": ctx_start,
        "first_bytes": first_bytes,
        "alive": alive,
        "alive_sets": alive_sets,
    }


# =========================================================================== the constraint


class _Node:
    """Tokens run from one lexer start point: ``inside`` allowed outright, ``groups`` per
    terminal type that ends the current lexeme: (token ids, absolute offsets into seq)."""

    __slots__ = ("inside", "groups", "by_code", "key", "multi")

    def __init__(self, inside, groups, by_code, key=None):
        self.inside = inside
        self.groups = groups
        self.by_code = by_code  # alive-terminal-set code of the final lexer state -> token ids
        self.key = key  # its key in the node table
        self.multi = None  # the _Multi of this node alone (walk plans and memos live there)


class _Multi:
    """A set of nodes lexed in one context and walked on the same stack: their token sets
    are disjoint, so the tokens allowed are the union of what each allows, and one walk
    feeds each terminal once for all of them. ``plans``: top LALR state -> walk plan."""

    __slots__ = ("nodes", "plans")

    def __init__(self, nodes):
        self.nodes = nodes
        self.plans = {}


_LIVE: "weakref.WeakSet[GrammarConstraint]" = weakref.WeakSet()


@atexit.register
def _save_all():  # pragma: no cover - process exit
    for c in list(_LIVE):
        try:
            c.save_cache()
        except Exception as e:  # noqa: BLE001 - at exit nothing can be done but say so
            log.warning("cannot save constraint cache %s: %s: %s", c._nodes_path, type(e).__name__, e)


_MEM: dict = {}


class _MaskPool:
    """Memory for the bool masks the caches keep, touched in advance.

    A new mask written to fresh memory costs a page fault per 4 KiB (at 151k tokens ~60 us
    on a VM, more than computing it), so masks are written into pre-touched rows, each an
    array of its own. A row is reused only when nothing but the pool refers to it (no cache,
    no caller, no view a caller took of it: a view holds its base), which the reference
    count tells."""

    def __init__(self, V: int, block_bytes: int = 4 << 20, first_bytes: int = 12 << 20, rows: int | None = None):
        self.V = V
        self.block = max(8, min(256, block_bytes // max(V, 1)))
        self.rows: list = []
        self.cursor = 0
        self._grow(rows if rows is not None else max(self.block, min(512, first_bytes // max(V, 1))))

    def _grow(self, n: int | None = None):
        for _ in range(n or self.block):
            r = np.empty(self.V, dtype=bool)
            r.fill(False)  # touch every page now
            self.rows.append(r)

    def take(self) -> np.ndarray:
        rows = self.rows
        n = len(rows)
        i = self.cursor
        rc = sys.getrefcount
        for _ in range(n):
            if rc(rows[i]) <= 2:  # the list and the argument
                break
            i = i + 1 if i + 1 < n else 0
        else:
            i = n
            self._grow()
        r = rows[i]
        self.cursor = i + 1 if i + 1 < len(rows) else 0
        r.flags.writeable = True
        return r


def _load_pickle(f):
    """pickle.load with the cyclic GC paused: unpickling tens of thousands of objects would
    otherwise trigger full collections over everything the process holds (100+ ms when
    other constraints' memos are alive)."""
    was = gc.isenabled()
    gc.disable()
    try:
        return pickle.load(f)
    finally:
        if was:
            gc.enable()


class _Rebuilt(Exception):
    """The tables were rebuilt under a running mask computation: start it again."""

_ALL_BYTES = frozenset(range(256))


class GrammarConstraint:
    """Token-level constraint for one LALR Lark grammar and one tokenizer.

    ``GrammarConstraint(grammar_text, tokenizer, *, vocab_size=None, backend="auto",
    eos_token_id=None, cache=True)``; ``backend="llguidance"`` returns the llguidance-backed
    twin with the same interface.
    """

    backend = "lark"

    def __new__(cls, grammar_text=None, tokenizer=None, *, backend: str = "auto", **kw):
        if cls is GrammarConstraint and backend == "llguidance":
            from .llg import LLGuidanceConstraint

            return LLGuidanceConstraint(grammar_text, tokenizer, **kw)
        if backend not in ("auto", "lark", "llguidance"):
            raise HelixError(E_GRAMMAR, f"unknown constraint backend {backend!r} (lark, llguidance, auto)")
        return super().__new__(cls)

    def __init__(self, grammar_text: str, tokenizer, *, vocab_size: int | None = None, backend: str = "auto",
                 eos_token_id=None, pad_token_id=None, cache: bool = True, precompute: bool = True):
        tok_hash = tokenizer_fingerprint(tokenizer)
        mem_key = (hashlib.sha256(grammar_text.encode()).hexdigest(), tok_hash, vocab_size, repr(eos_token_id))
        key = hashlib.sha256(repr((FORMAT_VERSION,) + mem_key).encode()).hexdigest()
        self.cache_key = key
        d = cache_dir()
        self._core_path = d / f"{key}.core.pkl" if cache else None
        self._nodes_path = d / f"{key}.nodes.pkl" if cache else None
        self.built_from = "memory"
        data = _MEM.get(key)
        if data is None and self._core_path is not None and self._core_path.exists():
            try:
                with open(self._core_path, "rb") as f:
                    data = _load_pickle(f)
                if not self._same_tokens(data, tokenizer):
                    data = None
                else:
                    data["nodes"] = data["multis"] = None  # read below
                    data["closed"] = False
                    self.built_from = "disk"
            except Exception as e:  # noqa: BLE001 - corrupt or foreign cache file: rebuild it
                log.warning("ignoring unreadable constraint cache %s (%s: %s); rebuilding it",
                            self._core_path, type(e).__name__, e)
                data = None
        self._dirty = False
        if data is None:
            data = self._build(grammar_text, tokenizer, vocab_size, eos_token_id)
            self.built_from = "grammar"
        _MEM[key] = data
        self._load(data)
        if pad_token_id is None:
            pad_token_id = getattr(tokenizer, "pad_token_id", None)
        self.pad_token_id = pad_token_id if isinstance(pad_token_id, int) else None
        self.grammar_text = grammar_text
        self.tokenizer = tokenizer
        self._masks: dict = {}  # parser state -> ((part ids, EOS allowed), parts)
        self._state_cap = 200_000
        self._mask_cap = max(8, min(2048, (24 << 20) // max(self.vocab_size, 1)) - 8)  # ~24 MB of masks
        # every row the mask LRU can fill is touched now (~24 MB at 151k, a few ms): growing the
        # pool while decoding cost 0.4-0.6 ms on the token that did it; it still grows (4 MB at a
        # time) when callers hold many masks
        self._pool = _MaskPool(self.vocab_size, rows=self._mask_cap + 16)
        self._bool_masks: dict = {}  # (part ids, EOS allowed) -> bool mask (insertion-ordered LRU)
        self._acc_memo: dict = {}
        self._quick: dict = {}
        self._walk_memo: dict = {}  # (_Multi id, top stack states read) -> parts of its walk
        self._walk_depths: dict = {}  # _Multi id -> the numbers of top states its walks read
        self._interned: dict = {}  # content digest -> merged part (see _merge_parts)
        self._new_plans = None  # the build-time closure collects new plans here
        self._finished_mask = None
        if self._core_path is not None and (self.built_from == "grammar" or not self._core_path.exists()):
            self._write(self._core_path, {k: v for k, v in data.items() if k not in ("nodes", "multis", "closed")})
        if data["nodes"] is None:
            data["nodes"], data["multis"], data["closed"] = self._read_nodes()
        if precompute and not data["closed"]:
            was = gc.isenabled()
            gc.disable()  # the closure allocates many small objects, none of them cyclic garbage
            try:
                self._close()
            finally:
                if was:
                    gc.enable()
            data["closed"] = True
            self._dirty = True
            self.save_cache()
        _LIVE.add(self)

    @staticmethod
    def _same_tokens(data, tokenizer) -> bool:
        M, lens = data["M"], data["lens"]
        n = len(lens)
        ids = [int(i) for i in np.random.default_rng(len(lens)).integers(0, n, 512)] if n else []
        for i, b in token_bytes_of(tokenizer, ids).items():
            if b is not None and lens[i] and M[i, : lens[i]].tobytes() != b:
                return False
        return True

    # ------------------------------------------------------------------ build

    def _build(self, grammar_text, tokenizer, vocab_size, eos_token_id) -> dict:
        g = _lark_tables(grammar_text)
        d = _build_dfa(g)
        toks, info = token_bytes(tokenizer)
        n_tok = len(toks)
        V = max(vocab_size or 0, n_tok)
        if eos_token_id is None:
            eos = guess_eos(tokenizer, info["special"])
        else:
            eos = [eos_token_id] if isinstance(eos_token_id, int) else [int(e) for e in eos_token_id]
        for e in eos:  # EOS never spells text, even where the tokenizer does not mark it special
            if 0 <= e < n_tok:
                toks[e] = None
        lens = np.fromiter((len(t) if t else 0 for t in toks), dtype=np.int32, count=n_tok)
        W = int(lens.max()) if n_tok else 1
        flat = b"".join(t.ljust(W, b"\0") if t else b"\0" * W for t in toks)
        M = np.frombuffer(flat, dtype=np.uint8).reshape(n_tok, max(W, 1)).copy()
        self._check_spellable(g, d, toks)
        return {"g": g, "d": d, "M": M, "lens": lens, "V": V, "eos": eos, "nodes": {}, "multis": {}, "closed": False,
                "kind": info["kind"]}

    @staticmethod
    def _check_spellable(g, d, toks):
        tset = {t for t in toks if t}
        firsts = {t[0] for t in tset}
        used = set()
        for ctx in g["contexts"]:
            used.update(ctx["terms"])
        for name in sorted(used):
            rx, is_str = g["regexps"][name]
            if name in g["ignore"]:
                continue
            if is_str:
                import re as _re

                lit = _re.sub(r"\\(.)", r"\1", rx).encode("utf-8")
                # segment the literal into tokens (the last token may run past its end)
                ok = [False] * (len(lit) + 1)
                ok[0] = True
                for i in range(len(lit)):
                    if not ok[i]:
                        continue
                    for j in range(i + 1, len(lit) + 1):
                        if lit[i:j] in tset:
                            ok[j] = True
                    if not ok[-1] and any(t.startswith(lit[i:]) for t in tset if t[0] == lit[i]):
                        ok[-1] = True
                if not ok[-1]:
                    raise HelixError(E_GRAMMAR, f"the tokenizer cannot spell the literal {lit.decode('utf-8', 'replace')!r} "
                                                f"(terminal {name}) of the grammar")
            else:
                if not (d["first_bytes"][name] & firsts):
                    raise HelixError(E_GRAMMAR, f"the tokenizer cannot spell the first character of terminal {name} (/{rx}/): no token starts with it")

    def _load(self, data):
        self._data = data
        g, d = data["g"], data["d"]
        self.table = g["table"]
        self.start_state = g["start_state"]
        self.end_state = g["end_state"]
        self.ignore = g["ignore"]
        self.ctx_of_state = g["ctx_of_state"]
        self.ctx_start = d["ctx_start"]
        self.trans_l = d["trans"]
        self.trans = np.array(d["trans"], dtype=np.int64)
        self.trans_flat = self.trans.reshape(-1)
        self.mid_l = d["mid"]
        self.mid = np.array(d["mid"], dtype=bool)
        self.acc_type = d["acc_type"]
        self.is_start = d["is_start"]
        self.alive_l = d["alive"]
        self.alive = np.array(d["alive"], dtype=np.int32)
        self.alive_sets = d["alive_sets"]
        types = sorted({t for t in self.acc_type if t is not None})
        self._type_names = types
        tcode = {t: i for i, t in enumerate(types)}
        self.acc_code = np.array([tcode[t] if t is not None else -1 for t in self.acc_type], dtype=np.int32)
        self.M = data["M"]
        self.lens = data["lens"]
        self.vocab_size = data["V"]
        self.eos_token_ids = list(data["eos"])
        self.n_tokens = len(self.lens)
        self._by_first = None
        self._pack_min = max(1, self.vocab_size // 32)  # parts this large are stored as packed bits
        # the context each DFA state belongs to (states are numbered context by context)
        self.ctx_of_dfa = [int(x) for x in np.searchsorted(np.asarray(self.ctx_start), np.arange(len(self.trans_l)),
                                                            side="right") - 1]
        shift_ctx: dict = {}
        shift_to: dict = {}
        for row in self.table:
            for sym, a in row.items():
                if a[0]:
                    shift_ctx.setdefault(sym, set()).add(self.ctx_of_state[a[1]])
                    shift_to.setdefault(sym, set()).add(a[1])
        self._shift_ctx = {sym: tuple(sorted(v)) for sym, v in shift_ctx.items()}
        self._shift_to = {sym: tuple(sorted(v)) for sym, v in shift_to.items()}
        # states whose every action reduces by a rule of one symbol to the same nonterminal:
        # a walk on stack + (x,) is the walk on stack + (goto(top, A),) (see _plan)
        # (and every terminal its context can lex is one it reduces, or ignored)
        ctx_terms = [frozenset(cx["terms"]) for cx in data["g"]["contexts"]]
        unit = []
        for x, row in enumerate(self.table):
            acts = {(a[1], a[2]) for a in row.values() if not a[0]}
            ok = (len(acts) == 1 and all(not a[0] for a in row.values()) and next(iter(acts))[0] == 1
                  and all(t in row or t in self.ignore for t in ctx_terms[self.ctx_of_state[x]]))
            unit.append(next(iter(acts))[1] if ok else None)
        self._unit = unit

    @property
    def _nodes(self) -> dict:
        return self._data["nodes"]

    @property
    def _multis(self) -> dict:
        return self._data["multis"]

    def _read_nodes(self) -> tuple[dict, dict, bool]:
        """The persisted vocabulary tables: (nodes, node sets with their walk plans, whether
        the build-time closure is in them)."""
        if self._nodes_path is None or not self._nodes_path.exists():
            return {}, {}, False
        try:
            with open(self._nodes_path, "rb") as f:
                obj = _load_pickle(f)
            if not (isinstance(obj, dict) and obj.get("format") == FORMAT_VERSION and isinstance(obj.get("nodes"), dict)
                    and isinstance(obj.get("multis"), dict)):
                raise ValueError("not a nodes table of this format")
            return obj["nodes"], obj["multis"], bool(obj.get("closed"))
        except Exception as e:  # noqa: BLE001 - corrupt cache file: recompute
            log.warning("ignoring unreadable constraint cache %s (%s: %s)", self._nodes_path, type(e).__name__, e)
            return {}, {}, False

    @staticmethod
    def _write(path: Path, obj):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(obj, f, protocol=5)
            os.replace(tmp, path)
        except OSError as e:  # a read-only cache is not an error
            log.warning("cannot write constraint cache %s: %s", path, e)

    def save_cache(self):
        """Persist the lazily computed vocabulary tables (also done at exit)."""
        if self._nodes_path is None or not self._dirty:
            return
        self._write(self._nodes_path, {"format": FORMAT_VERSION, "closed": bool(self._data.get("closed")),
                                       "nodes": self._nodes, "multis": self._multis})
        self._dirty = False

    # ------------------------------------------------------------------ public

    def start(self) -> "ConstraintState":
        s0 = (self.start_state,)
        return ConstraintState(self, s0, self.ctx_start[self.ctx_of_state[self.start_state]], b"", False)

    def warmup(self, token_id_lists) -> int:
        """Compute the masks along the given token sequences (e.g. tokenized training targets)
        so their walk memos (and tables of states inside split UTF-8 characters) exist before
        decoding starts; returns the steps walked.
        Sequences are followed while their tokens are allowed."""
        steps = 0
        for ids in token_id_lists:
            st = self.start()
            for t in ids:
                st.mask()
                steps += 1
                if not st.allows(t):
                    break
                st.advance(t)
            else:
                st.mask()
        self.save_cache()
        return steps

    def token_bytes(self, token_id: int) -> bytes:
        if 0 <= token_id < self.n_tokens:
            return self.M[token_id, : self.lens[token_id]].tobytes()
        return b""

    def accepts_text(self, text: str | bytes) -> bool:
        """Does the grammar (as this constraint reads it) accept ``text`` as a whole sentence?"""
        data = text.encode("utf-8") if isinstance(text, str) else text
        st = self.start()
        r = self._run(st.stack, st.bs, st.pending, data)
        return r is not None and self._accepting(*r)

    # ------------------------------------------------------------------ parser

    def _feed(self, stack: tuple, T: str):
        """Feed terminal ``T``: (new stack or None, lowest stack length read).

        Reductions read the stack down to some depth and keep everything below it: the new
        stack is ``stack[:k]`` + the states pushed, built once at the end. No memo: a reduce
        chain is two or three table lookups, cheaper than a trie walk over memory the cache
        no longer holds (the walk memo above it makes repeats rare)."""
        table = self.table
        a = table[stack[-1]].get(T)
        n = len(stack)
        if a is None:
            return None, n
        if a[0]:  # shift: reads the top only
            return stack + (a[1],), n
        k = n  # the stack is stack[:k] + tail
        tail: list = []
        while True:
            L = a[1]
            if L:
                lt = len(tail)
                if L <= lt:
                    del tail[lt - L:]
                else:
                    k -= L - lt
                    if lt:
                        tail.clear()
            s = tail[-1] if tail else stack[k - 1]
            tail.append(table[s][a[2]][1])
            a = table[tail[-1]].get(T)
            if a is None:
                return None, k
            if a[0]:
                tail.append(a[1])
                return stack[:k] + tuple(tail), k

    def _feed_end(self, stack: tuple) -> bool:
        table = self.table
        st = list(stack)
        while True:
            a = table[st[-1]].get("$END")
            if a is None or a[0]:
                return False
            n = a[1]
            if n:
                del st[-n:]
            st.append(table[st[-1]][a[2]][1])
            if st[-1] == self.end_state:
                return True

    def _code_quick(self, state: int, code: int):
        """What the top LALR state alone says about alive set ``code``: True (an ignored or
        shiftable terminal), False (no action for any), or the terminals that reduce."""
        key = (state, code)
        r = self._quick.get(key)
        if r is None:
            row = self.table[state]
            red = []
            r = False
            for T in self.alive_sets[code]:
                if T in self.ignore:
                    r = True
                    break
                a = row.get(T)
                if a is None:
                    continue
                if a[0]:
                    r = True
                    break
                red.append(T)
            else:
                if red:
                    r = tuple(sorted(red))
            self._quick[key] = r
        return r

    def _code_ok(self, stack, code, touch=None) -> bool:
        """Can the unfinished lexeme (alive terminal set ``code``) still be fed to the parser?"""
        top = len(stack)
        if touch is not None and top < touch[0]:
            touch[0] = top
        q = self._code_quick(stack[-1], code)
        if q is True or q is False:
            return q
        for T in q:
            s2, t = self._feed(stack, T)
            if touch is not None and t < touch[0]:
                touch[0] = t
            if s2 is not None:
                return True
        return False

    def _accepting(self, stack, bs, pending) -> bool:
        if pending:
            return False
        key = (stack, bs)
        r = self._acc_memo.get(key)
        if r is None:
            if self.is_start[bs]:
                r = self._feed_end(stack)
            else:
                T = self.acc_type[bs]
                if T is None:
                    r = False
                elif T in self.ignore:
                    r = self._feed_end(stack)
                else:
                    s2, _ = self._feed(stack, T)
                    r = s2 is not None and self._feed_end(s2)
            if len(self._acc_memo) > 200_000:
                self._acc_memo.clear()
            self._acc_memo[key] = r
        return r

    # ------------------------------------------------------------------ scalar run

    def _run(self, stack, bs, pending, data: bytes):
        """Feed bytes; returns (stack, boundary state, pending) or None if rejected."""
        seq = pending + data if pending else data
        trans, mid, acc, ign = self.trans_l, self.mid_l, self.acc_type, self.ignore
        s = bnd = bs
        bpos = 0
        j = 0
        n = len(seq)
        while j < n:
            nxt = trans[s][seq[j]]
            if nxt:
                s = nxt
                j += 1
                if not mid[s]:
                    bnd = s
                    bpos = j
            else:
                T = acc[bnd]
                if T is None:
                    return None
                if T not in ign:
                    stack, _ = self._feed(stack, T)
                    if stack is None:
                        return None
                s = bnd = self.ctx_start[self.ctx_of_state[stack[-1]]]
                j = bpos
        if not self._code_ok(stack, self.alive_l[s]):
            return None
        return stack, bnd, seq[bpos:]

    # ------------------------------------------------------------------ vectorized run

    def _simulate(self, start: int, ids: np.ndarray, offs: np.ndarray | None, pending: bytes):
        """Run the byte strings (pending + token)[off:] of the given tokens from DFA state
        ``start``, all at once; bytes are gathered column by column, only for rows still alive.

        Returns (inside_rows, inside_end_alive_codes, cross_rows, cross_type_codes, cross_offsets),
        offsets relative to each row's start."""
        if not pending:
            return self._simulate0(start, ids, offs)
        n = len(ids)
        tf = self.trans_flat
        midf = self.mid
        M = self.M
        P = len(pending)
        pend = np.frombuffer(pending, dtype=np.uint8) if P else None
        rows = np.arange(n, dtype=np.int64)
        tid = ids.astype(np.int64, copy=False)
        base = (offs.astype(np.int64) if offs is not None else np.zeros(n, np.int64)) - P  # token index of row byte 0
        lens = (self.lens[tid] - base).astype(np.int64)  # row length
        cur = np.full(n, start, dtype=np.int64)
        bnd = cur.copy()
        bpos = np.zeros(n, dtype=np.int64)
        in_rows, in_states, d_rows, d_bnd, d_bpos = [], [], [], [], []
        j = 0
        while rows.size:
            fin = lens <= j
            if fin.any():
                in_rows.append(rows[fin])
                in_states.append(cur[fin])
                keep = ~fin
                rows, cur, bnd, bpos, lens, tid, base = (rows[keep], cur[keep], bnd[keep], bpos[keep], lens[keep],
                                                         tid[keep], base[keep])
                if not rows.size:
                    break
            k = base + j
            if P and (k < 0).any():
                neg = k < 0
                byte = np.empty(len(k), dtype=np.int64)
                byte[neg] = pend[k[neg] + P]
                pos = ~neg
                byte[pos] = M[tid[pos], k[pos]]
            else:
                byte = M[tid, k]
            nxt = tf[(cur << 8) | byte]
            dead = nxt == 0
            if dead.any():
                d_rows.append(rows[dead])
                d_bnd.append(bnd[dead])
                d_bpos.append(bpos[dead])
                keep = ~dead
                rows, nxt, bnd, bpos, lens, tid, base = (rows[keep], nxt[keep], bnd[keep], bpos[keep], lens[keep],
                                                         tid[keep], base[keep])
            cur = nxt
            nb = ~midf[cur]
            bnd = np.where(nb, cur, bnd)
            bpos = np.where(nb, j + 1, bpos)
            j += 1
        z = np.zeros(0, np.int64)
        inside_rows = np.concatenate(in_rows) if in_rows else z
        end_codes = self.alive[np.concatenate(in_states)] if in_states else z.astype(np.int32)
        if d_rows:
            d = np.concatenate(d_rows)
            codes = self.acc_code[np.concatenate(d_bnd)]
            bp = np.concatenate(d_bpos)
            ok = codes >= 0
            return inside_rows, end_codes, d[ok], codes[ok], bp[ok]
        return inside_rows, end_codes, z, z.astype(np.int32), z.astype(np.int32)

    def _simulate0(self, start: int, ids: np.ndarray, offs: np.ndarray | None):
        """``_simulate`` without pending bytes (every build-time table), same results in
        another row order: rows sorted by length, so the rows that end at a column are a
        tail slice; rows the DFA kills stay in place in the dead state (0 -> 0) and are
        compacted away only once they are half of the live prefix."""
        n = len(ids)
        tf = self.trans_flat
        midf = self.mid
        W = self.M.shape[1]
        Mf = self.M.reshape(-1)
        tid = ids.astype(np.int64, copy=False)
        base = offs.astype(np.int64) if offs is not None else np.zeros(n, np.int64)
        L = self.lens[tid].astype(np.int64) - base
        order = np.argsort((W - L).astype(np.int16), kind="stable")  # radix sort: longest first
        rows = order.astype(np.int64)
        L = L[order]
        ptr = tid[order] * W + base[order]
        cur = np.full(n, start, dtype=np.int64)
        bnd = cur.copy()
        bpos = np.zeros(n, dtype=np.int64)
        in_rows, in_states, d_rows, d_bnd, d_bpos = [], [], [], [], []
        negL = -L
        m = n
        dead_n = 0
        j = 0
        while m:
            m2 = int(np.searchsorted(negL[:m], -j, side="left"))  # rows with L > j
            if m2 < m:
                seg = cur[m2:m]
                live = seg != 0
                in_rows.append(rows[m2:m][live])
                in_states.append(seg[live])
                dead_n -= int((~live).sum())
                m = m2
                if not m:
                    break
            c = cur[:m]
            nxt = tf[(c << 8) | Mf[ptr[:m] + j]]
            z = nxt == 0
            nz = int(np.count_nonzero(z))
            if nz > dead_n:  # rows killed at this column (the dead ones stay dead)
                dead = z & (c != 0)
                d_rows.append(rows[:m][dead])
                d_bnd.append(bnd[:m][dead])
                d_bpos.append(bpos[:m][dead])
                dead_n = nz
            c[:] = nxt
            midm = midf[nxt]
            if midm.any():
                nb = ~midm
                np.copyto(bnd[:m], nxt, where=nb)
                np.copyto(bpos[:m], j + 1, where=nb)
            else:
                bnd[:m] = nxt
                bpos[:m] = j + 1
            j += 1
            if dead_n and 2 * dead_n >= m:
                keep = cur[:m] != 0
                rows, L, ptr, cur, bnd, bpos = (x[:m][keep] for x in (rows, L, ptr, cur, bnd, bpos))
                negL = -L
                m = len(rows)
                dead_n = 0
        z = np.zeros(0, np.int64)
        inside_rows = np.concatenate(in_rows) if in_rows else z
        end_codes = self.alive[np.concatenate(in_states)] if in_states else z.astype(np.int32)
        if d_rows:
            d = np.concatenate(d_rows)
            codes = self.acc_code[np.concatenate(d_bnd)]
            bp = np.concatenate(d_bpos)
            ok = codes >= 0
            return inside_rows, end_codes, d[ok], codes[ok], bp[ok]
        return inside_rows, end_codes, z, z.astype(np.int32), z.astype(np.int32)

    def _first_buckets(self):
        if self._by_first is None:
            valid = np.flatnonzero(self.lens > 0)
            first = self.M[valid, 0]
            order = np.argsort(first, kind="stable")
            ids = valid[order].astype(np.int64)
            cuts = np.searchsorted(first[order], np.arange(257))
            self._by_first = [ids[cuts[b]:cuts[b + 1]] for b in range(256)]
        return self._by_first

    def _node(self, pending: bytes, start: int, src):
        """Tokens from lexer state ``start`` (+ pending bytes). ``src`` is ("F", first bytes)
        for whole tokens (offset 0) or ("E", ids, offsets, digest) for token suffixes. Nodes
        are keyed by content, so equal token sets reached along different paths share one."""
        nodes = self._nodes
        key = (start, pending, src[1] if src[0] == "F" else src[3])
        node = nodes.get(key)
        if node is not None:
            return node
        if src[0] == "E" and src[1] is None:  # a closed table lost a node (cannot happen): rebuild it
            log.warning("constraint table %s lacks a node; rebuilding the tables", self.cache_key[:12])
            nodes.clear()
            self._multis.clear()
            self._drop_memos()
            self._close()
            self._data["closed"] = True
            self._dirty = True
            raise _Rebuilt
        groups = []
        if src[0] == "F":
            D = src[1]
            s = start
            for b in pending:
                s = self.trans_l[s][b]
                if not s:
                    break
            T0 = self.acc_type[start]
            if not s:
                live, dead = (), D
            else:
                row = self.trans_l[s]
                live = [b for b in D if row[b]]
                dead = frozenset(b for b in D if not row[b])
            if dead and T0 is not None:
                groups.append((T0, ("F", frozenset(dead))))
            buckets = self._first_buckets()
            parts = [buckets[b] for b in sorted(live) if len(buckets[b])]
            ids = np.concatenate(parts) if parts else np.zeros(0, np.int64)
            offs = None
        else:
            ids, offs = src[1], src[2]
        by_code = {}
        if len(ids):
            inside_rows, end_codes, cr, codes, cpos = self._simulate(start, ids, offs, pending)
            for c in np.unique(end_codes):
                by_code[int(c)] = self._part(np.sort(ids[inside_rows[end_codes == c]]).astype(np.int32))
            base = offs if offs is not None else np.zeros(len(ids), np.int32)
            for c in np.unique(codes):
                sel = codes == c
                rows = cr[sel]
                gids = ids[rows].astype(np.int32)
                goffs = (base[rows] + cpos[sel]).astype(np.int32)
                o = np.lexsort((goffs, gids))  # canonical order: the digest names the set
                gids, goffs = gids[o], goffs[o]
                dig = hashlib.blake2b(gids.tobytes() + goffs.tobytes(), digest_size=16).digest()
                groups.append((self._type_names[int(c)], ("E", gids, goffs, dig)))
        node = _Node(None, groups, by_code, key)
        nodes[key] = node
        self._dirty = True
        return node

    def _compute_parts(self, stack, bs, pending) -> tuple:
        root = self._node(pending, bs, ("F", _ALL_BYTES))
        try:
            return self._walk(root.multi or self._multi((root,)), stack, pending)[0]
        except _Rebuilt:
            root = self._node(pending, bs, ("F", _ALL_BYTES))
            return self._walk(self._multi((root,)), stack, pending)[0]

    def _drop_memos(self):
        """Forget every mask and walk memo (they refer to nodes by identity)."""
        for memo in (self._masks, self._bool_masks, self._walk_memo, self._walk_depths):
            memo.clear()

    def _child(self, pending: bytes, state: int, src):
        start = self.ctx_start[self.ctx_of_state[state]]
        child = self._nodes.get((start, pending, src[1] if src[0] == "F" else src[3]))
        return child if child is not None else self._node(pending, start, src)

    def _child_at(self, pending: bytes, start: int, src):
        child = self._nodes.get((start, pending, src[1] if src[0] == "F" else src[3]))
        return child if child is not None else self._node(pending, start, src)

    def _multi(self, nodes) -> _Multi:
        """The one _Multi of a set of nodes (registered by their keys, persisted with them)."""
        if len(nodes) == 1:
            n = nodes[0]
            if n.multi is not None:
                return n.multi
        key = frozenset(n.key for n in nodes)
        m = self._multis.get(key)
        if m is None:
            uniq = {id(n): n for n in nodes}
            m = self._multis[key] = _Multi(tuple(uniq.values()))
        if len(nodes) == 1:
            nodes[0].multi = m
        return m

    def _merge_parts(self, parts) -> tuple:
        """Parts that are always allowed together, as at most one packed bitmap and one id
        list (interned by content: equal unions are one object, so the mask LRU shares them)."""
        if len(parts) <= 1:
            return tuple(parts)
        nb = (self.vocab_size + 7) // 8
        packed = [p for p in parts if len(p) == nb]
        small = [p for p in parts if len(p) != nb]
        out = []
        if small:
            ids = np.concatenate(small) if len(small) > 1 else small[0]
            if len(small) > 1 and len(ids) >= self._pack_min:
                packed.append(self._part(ids))
            else:
                out.append(ids)
        if len(packed) > 1:
            acc = np.bitwise_or(packed[0], packed[1])
            for q in packed[2:]:
                np.bitwise_or(acc, q, out=acc)
            packed = [acc]
        out = packed + out
        res = []
        for q in out:
            dig = hashlib.blake2b(q.tobytes(), digest_size=16).digest() + bytes([len(q) == nb])
            r = self._interned.get(dig)
            if r is None:
                q.flags.writeable = False
                r = self._interned[dig] = q
            res.append(r)
        return tuple(res)

    def _plan(self, m: _Multi, top: int, pending: bytes):
        """What the top LALR state alone decides for the nodes of ``m``: the parts allowed
        outright, the parts whose alive terminals reduce (fed at walk time), and the groups:
        shifted (children walked on stack + target) or reduced (fed at walk time, once per
        terminal for all nodes); groups without an action are left out, and the children
        of ignored groups are taken in as nodes of ``m`` (they are walked on this same
        stack). Children reached the same way are walked together (one _Multi). A shifted
        child whose state x only reduces by a rule of one symbol to A is walked on stack +
        (goto(top, A),) instead: every terminal it can read is in x's context, where x
        reduces it, so that is where the parse goes, and siblings whose first terminal
        differs (scalars of one value position) meet there. A child whose own plan is
        static (no reductions anywhere below it) is merged in: its parts depend on nothing
        but its top state. Cached per (node set, top state): a static plan is the walk's
        whole answer, others walk only the reduce-dependent part of the tree. Kids:
        (1, shifted state, _Multi) or (2, terminal, sources, {ctx start: _Multi})."""
        always, red, k1, k2 = [], {}, {}, {}
        row = self.table[top]
        reads = False
        cs, cod, unit = self.ctx_start, self.ctx_of_dfa, self._unit
        todo = list(m.nodes)
        seen = {id(n) for n in todo}
        for node in todo:  # grows: the children of ignored groups are walked on this very stack
            if node.by_code:
                reads = True
            for code, ids in node.by_code.items():
                q = self._code_quick(top, code)
                if q is True:
                    always.append(ids)
                elif q is not False:
                    red.setdefault(q, []).append(ids)
            for T, src in node.groups:
                if T in self.ignore:  # the next lexeme is read in this node's own context
                    child = self._child_at(pending, cs[cod[node.key[0]]], src)
                    if id(child) not in seen:
                        seen.add(id(child))
                        todo.append(child)
                    continue
                reads = True
                a = row.get(T)
                if a is None:
                    continue
                if not a[0]:
                    k2.setdefault(T, []).append(src)
                    continue
                x = a[1]
                child = self._child(pending, x, src)
                A = unit[x]
                if A is not None:
                    g = row.get(A)
                    if g is not None and g[0]:
                        x = g[1]
                k1.setdefault(x, []).append(child)
        kids = []
        for x, nodes in k1.items():
            child = self._multi(nodes)
            cp = child.plans.get(x)
            if cp is None:
                cp = self._plan(child, x, pending)
            if cp[4]:  # static: parts fixed by x alone (a new top, nothing below read)
                always.extend(cp[0])
            else:
                kids.append((1, x, child))
        for T, srcs in k2.items():
            kids.append((2, T, tuple(srcs), {}))  # the last: ctx start -> _Multi of the children
        red = tuple((self._merge_parts(v), q) for q, v in red.items())
        plan = (self._merge_parts(always), red, tuple(kids), reads, not red and not kids)
        m.plans[top] = plan
        if self._new_plans is not None:
            self._new_plans.append(plan)
        return plan

    def _walk(self, m: _Multi, stk: tuple, pending: bytes):
        """The parts of the nodes of ``m`` allowed from LALR stack ``stk`` (tokens inside a
        lexeme whose alive terminals can still be fed, then recursively the groups whose
        terminal feeds), and the lowest stack length read. Memoized per node set on the top
        stack states read: a subtree that read the top k states gives the same parts under
        any stack with those k states on top."""
        n = len(stk)
        top = stk[-1]
        plan = m.plans.get(top)
        if plan is None:
            plan = self._plan(m, top, pending)
        if plan[4]:
            return plan[0], (n if plan[3] else n + 1)
        mid = id(m)
        ds = self._walk_depths.get(mid)
        if ds is not None:  # the memo: (node set, the top states its walk read) -> parts
            memo = self._walk_memo
            for d in ds:
                if d <= n:
                    r = memo.get((mid, stk[n - d:]))
                    if r is not None:
                        return r, n - d + 1
        always, red, kids, reads, _static = plan
        t = n if reads else n + 1
        parts = list(always)
        feed = self._feed
        for ps, Ts in red:
            for T in Ts:
                s2, t2 = feed(stk, T)
                if t2 < t:
                    t = t2
                if s2 is not None:
                    parts.extend(ps)
                    break
        for kid in kids:
            if kid[0] == 1:
                s2, child = stk + (kid[1],), kid[2]  # kid[1]: the shifted state
            else:
                s2, t2 = feed(stk, kid[1])
                if t2 < t:
                    t = t2
                if s2 is None:
                    continue
                start = self.ctx_start[self.ctx_of_state[s2[-1]]]
                child = kid[3].get(start)
                if child is None:
                    child = kid[3][start] = self._multi([self._child_at(pending, start, src) for src in kid[2]])
            cp, ct = self._walk(child, s2, pending)
            if ct < t:
                t = ct
            if cp:
                parts.extend(cp)
        parts = tuple(parts)
        if len(self._walk_memo) > 400_000:
            self._walk_memo.clear()
            self._walk_depths.clear()
            ds = None
        d = n - t + 1  # states read from the top (0: none)
        self._walk_memo[(mid, stk[n - d:])] = parts
        if ds is None:
            self._walk_depths[mid] = [d]
        elif d not in ds:
            ds.append(d)
        return parts, t

    def _part(self, ids: np.ndarray) -> np.ndarray:
        """A set of token ids as it is kept in a node: sorted int32 ids when small, else the
        vocabulary bitmap packed little-endian (bit i of byte k = token 8k+i), read-only."""
        if len(ids) >= self._pack_min:
            m = np.zeros(self.vocab_size, dtype=bool)
            m[ids] = True
            ids = np.packbits(m, bitorder="little")
        ids.flags.writeable = False
        return ids

    def _assemble(self, parts) -> np.ndarray:
        """Union of parts as a bool mask: OR of the packed ones, unpacked once, then the small
        id lists scattered in (a few microseconds each at 151k tokens)."""
        V = self.vocab_size
        nb = (V + 7) // 8  # an id list is shorter than V / 32: never this long
        packed, small = [], []
        for p in parts:
            (packed if len(p) == nb else small).append(p)
        m = self._pool.take()
        if packed:
            acc = packed[0]
            if len(packed) > 1:
                acc = np.bitwise_or(acc, packed[1])
                for p in packed[2:]:
                    np.bitwise_or(acc, p, out=acc)
            m.view(np.uint8)[:] = np.unpackbits(acc, count=V, bitorder="little")
        else:
            m.fill(False)
        if small:
            m[np.concatenate(small) if len(small) > 1 else small[0]] = True
        return m

    def _close(self):
        """Build-time closure: the node of every character-boundary lexer state (no pending
        bytes) and, recursively, of every group in every context its terminal can lead to
        (the contexts of the LALR states that shift it; for an ignored terminal, the node's
        own context). Afterwards no mask without pending bytes builds a table; the suffix
        lists of those nodes are dropped (their children exist, found by digest)."""
        cs = self.ctx_start
        todo = [(s, ("F", _ALL_BYTES)) for s in range(1, len(self.trans_l)) if not self.mid_l[s]]
        seen = set()
        while todo:
            start, src = todo.pop()
            node = self._node(b"", start, src)
            for T, s2 in node.groups:
                ctxs = (self.ctx_of_dfa[start],) if T in self.ignore else self._shift_ctx.get(T, ())
                for cx in ctxs:
                    k = (cs[cx], s2[1] if s2[0] == "F" else s2[3])
                    if k not in seen:
                        seen.add(k)
                        todo.append((cs[cx], s2))
        for key, node in self._nodes.items():
            if key[1] == b"":
                node.groups = [(T, ("E", None, None, src[3]) if src[0] == "E" else src) for T, src in node.groups]
        # the walk plan of every node for every LALR state of its context (the states that
        # can be on top when the walk reaches it), and of every set of children a reduced
        # terminal leads to, for every state that shifts it (the tops the walk gives them)
        states_of: dict = {}
        for st, cx in enumerate(self.ctx_of_state):
            states_of.setdefault(cx, []).append(st)
        self._new_plans = new = []
        try:
            for key, node in list(self._nodes.items()):
                if key[1] == b"":
                    m = self._multi((node,))
                    for st in states_of.get(self.ctx_of_dfa[key[0]], ()):
                        if st not in m.plans:
                            self._plan(m, st, b"")
            while new:
                plan = new.pop()
                for kid in plan[2]:
                    if kid[0] != 2:
                        continue
                    T, srcs, cache = kid[1], kid[2], kid[3]
                    for z in self._shift_to.get(T, ()):
                        start = cs[self.ctx_of_state[z]]
                        m = cache.get(start)
                        if m is None:
                            m = cache[start] = self._multi([self._child_at(b"", start, src) for src in srcs])
                        if z not in m.plans:
                            self._plan(m, z, b"")
        finally:
            self._new_plans = None

    def _mask_for(self, stack, bs, pending) -> np.ndarray:
        """Two levels: the parser state -> (which parts, EOS or not), kept for many states
        (small); that pair -> its bool mask, an LRU of at most ``pool rows - 8`` masks in
        pre-touched memory (a mask dropped from it is rebuilt from its parts)."""
        key = (bs, pending, stack)
        e = self._masks.get(key)
        if e is None:
            parts = self._compute_parts(stack, bs, pending)
            acc = self._accepting(stack, bs, pending)
            e = ((tuple(map(id, parts)), acc), parts)
            if len(self._masks) > self._state_cap:
                self._masks.clear()
            self._masks[key] = e
        lru = self._bool_masks
        m = lru.pop(e[0], None)
        if m is not None:
            lru[e[0]] = m  # most recently used last
            return m
        m = self._assemble(e[1])
        if e[0][1]:
            m[self.eos_token_ids] = True
        m.flags.writeable = False
        lru[e[0]] = m
        if len(lru) > self._mask_cap:
            del lru[next(iter(lru))]  # the oldest mask (insertion order; rebuilt cheaply if needed)
        return m

    def finished_mask(self) -> np.ndarray:
        if self._finished_mask is None:
            m = np.zeros(self.vocab_size, dtype=bool)
            m[self.eos_token_ids] = True
            if self.pad_token_id is not None and self.pad_token_id < self.vocab_size:
                m[self.pad_token_id] = True
            m.flags.writeable = False
            self._finished_mask = m
        return self._finished_mask


class ConstraintState:
    """Decoding state of one sequence. Cheap to copy (immutable parts are shared)."""

    __slots__ = ("c", "stack", "bs", "pending", "done", "tokens", "_pending_adv")

    def __init__(self, c: GrammarConstraint, stack, bs, pending, done, tokens=None):
        self.c = c
        self.stack = stack
        self.bs = bs
        self.pending = pending
        self.done = done
        self.tokens = tokens if tokens is not None else []
        self._pending_adv = None

    def copy(self) -> "ConstraintState":
        return ConstraintState(self.c, self.stack, self.bs, self.pending, self.done, list(self.tokens))

    @property
    def vocab_size(self) -> int:
        return self.c.vocab_size

    def mask(self) -> np.ndarray:
        """Bool array of length ``vocab_size``: True = allowed next. Read-only, shared."""
        if self.done:
            return self.c.finished_mask()
        return self.c._mask_for(self.stack, self.bs, self.pending)

    def allowed_token_ids(self) -> np.ndarray:
        return np.flatnonzero(self.mask())

    def is_accepting(self) -> bool:
        return self.done or self.c._accepting(self.stack, self.bs, self.pending)

    def _try(self, token_id: int):
        c = self.c
        if self.done:
            return "done" if (token_id in c.eos_token_ids or token_id == c.pad_token_id) else None
        if token_id in c.eos_token_ids:
            return "eos" if c._accepting(self.stack, self.bs, self.pending) else None
        if not (0 <= token_id < c.n_tokens) or c.lens[token_id] == 0:
            return None
        pa = self._pending_adv
        if pa is not None and pa[0] == token_id:
            return pa[1]
        r = c._run(self.stack, self.bs, self.pending, c.token_bytes(token_id))
        self._pending_adv = (token_id, r)
        return r

    def allows(self, token_id: int) -> bool:
        """Fast check of one token (no full mask)."""
        return self._try(int(token_id)) is not None

    def advance(self, token_id: int) -> None:
        token_id = int(token_id)
        r = self._try(token_id)
        if r is None:
            raise HelixError(E_GRAMMAR, f"token {token_id} ({self.c.token_bytes(token_id)!r}) is not allowed here "
                                        f"(after {self.text()!r})")
        self._pending_adv = None
        self.tokens.append(token_id)
        if r in ("eos", "done"):
            self.done = True
            return
        self.stack, self.bs, self.pending = r

    def text_bytes(self) -> bytes:
        c = self.c
        return b"".join(c.token_bytes(t) for t in self.tokens if t not in c.eos_token_ids and t != c.pad_token_id)

    def text(self) -> str:
        return self.text_bytes().decode("utf-8", "replace")
