"""``transformers`` integration: a batch-aware LogitsProcessor over constraint states.

    proc = GrammarLogitsProcessor([c1, c2], prompt_len=input_ids.shape[1])
    model.generate(input_ids, logits_processor=LogitsProcessorList([proc]), ...)

One state per row (each row may use a different grammar). At every call the processor feeds
each row the tokens generated since the last call, then sets the logits of disallowed tokens
to -inf. Rows that finished (EOS consumed) keep only EOS/pad. The mask is sized to the
logits (``config.vocab_size`` may exceed the tokenizer): ids beyond the constraint's
vocabulary are always masked. Beam search reorders rows and is not supported.
With ``greedy=True`` a row whose argmax token is already allowed is left untouched (the check
costs one token walk instead of a full mask).
"""

from __future__ import annotations

import torch

try:
    from transformers import LogitsProcessor
except ImportError:  # pragma: no cover
    LogitsProcessor = object  # type: ignore[misc,assignment]


class GrammarLogitsProcessor(LogitsProcessor):
    def __init__(self, constraints_or_states, prompt_len: int, *, greedy: bool = False):
        self.states = [c.start() if hasattr(c, "start") else c for c in constraints_or_states]
        self.prompt_len = int(prompt_len)
        self.greedy = greedy
        self.failed = [False] * len(self.states)
        self._fed = [len(s.tokens) for s in self.states]
        self._tensors: dict = {}

    def _tensor(self, m, V: int, device):
        key = (id(m), V, str(device))
        hit = self._tensors.get(key)
        if hit is not None and hit[0] is m:
            return hit[1]
        n = min(len(m), V)
        t = torch.zeros(V, dtype=torch.bool)
        t[:n] = torch.from_numpy(m[:n].copy())
        t = (~t).to(device)  # True = forbidden
        if len(self._tensors) > 4096:
            self._tensors.clear()
        self._tensors[key] = (m, t)
        return t

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        B, V = scores.shape
        if B != len(self.states):
            raise ValueError(f"GrammarLogitsProcessor has {len(self.states)} states but the batch has {B} rows")
        gen = input_ids[:, self.prompt_len:]
        rows = gen.tolist() if gen.shape[1] else [[] for _ in range(B)]
        neg = torch.finfo(scores.dtype).min if not scores.dtype.is_floating_point else float("-inf")
        for i, st in enumerate(self.states):
            new = rows[i][self._fed[i]:]
            for t in new:
                if self.failed[i]:
                    break
                try:
                    st.advance(t)
                except Exception:
                    self.failed[i] = True
            self._fed[i] = len(rows[i])
            if self.failed[i]:
                m = st.c.finished_mask()
            else:
                if self.greedy and not st.done:
                    top = int(scores[i].argmax())
                    if st.allows(top):
                        continue
                m = st.mask()
            scores[i].masked_fill_(self._tensor(m, V, scores.device), neg)
        return scores
