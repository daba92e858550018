"""Batching for the server: specialists of one batch decoded together (one forward per step for
rows of different adapters), per-row token budgets, and the batcher's take policy."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from helixc.engine import TranslateRequest, TranslateResult
from helixc.server.batcher import Batcher

# --------------------------------------------------------------------------- the model side


@pytest.fixture(scope="module")
def moe():
    pytest.importorskip("torch")
    pytest.importorskip("peft")
    from helixc.neural import default_models_dir
    from helixc.neural.moe import MoE

    d = default_models_dir()
    if d is None or not (d / "manifest.json").is_file():
        pytest.skip("no shipped models")
    return MoE(d)


def _requests(n: int) -> list[str]:
    import helixc_corpora

    rows = list(helixc_corpora.generate_rows(seed=3, sizes={"train": 0, "val": 0, "test": n, "test_novel": 0}))
    return [r["input"].split("### Instruction:\n", 1)[1].split("\n\n### Response:", 1)[0] for r in rows]


def test_mixed_adapters_decode_like_each_adapter_alone(moe, monkeypatch):
    from helixc.neural import decode

    assert moe.mixable()
    texts = [moe.read(t)[0] for t in _requests(6)]
    routes = moe.route(texts)
    assert len(set(routes)) >= 3, routes  # the point: several specialists in one batch
    calls = []
    real = decode.greedy_decode

    def counting(*a, **k):
        calls.append(len(a[2]))
        return real(*a, **k)

    monkeypatch.setattr(decode, "greedy_decode", counting)
    monkeypatch.setenv("HELIXC_MIXED_BATCH", "0")
    apart = moe.generate(texts, routes)
    n_apart = len(calls)
    monkeypatch.setenv("HELIXC_MIXED_BATCH", "1")
    together = moe.generate(texts, routes)
    assert n_apart == len(set(moe.specialist_for(r).name for r in routes))
    assert calls[n_apart:] == [len(texts)]  # one decode for every row
    for a, b in zip(apart, together):
        assert (a.text, a.tokens, a.output, a.adapter, a.grammar_valid, a.closed) == \
               (b.text, b.tokens, b.output, b.adapter, b.grammar_valid, b.closed)
    # and the adapters are plain again afterwards: a single-adapter decode is unchanged
    assert [g.text for g in moe.generate(texts[:1], routes[:1])] == [apart[0].text]


def test_per_row_token_budgets_match_each_row_alone(moe):
    from helixc.neural.decode import greedy_decode
    from helixc.neural.moe import prompt_text

    moe.set_adapter("lc-r")
    cons = moe.constraint_for("lc-r")
    texts = ["Convert [1, 2, [3, 4]] to LC-R", "Write {a: [1, 2]} in runes", "Convert [5, 6, 7] to LC-R"]
    prompts = [prompt_text("lc-r", moe.read(t)[0]) for t in texts]
    budgets = [2, 40, 3]  # 2 and 3: cut (and closed under the grammar); 40: the model ends by itself
    together = greedy_decode(moe.model, moe.tok, prompts, max_new_tokens=budgets, constraints=[cons] * 3,
                             close_budget=5)
    for p, b, d in zip(prompts, budgets, together):
        alone = greedy_decode(moe.model, moe.tok, [p], max_new_tokens=b, constraints=[cons], close_budget=5)[0]
        assert (d.text, d.tokens, d.finished, d.closed, d.grammar_valid) == \
               (alone.text, alone.tokens, alone.finished, alone.closed, alone.grammar_valid)
    assert together[0].closed and not together[1].closed


def test_prefill_groups_cover_every_row_once_and_split_only_when_padding_costs_more():
    from helixc.neural.decode import prefill_groups

    assert prefill_groups([20, 21, 22, 23]) == [[0, 1, 2, 3]]  # padding is cheaper than a forward pass
    groups = prefill_groups([10, 200, 12, 190, 11])
    assert sorted(j for g in groups for j in g) == [0, 1, 2, 3, 4]
    assert sorted(map(sorted, groups)) == [[0, 2, 4], [1, 3]]
    assert prefill_groups([]) == []


def test_rows_of_very_different_lengths_decode_as_each_alone(moe):
    from helixc.neural.decode import greedy_decode, prefill_groups
    from helixc.neural.moe import prompt_text

    moe.set_adapter("lc-r")
    cons = moe.constraint_for("lc-r")
    texts = ["Convert [1] to LC-R", "Convert [" + ", ".join(str(i) for i in range(40)) + "] to LC-R",
             "Write [2, 3] in runes"]
    prompts = [prompt_text("lc-r", moe.read(t)[0]) for t in texts]
    lengths = [len(moe.tok.encode(p, add_special_tokens=False)) + 1 for p in prompts]
    assert len(prefill_groups(lengths)) == 2, lengths  # the long one is prefilled apart, caches merged
    together = greedy_decode(moe.model, moe.tok, prompts, max_new_tokens=60, constraints=[cons] * 3)
    for p, d in zip(prompts, together):
        alone = greedy_decode(moe.model, moe.tok, [p], max_new_tokens=60, constraints=[cons])[0]
        assert (d.text, d.tokens, d.finished, d.grammar_valid) == (alone.text, alone.tokens, alone.finished,
                                                                   alone.grammar_valid)


# --------------------------------------------------------------------------- the batcher


class Recorder:
    """answer() takes `seconds`, records each batch's size."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.sizes: list[int] = []

    def answer(self, requests):
        self.sizes.append(len(requests))
        time.sleep(self.seconds)
        return [TranslateResult(route="explain", target="explain", output=r.text, engine="neural",
                                grammar_valid=True, verified=None) for r in requests]


