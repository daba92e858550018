"""Mask computation (issue 17, mask tails): the build-time tables, the walk memo and the pooled
masks give exactly the masks of the lazy path and of a token-by-token oracle.

Small locally trained tokenizers (nothing downloaded); the 151k timing is in
benchmarks/bench_constrain.py.
"""

from __future__ import annotations

import logging
import random

import numpy as np
import pytest

import helixc
from helixc.constrain import GrammarConstraint, core
from helixc.constrain import testing as T

NOTATIONS = T.NOTATIONS


@pytest.fixture(scope="module", autouse=True)
def _cache_dir(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("HELIXC_CACHE_DIR", str(tmp_path_factory.mktemp("hxcache-masks")))
    yield
    mp.undo()


@pytest.fixture(scope="module")
def tok():
    return T.bytelevel_tokenizer(T.corpus_lines(2400, seed=3), 1500)


def _grammar(name):
    return helixc.get_notation(name).grammar


def _lazy(name, tok):
    """A constraint on the old, lazy path: no build-time closure, tables built per state."""
    saved = dict(core._MEM)
    core._MEM.clear()
    try:
        c = GrammarConstraint(_grammar(name), tok, eos_token_id=0, cache=False, precompute=False)
    finally:
        core._MEM.clear()
        core._MEM.update(saved)
    assert not c._data["closed"]
    return c


def _states(c, tok, name, seed, n_walks=8, cap=60):
    """Token sequences: tokenized random documents and random walks over allowed tokens."""
    rng = random.Random(seed)
    seqs = []
    for i in range(n_walks):
        if i % 2:
            seqs.append(tok.encode(helixc.emit(T.random_value(rng), name)).ids + [0])
            continue
        s = c.start()
        seq = []
        for _ in range(cap):
            allowed = np.flatnonzero(s.mask())
            if not len(allowed):
                break
            t = 0 if (0 in allowed and rng.random() < 0.15) else int(rng.choice(allowed))
            seq.append(t)
            s.advance(t)
            if s.done:
                break
        seqs.append(seq)
    return seqs


@pytest.mark.parametrize("name", NOTATIONS)
def test_closed_tables_give_the_lazy_masks(name, tok):
    new = GrammarConstraint(_grammar(name), tok, eos_token_id=0)
    assert new._data["closed"]
    old = _lazy(name, tok)
    steps = 0
    for seq in _states(new, tok, name, seed=11, n_walks=14):
        a, b = new.start(), old.start()
        for t in seq:
            ma, mb = a.mask(), b.mask()
            assert ma.shape == mb.shape and np.array_equal(ma, mb), (name, a.text(), np.flatnonzero(ma != mb)[:8])
            steps += 1
            a.advance(t)
            b.advance(t)
    assert steps > 100


@pytest.mark.parametrize("name", NOTATIONS)
def test_masks_match_the_token_by_token_oracle(name, tok):
    """Every mask equals ``allows(t)`` for every token: the scalar lexer+parser run, which
    shares nothing with the tables, the walk or the mask assembly."""
    c = GrammarConstraint(_grammar(name), tok, eos_token_id=0)
    lead = [i for i in range(c.n_tokens) if c.token_bytes(i) in (b"\xf0", b"\xe2", b"\xc3", b"\xf0\x9f")]
    assert lead

    def check(s):
        m = s.mask()
        want = np.array([s.allows(i) for i in range(c.vocab_size)])
        assert np.array_equal(m, want), (name, s.text(), s.pending, np.flatnonzero(m != want)[:8])
        assert bool(m[0]) == s.is_accepting()

    checked = pending = 0
    for seq in _states(c, tok, name, seed=23, n_walks=12, cap=40):
        s = c.start()
        for k, t in enumerate(seq):
            if k % 2 == 0 or s.pending:
                check(s)
                checked += 1
                pending += bool(s.pending)
            if pending < 12:
                for b in lead:  # half a glyph: a state with pending UTF-8 bytes
                    if s.allows(b):
                        s2 = s.copy()
                        s2.advance(b)
                        check(s2)
                        pending += 1
                        break
            s.advance(t)
    assert checked > 20
    if name in ("hlxl", "lc-r"):  # LC-T escapes non-ASCII, LC-B is hex: no raw glyphs there
        assert pending > 3


def test_masks_a_caller_holds_are_never_overwritten(tok):
    """Pool rows are reused only when nothing refers to them: a held mask, or a view of one,
    keeps its contents however many masks follow."""
    c = GrammarConstraint(_grammar("lc-r"), tok, eos_token_id=0)
    c._pool = core._MaskPool(c.vocab_size, block_bytes=1, first_bytes=1)  # 8 rows
    c._mask_cap = 4
    c._bool_masks.clear()
    held, views, copies = [], [], []
    for seq in _states(c, tok, "lc-r", seed=3, n_walks=10):
        s = c.start()
        for i, t in enumerate(seq):
            m = s.mask()
            if i % 5 == 2 and len(held) < 12:
                held.append(m)
                copies.append(m.copy())
            elif i % 5 == 4 and len(views) < 12:
                views.append((m[3:], m[3:].copy()))
            s.advance(t)
    assert len(held) >= 6 and len(views) >= 6
    for m, cp in zip(held, copies):
        assert np.array_equal(m, cp) and not m.flags.writeable
    for v, cp in views:
        assert np.array_equal(v, cp)
    assert len(c._pool.rows) > 8  # it had to grow rather than overwrite


def test_tables_from_disk_are_complete(tok, tmp_path, monkeypatch):
    monkeypatch.setenv("HELIXC_CACHE_DIR", str(tmp_path))
    g = _grammar("hlxl")
    core._MEM.clear()
    c1 = GrammarConstraint(g, tok, eos_token_id=0)
    assert c1.built_from == "grammar" and c1._data["closed"]
    seqs = _states(c1, tok, "hlxl", seed=8)
    want = []
    for seq in seqs:
        s = c1.start()
        for t in seq:
            want.append(s.mask().copy())
            s.advance(t)
    core._MEM.clear()
    c2 = GrammarConstraint(g, tok, eos_token_id=0)
    assert c2.built_from == "disk" and c2._data["closed"]
    n0 = len(c2._nodes)
    got = []
    built = planned = 0

    def n_plans():
        return len(c2._multis), sum(len(m.plans) for m in c2._multis.values())

    for seq in seqs:
        s = c2.start()
        for t in seq:
            before, plans_before = len(c2._nodes), n_plans()
            got.append(s.mask().copy())
            if not s.pending:  # walk plans (and the node sets they walk) came from the build too
                built += len(c2._nodes) - before
                planned += n_plans() != plans_before
            s.advance(t)
    assert built == 0 and planned == 0 and len(c2._nodes) >= n0
    assert len(got) == len(want) and all(np.array_equal(a, b) for a, b in zip(got, want))


def test_unreadable_or_incomplete_tables_are_rebuilt(tok, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("HELIXC_CACHE_DIR", str(tmp_path))
    g = _grammar("lc-t")
    core._MEM.clear()
    c1 = GrammarConstraint(g, tok, eos_token_id=0)
    s = c1.start()
    for t in tok.encode('{a: [1, "x"').ids:
        s.advance(t)
    m1 = s.mask().copy()
    c1._nodes_path.write_bytes(b"not a pickle")
    core._MEM.clear()
    with caplog.at_level(logging.WARNING, logger="helixc.constrain.core"):
        c2 = GrammarConstraint(g, tok, eos_token_id=0)
    assert "ignoring unreadable" in caplog.text and c2._data["closed"]
    s = c2.start()
    for t in tok.encode('{a: [1, "x"').ids:
        s.advance(t)
    assert np.array_equal(s.mask(), m1)
    # a closed table that lost a node (cannot happen by construction) rebuilds itself
    stripped = [k for k, n in c2._nodes.items() if k[1] == b"" and k[2] not in (core._ALL_BYTES,)
                and isinstance(k[2], bytes)]
    assert stripped
    for k in stripped:
        del c2._nodes[k]
    c2._multis.clear()  # the walk plans refer to nodes directly: forget them too
    for n in c2._nodes.values():
        n.multi = None
    c2._drop_memos()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="helixc.constrain.core"):
        assert np.array_equal(s.mask(), m1)
    assert "lacks a node" in caplog.text
