"""Batched greedy decoding with a KV cache and one grammar state per row.

The loop is written by hand (left padding, explicit position ids, one forward
per step for the whole batch): at this model size it is faster than
``generate()`` and it lets every row carry its own constraint state.

Constraint seam: a *constraint* is a factory with ``start()`` returning a state
with ``allows(token_id) -> bool``, ``allowed_ids() -> list[int]``,
``advance(token_id)`` and ``is_accepting()``. EOS is allowed exactly when the
state accepts. :class:`ChoiceConstraint` (a token trie over a closed set of
strings: route labels, knowledge-base ids) lives here; grammar constraints for
the notations come from ``helixc.constrain`` through :func:`grammar_constraint`.
For greedy decoding the argmax token is checked first and the full mask is only
built when it is rejected.

Budget: a constrained row that has not ended after ``max_new_tokens`` (almost always a
repetition loop: a list element written again and again) is *closed*: for at most
``close_budget`` more steps it takes, among the tokens its grammar allows, EOS if it may end,
else a token that only closes (``]``, ``}``, a quote, a notation's closing glyphs), else one that
only separates a key from its value (``:``, ``=``: a key being written could otherwise grow until
the budget ends), else one that opens nothing and is not whitespace, each time the model's
likeliest of that kind. Every prefix the constraint
allowed can be completed, so the answer stays grammar-valid; it is marked ``closed`` and is
usually wrong (the loop's content is kept), which the benchmarks count.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Decoded:
    text: str
    tokens: list[int]
    finished: bool  # ended with EOS
    grammar_valid: bool | None  # None: decoded without a constraint
    closed: bool = False  # ran past max_new_tokens and was closed off under the grammar (see module doc)
    # The model's own confidence in what it wrote: per emitted token (EOS included), its log-probability
    # under the full softmax (before any mask), and how many tokens the constraint had to overrule (the
    # model's first choice was not allowed). A constrained answer is valid by construction, so these, not
    # validity, say whether the model knew what to write.
    logprobs: list[float] = None  # type: ignore[assignment]
    forced: int = 0

    @property
    def min_prob(self) -> float:
        import math

        return math.exp(min(self.logprobs)) if self.logprobs else 1.0


# Characters that end / begin a structure in any notation: brackets, braces, quotes, slot
# brackets, plus each registered notation's own container glyphs (Notation.order_rules).
_BASE_CLOSERS = ']})"\'⟩⟧'
_BASE_OPENERS = '[{(,:⟨⟦'


def _structure_chars() -> tuple[frozenset, frozenset]:
    """(closers, openers) over every registered notation."""
    from .order import _all_rules

    closers, openers = set(_BASE_CLOSERS), set(_BASE_OPENERS)
    for rules in _all_rules().values():
        closers.update(rules.get("closers", ()))
        openers.update(rules.get(k) for k in ("contract_open", "field_mark", "array_open", "map_open") if rules.get(k))
    return frozenset(closers), frozenset(openers)
_SEPARATORS = frozenset(":=")  # key -> value: in a key, taking one is progress (a key can grow forever)
_TOKEN_KINDS: dict = {}


def _token_classes(tokenizer) -> tuple[frozenset, frozenset, frozenset, frozenset]:
    """(ids that only close, ids that open nothing and are not whitespace, whitespace-only ids,
    ids that only separate a key from its value: ``:`` or ``=``) for ``tokenizer``: one pass
    over the vocabulary, cached per tokenizer."""
    key = id(tokenizer)
    got = _TOKEN_KINDS.get(key)
    if got is None or got[0] is not tokenizer:
        closing, neutral, space, separating = set(), set(), set(), set()
        _CLOSERS, _OPENERS = _structure_chars()
        for t in range(len(tokenizer)):
            s = tokenizer.decode([t])
            if not s.strip():
                if s:
                    space.add(t)  # whitespace is never progress: a row closed on it could loop to the end
                continue
            if _OPENERS.intersection(s):
                if set(s.strip()) <= _SEPARATORS:
                    separating.add(t)
                continue
            neutral.add(t)
            if _CLOSERS.intersection(s):
                closing.add(t)
        got = _TOKEN_KINDS[key] = (tokenizer, frozenset(closing), frozenset(neutral), frozenset(space),
                                   frozenset(separating))
    return got[1], got[2], got[3], got[4]


def whitespace_ids(tokenizer) -> frozenset:
    """Ids of the tokens that decode to whitespace only (cached per tokenizer)."""
    return _token_classes(tokenizer)[2]


def _closing_choice(state, logits, eos: int, kinds) -> int | None:
    """The token a row being closed takes (see module doc); None at a dead end."""
    if hasattr(state, "give_up_required"):
        state.give_up_required()
    if state.is_accepting():
        return eos
    allowed = [t for t in state.allowed_ids() if t != eos]
    if not allowed:
        return None
    closing, neutral, _, separating = kinds
    pick = ([t for t in allowed if t in closing] or [t for t in allowed if t in separating]
            or [t for t in allowed if t in neutral] or allowed)
    row = logits.index_select(0, _tensor(pick, logits.device))
    return pick[int(row.argmax())]


def _tensor(ids, device=None):
    import torch

    return torch.tensor(ids, dtype=torch.long, device=device)


class _TrieState:
    __slots__ = ("node", "eos", "dead")

    def __init__(self, node, eos):
        self.node, self.eos, self.dead = node, eos, False

    def allows(self, t: int) -> bool:
        if t == self.eos:
            return self.node.get(None, False) is True
        return t in self.node

    def allowed_ids(self) -> list[int]:
        ids = [k for k in self.node if k is not None]
        if self.node.get(None) is True:
            ids.append(self.eos)
        return ids

    def advance(self, t: int) -> None:
        if t == self.eos:
            return
        self.node = self.node[t]

    def is_accepting(self) -> bool:
        return self.node.get(None) is True


class ChoiceConstraint:
    """Exactly one of ``choices``, spelt with ``tokenizer`` (as in training)."""

    def __init__(self, choices, tokenizer):
        self.root: dict = {}
        self.eos = tokenizer.eos_token_id
        for c in choices:
            node = self.root
            for t in tokenizer.encode(c, add_special_tokens=False):
                node = node.setdefault(t, {})
            node[None] = True

    def start(self):
        return _TrieState(self.root, self.eos)


class _GrammarStateAdapter:
    """Wraps a ``helixc.constrain`` state in the protocol above."""

    __slots__ = ("s",)

    def __init__(self, s):
        self.s = s

    def allows(self, t):
        return bool(self.s.allows(t))

    def allowed_ids(self):
        if hasattr(self.s, "allowed_token_ids"):
            return self.s.allowed_token_ids().tolist()
        m = self.s.mask()
        return [i for i, ok in enumerate(m) if ok]

    def advance(self, t):
        self.s.advance(t)

    def is_accepting(self):
        return bool(self.s.is_accepting())

    @property
    def can_copy(self) -> bool:
        return hasattr(self.s, "copy")

    def copy(self):
        return _GrammarStateAdapter(self.s.copy())


class _GrammarFactory:
    def __init__(self, gc):
        self.gc = gc

    def start(self):
        st = self.gc.start() if hasattr(self.gc, "start") else self.gc.new_state()
        return _GrammarStateAdapter(st)


class WithoutTokens:
    """A constraint factory that also forbids ``banned`` token ids (e.g. slot tokens
    ``⟨k⟩`` for literals the request does not have) and lets each of ``once`` be
    chosen at most once per row (a request's literal is placed once).

    ``required`` (a subset of ``once``): tokens the answer must contain (the request's
    literals). While one is missing, the row may not end: EOS and any token that would
    complete the value (the grammar then accepts and allows nothing but whitespace) are
    refused, so the model has to place the missing literal. The rule never makes a dead
    end: where every allowed token is refused, they are all allowed again. Needs an inner
    state with ``copy()``; without it, ``required`` is ignored. ``whitespace``: token ids that
    are only whitespace (they do not count as continuing a value)."""

    def __init__(self, inner, banned, once=(), required=(), eos=None, whitespace=()):
        self.inner, self.banned, self.once = inner, frozenset(banned), frozenset(once)
        self.required, self.eos, self.whitespace = frozenset(required), eos, frozenset(whitespace)

    def start(self):
        return _BannedState(self.inner.start(), set(self.banned), self.once, set(self.required), self)


class _BannedState:
    __slots__ = ("s", "banned", "once", "missing", "f")

    def __init__(self, s, banned, once, missing, f):
        self.s, self.banned, self.once, self.missing, self.f = s, banned, once, missing, f
        if missing and not getattr(s, "can_copy", hasattr(s, "copy")):
            self.missing = set()

    def _ends(self, t) -> bool:
        """Would ``t`` end the row, or complete the value so that only whitespace and EOS can follow?"""
        if t == self.f.eos:
            return True
        nxt = self.s.copy()
        nxt.advance(t)
        if not nxt.is_accepting():
            return False
        return all(u == self.f.eos or u in self.f.whitespace for u in nxt.allowed_ids())

    def _early(self, t) -> bool:
        """``t`` would end the row while a literal other than ``t`` itself is still missing."""
        return bool(self.missing) and not (len(self.missing) == 1 and t in self.missing) and self._ends(t)

    def allows(self, t):
        if t in self.banned or not self.s.allows(t):
            return False
        if self._early(t):
            return not any(not self._early(u) for u in self._open_ids())
        return True

    def _open_ids(self):
        return [t for t in self.s.allowed_ids() if t not in self.banned]

    def allowed_ids(self):
        ids = self._open_ids()
        if self.missing:
            going = [t for t in ids if not self._early(t)]
            return going or ids
        return ids

    def advance(self, t):
        self.s.advance(t)
        if t in self.once:
            self.banned.add(t)
        self.missing.discard(t)

    def is_accepting(self):
        return self.s.is_accepting()

    def give_up_required(self):
        """Closing at the token budget (greedy_decode): ending matters more than the missing literals."""
        self.missing.clear()

    def copy(self):
        return _BannedState(self.s.copy(), set(self.banned), self.once, set(self.missing), self.f)


_GRAMMAR_CACHE: dict = {}


def grammar_constraint(notation: str, tokenizer, vocab_size: int | None = None, slots: bool = False):
    """A constraint factory for ``notation``'s grammar (with ``slots``: plus literal slot
    references, :func:`helixc.neural.slots.slot_grammar`), or None when
    ``helixc.constrain`` is not available (then decoding is unconstrained and
    validity is checked by parsing afterwards)."""
    key = (notation, id(tokenizer), vocab_size, slots)
    if key in _GRAMMAR_CACHE:
        return _GRAMMAR_CACHE[key]
    try:
        from ..constrain import GrammarConstraint, for_notation
    except ImportError:
        _GRAMMAR_CACHE[key] = None
        return None

    if slots:
        from .slots import slot_grammar

        gc = GrammarConstraint(slot_grammar(notation), tokenizer, vocab_size=vocab_size)
    else:
        gc = for_notation(notation, tokenizer, vocab_size=vocab_size)
    fac = _GrammarFactory(gc)
    _GRAMMAR_CACHE[key] = fac
    return fac


def _model_device(model):
    """Where ``model``'s weights are (``.device`` of a transformers model, else its first parameter)."""
    import torch

    dev = getattr(model, "device", None)
    if isinstance(dev, torch.device):
        return dev
    p = next(iter(model.parameters()), None)
    return p.device if p is not None else torch.device("cpu")


