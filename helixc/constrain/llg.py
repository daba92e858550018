"""Second backend: llguidance (Rust, Earley parser + derivative lexer), same interface.

Used for differential tests and the benchmark. llguidance reads a Lark *dialect*: our
notation grammars are inside it, but it is an Earley parser with its own lexer, so for a
grammar outside that subset (lookarounds, priorities, templates) its constructor fails and
we raise ``E_GRAMMAR``.
"""

from __future__ import annotations

import hashlib

import numpy as np

from helixc.errors import E_GRAMMAR, HelixError

from .vocab import backend_of, guess_eos, token_bytes

_TOK_CACHE: dict = {}


class LLGuidanceConstraint:
    backend = "llguidance"

    def __init__(self, grammar_text: str, tokenizer, *, vocab_size: int | None = None, eos_token_id=None,
                 pad_token_id=None, cache: bool = True, slices=None):
        try:
            import llguidance
        except ImportError as e:  # pragma: no cover
            raise HelixError(E_GRAMMAR, "backend='llguidance' needs `pip install llguidance`") from e
        bt = backend_of(tokenizer)
        s = bt.to_str()
        n = bt.get_vocab_size(with_added_tokens=True)
        V = max(vocab_size or 0, n)
        if eos_token_id is None:
            _toks, info = token_bytes(tokenizer)
            eos = guess_eos(tokenizer, info["special"])
        else:
            eos = [eos_token_id] if isinstance(eos_token_id, int) else [int(e) for e in eos_token_id]
        key = (hashlib.sha256(s.encode()).hexdigest(), V, tuple(eos), repr(slices))
        lt = _TOK_CACHE.get(key)
        if lt is None:
            lt = _TOK_CACHE[key] = llguidance.LLTokenizer(s, n_vocab=V, eos_token=eos if len(eos) > 1 else eos[0],
                                                          slices=slices)
        self.lltok = lt
        self.vocab_size = V
        self.n_tokens = n
        self.eos_token_ids = eos
        if pad_token_id is None:
            pad_token_id = getattr(tokenizer, "pad_token_id", None)
        self.pad_token_id = pad_token_id if isinstance(pad_token_id, int) else None
        self.grammar_text = grammar_text
        self.grammar = llguidance.LLMatcher.grammar_from_lark(grammar_text)
        err = llguidance.LLMatcher.validate_grammar(self.grammar, lt)
        if err and not err.startswith("WARNING"):
            raise HelixError(E_GRAMMAR, f"llguidance rejects the grammar: {err.strip().splitlines()[0]}")
        self._llg = llguidance
        self._words = (V + 31) // 32
        self._finished = None
        self.built_from = "grammar"

    def start(self) -> "LLGuidanceState":
        m = self._llg.LLMatcher(self.lltok, self.grammar, log_level=0)
        if m.is_error():
            raise HelixError(E_GRAMMAR, f"llguidance: {m.get_error()}")
        return LLGuidanceState(self, m)

    def finished_mask(self) -> np.ndarray:
        if self._finished is None:
            m = np.zeros(self.vocab_size, dtype=bool)
            m[self.eos_token_ids] = True
            if self.pad_token_id is not None and self.pad_token_id < self.vocab_size:
                m[self.pad_token_id] = True
            self._finished = m
        return self._finished


class LLGuidanceState:
    __slots__ = ("c", "m", "done", "tokens", "_bits")

    def __init__(self, c: LLGuidanceConstraint, m, done=False, tokens=None):
        self.c = c
        self.m = m
        self.done = done
        self.tokens = tokens if tokens is not None else []
        self._bits = np.zeros(c._words, dtype=np.int32)

    def copy(self):
        return LLGuidanceState(self.c, self.m.deep_copy(), self.done, list(self.tokens))

    @property
    def vocab_size(self) -> int:
        return self.c.vocab_size

    def bitmask(self) -> np.ndarray:
        """int32 words, llguidance layout (bit i of word k = token 32k+i)."""
        self.m.unsafe_compute_mask_ptr(self._bits.ctypes.data, self._bits.nbytes)
        return self._bits

    def mask(self) -> np.ndarray:
        if self.done:
            return self.c.finished_mask()
        b = self.bitmask()
        return np.unpackbits(b.view(np.uint8), bitorder="little")[: self.c.vocab_size].view(bool)

    def allowed_token_ids(self) -> np.ndarray:
        return np.flatnonzero(self.mask())

    def is_accepting(self) -> bool:
        return self.done or self.m.is_accepting()

    def allows(self, token_id: int) -> bool:
        token_id = int(token_id)
        if self.done:
            return token_id in self.c.eos_token_ids or token_id == self.c.pad_token_id
        if token_id in self.c.eos_token_ids:
            return self.m.is_accepting()
        return self.m.validate_tokens([token_id]) == 1

    def advance(self, token_id: int) -> None:
        token_id = int(token_id)
        if not self.allows(token_id):
            raise HelixError(E_GRAMMAR, f"token {token_id} is not allowed here (llguidance)")
        self.tokens.append(token_id)
        if self.done:
            return
        if token_id in self.c.eos_token_ids:
            self.done = True
            return
        if not self.m.consume_token(token_id):
            raise HelixError(E_GRAMMAR, f"llguidance: {self.m.get_error()}")