def _closed_loop(batcher: Batcher, clients: int, rounds: int) -> float:
    async def client(k):
        loop = asyncio.get_running_loop()
        for i in range(rounds):
            job = batcher.submit(TranslateRequest(text=f"{k}-{i}"), loop)
            res = await job.future
            assert res.output == f"{k}-{i}"

    async def main():
        t0 = time.perf_counter()
        await asyncio.gather(*(client(k) for k in range(clients)))
        return time.perf_counter() - t0

    return asyncio.run(main())


def test_fewer_clients_than_max_batch_do_not_wait_for_a_full_batch():
    eng = Recorder(0.02)
    # a 3 s window: waiting for a batch of 16 that never comes would cost 3 s per batch
    b = Batcher(lambda: eng, max_batch=16, max_queue=64, batch_wait=3.0)
    b.start()
    try:
        assert b.wait_ready(10)
        wall = _closed_loop(b, clients=4, rounds=6)
    finally:
        b.stop(10)
    assert sum(eng.sizes) == 24
    assert eng.sizes[-1] == 4, eng.sizes  # once the 4 clients are in step, every batch holds all 4
    assert wall < 3.0 and b.waited < 3.0, (wall, b.waited, eng.sizes)


class Gate(Recorder):
    """The first batch blocks until ``release`` is set."""

    def __init__(self):
        super().__init__(0.0)
        self.running = threading.Event()
        self.release = threading.Event()

    def answer(self, requests):
        if not self.sizes:
            self.running.set()
            assert self.release.wait(10)
        return super().answer(requests)


@pytest.mark.parametrize("wait", [0.0, 0.01])
def test_requests_queued_while_the_model_runs_go_together_when_it_is_free(wait):
    eng = Gate()
    b = Batcher(lambda: eng, max_batch=8, max_queue=64, batch_wait=wait)
    b.start()
    try:
        assert b.wait_ready(10)

        async def main():
            loop = asyncio.get_running_loop()
            first = b.submit(TranslateRequest(text="first"), loop)
            assert await asyncio.to_thread(eng.running.wait, 10)  # the first batch (of one) is running
            rest = [b.submit(TranslateRequest(text=f"r{i}"), loop) for i in range(11)]
            eng.release.set()
            out = await asyncio.gather(first.future, *(j.future for j in rest))
            assert [r.output for r in out] == ["first"] + [f"r{i}" for i in range(11)]

        asyncio.run(main())
    finally:
        b.stop(10)
    # everything queued meanwhile is taken at once when the model is free (up to max_batch)
    assert eng.sizes == [1, 8, 3]