def _cache_positions(attn):
    pos = attn.long().cumsum(-1) - 1
    return pos.clamp(min=0)


PREFILL_OVERHEAD_TOKENS = 32  # what one more forward pass costs, in prompt tokens computed (CPU, this model size)


def prefill_groups(lengths: list[int], overhead: int = PREFILL_OVERHEAD_TOKENS) -> list[list[int]]:
    """Rows (indices into ``lengths``) in groups of similar length, minimising the tokens computed
    (each group padded to its longest) plus ``overhead`` per group: one group when padding is cheap."""
    order = sorted(range(len(lengths)), key=lambda j: lengths[j])
    n = len(order)
    best = [0] + [None] * n  # best[k]: cost of the k shortest rows
    cut = [0] * (n + 1)
    for k in range(1, n + 1):
        for i in range(k):  # the last group: order[i:k], padded to lengths[order[k - 1]]
            c = best[i] + overhead + (k - i) * lengths[order[k - 1]]
            if best[k] is None or c < best[k]:
                best[k], cut[k] = c, i
    groups, k = [], n
    while k > 0:
        groups.append(order[cut[k]:k])
        k = cut[k]
    return groups[::-1]


def _prefill(model, ids, attn, pos, lengths: list[int], select_rows):
    """(last-position logits, cache) of the prompts, prefilled in groups of similar length
    (:func:`prefill_groups`) and the groups' caches put side by side (left-padded with zeros, masked
    out like any padding); None when one group is best or the cache is not the plain dynamic one."""
    import torch

    groups = prefill_groups(lengths)
    if len(groups) < 2:
        return None
    try:
        from transformers.cache_utils import DynamicCache, DynamicLayer
    except ImportError:
        return None
    b, n = ids.shape
    logits = [None] * b
    parts = []
    for g in groups:
        sel = _tensor(g, ids.device)
        width = max(lengths[j] for j in g)
        if select_rows is not None:
            select_rows(sel)
        out = model(input_ids=ids[sel, n - width:], attention_mask=attn[sel, n - width:],
                    position_ids=pos[sel, n - width:], use_cache=True, logits_to_keep=1)
        cache = out.past_key_values
        if type(cache) is not DynamicCache or any(type(layer) is not DynamicLayer for layer in cache.layers):
            return None
        parts.append((sel, width, cache))
        last = out.logits[:, -1, :].float()
        for k, j in enumerate(g):
            logits[j] = last[k]
    if select_rows is not None:
        select_rows(torch.arange(b, device=ids.device))
    merged = parts[0][2]
    for li, layer in enumerate(merged.layers):
        k0, v0 = layer.keys, layer.values
        keys = k0.new_zeros((b, k0.shape[1], n, k0.shape[3]))
        values = v0.new_zeros((b, v0.shape[1], n, v0.shape[3]))
        for sel, width, cache in parts:
            keys[sel, :, n - width:] = cache.layers[li].keys
            values[sel, :, n - width:] = cache.layers[li].values
        layer.keys, layer.values = keys, values
    return torch.stack(logits), merged


def greedy_decode(model, tokenizer, prompts: list[str], *, max_new_tokens: int | list[int] = 128,
                  constraints=None, prompt_ids: list[list[int]] | None = None,
                  close_budget: int = 64, select_rows=None) -> list[Decoded]:
    """Greedy decoding for ``prompts`` (texts; BOS is prepended) in one batch.

    Rows that are done leave the batch (their KV cache rows are dropped) once a quarter of the batch
    is done, so the forward passes compute only the rows still decoding; and prompts of very
    different lengths are prefilled in groups of similar length (:func:`_prefill`), not all padded
    to the longest. ``select_rows(indices)`` (a LongTensor of rows, positions in ``prompts``) is
    called before each forward pass that computes only those rows, for per-row state in the model.

    ``max_new_tokens``: the token budget, or one per row (rows of different adapters).

    ``constraints``: None, or a list (one per row) of constraint factories or None.
    ``close_budget``: extra steps to close a constrained row cut at ``max_new_tokens`` (module doc).
    """
    import torch

    eos, pad = tokenizer.eos_token_id, tokenizer.pad_token_id
    if prompt_ids is None:
        prompt_ids = [[tokenizer.bos_token_id] + tokenizer.encode(p, add_special_tokens=False) for p in prompts]
    b = len(prompt_ids)
    if b == 0:
        return []
    n = max(len(p) for p in prompt_ids)
    ids = torch.full((b, n), pad, dtype=torch.long)
    attn = torch.zeros((b, n), dtype=torch.long)
    for i, p in enumerate(prompt_ids):
        ids[i, n - len(p):] = torch.tensor(p)
        attn[i, n - len(p):] = 1
    # the model's device (a GPU when training there): every index and id tensor below lives on it
    dev = _model_device(model)
    ids, attn = ids.to(dev), attn.to(dev)
    budgets = [max_new_tokens] * b if isinstance(max_new_tokens, int) else list(max_new_tokens)
    first_budget = min(budgets)
    states = [None] * b
    if constraints is not None:
        states = [c.start() if c is not None else None for c in constraints]
    out_tokens: list[list[int]] = [[] for _ in range(b)]
    finished = [False] * b  # ended with EOS
    done = [False] * b  # no more tokens: EOS, a dead end, or out of budget
    closed = [False] * b
    valid: list[bool | None] = [None if s is None else True for s in states]
    logps: list[list[float]] = [[] for _ in range(b)]
    forced = [0] * b
    kinds = None
    past = None
    pos = _cache_positions(attn)
    step_ids = ids
    rows = list(range(b))  # batch position -> row
    with torch.inference_mode():
        for step in range(max(budgets) + max(0, close_budget)):
            if step >= first_budget:
                for i in range(b):
                    if done[i] or step < budgets[i]:
                        continue
                    if states[i] is None:
                        done[i] = True  # unconstrained rows just stop at the budget
                    elif step >= budgets[i] + max(0, close_budget):
                        done[i] = True  # out of closing steps too (a shorter budget than the batch's longest)
                    else:
                        closed[i] = True
                if all(done):
                    break
                if kinds is None:
                    kinds = _token_classes(tokenizer)
            pre = _prefill(model, ids, attn, pos, [len(p) for p in prompt_ids], select_rows) if past is None else None
            if pre is not None:
                logits, past = pre
            else:
                out = model(input_ids=step_ids, attention_mask=attn, position_ids=pos if past is None else pos[:, -1:],
                            cache=past, use_cache=True, logits_to_keep=1)
                past = out.past_key_values
                logits = out.logits[:, -1, :].float()
            top = logits.argmax(-1).tolist()
            lse = torch.logsumexp(logits, -1).tolist()
            nxt = []
            for j, i in enumerate(rows):
                if done[i]:
                    nxt.append(pad)
                    continue
                st = states[i]
                if step >= budgets[i]:
                    t = _closing_choice(st, logits[j], eos, kinds)
                else:
                    t = top[j]
                    if st is not None and not st.allows(t):
                        allowed = st.allowed_ids()
                        t = allowed[int(logits[j].index_select(0, _tensor(allowed, dev)).argmax())] if allowed else None
                        forced[i] += 1
                if t is not None:
                    logps[i].append(float(logits[j, t]) - lse[j])
                if t is None:  # dead end: cannot continue validly
                    valid[i] = False
                    done[i] = True
                    nxt.append(pad)
                    continue
                if t == eos:
                    finished[i] = done[i] = True
                    if st is not None and not st.is_accepting():
                        valid[i] = False
                else:
                    out_tokens[i].append(t)
                    if st is not None:
                        st.advance(t)
                nxt.append(t)
            if all(done):
                break
            keep = [j for j, i in enumerate(rows) if not done[i]]
            if 4 * (len(rows) - len(keep)) >= len(rows) and hasattr(past, "batch_select_indices"):
                sel = _tensor(keep, dev)
                past.batch_select_indices(sel)
                attn, pos = attn.index_select(0, sel), pos.index_select(0, sel)
                rows, nxt = [rows[j] for j in keep], [nxt[j] for j in keep]
                if select_rows is not None:
                    select_rows(_tensor(rows, dev))
            step_ids = _tensor(nxt, dev).unsqueeze(1)
            attn = torch.cat([attn, torch.ones((len(rows), 1), dtype=torch.long, device=dev)], dim=1)
            pos = torch.cat([pos, pos[:, -1:] + 1], dim=1)
    res = []
    for i in range(b):
        v = valid[i]
        if v is not None and not finished[i]:
            v = False
        res.append(Decoded(tokenizer.decode(out_tokens[i], skip_special_tokens=True), out_tokens[i], finished[i], v,
                           closed[i], logps[i], forced[i]))
    return res
