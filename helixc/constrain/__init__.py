"""Grammar-constrained decoding for any LALR Lark grammar and any Hugging Face tokenizer.

Stable API (used by ``helixc.neural``):

    from helixc.constrain import GrammarConstraint, for_notation

    c = GrammarConstraint(grammar_text, tokenizer, vocab_size=None, backend="auto",
                          eos_token_id=None, pad_token_id=None, cache=True, precompute=True)
    c = for_notation(name, tokenizer, vocab_size=model.config.vocab_size)
    st = c.start()                  # per-sequence state
    st.mask()                       # numpy bool[vocab_size], True = allowed (read-only, shared)
    st.allowed_token_ids()          # numpy int array
    st.allows(tok)                  # fast single-token check (no full mask)
    st.advance(tok)                 # HelixError(E_GRAMMAR) if not allowed; EOS ends the sequence
    st.is_accepting()               # text so far is a complete sentence (EOS allowed)
    st.copy(); st.done; st.tokens; st.text()

    from helixc.constrain.hf import GrammarLogitsProcessor   # needs torch + transformers
    proc = GrammarLogitsProcessor([c_row0, c_row1, ...], prompt_len)  # or states

* ``tokenizer``: a fast HF tokenizer (``PreTrainedTokenizerFast``/``TokenizersBackend``) or a
  ``tokenizers.Tokenizer``. Token byte strings are derived from the tokenizer (byte-level BPE
  tokens may be partial UTF-8; glyphs split across tokens work). Special tokens never spell
  text; EOS (``tokenizer.eos_token_id``, else ``eos_token_id=``, else ``<|endoftext|>``/``</s>``)
  is allowed exactly when the text so far is a complete sentence.
* ``vocab_size``: the model's logits width (``config.vocab_size``); ids past the tokenizer
  are always masked.
* ``backend``: ``"lark"`` (reference: Lark LALR tables + contextual lexer + byte automata,
  masks cached in memory and on disk under ``$HELIXC_CACHE_DIR/constrain`` or
  ``~/.cache/helixc/constrain``), ``"llguidance"`` (Rust, same interface), ``"auto"`` = lark.
* Bad grammars (not LALR(1), unsupported regex constructs) and tokenizers that cannot spell a
  literal or start a terminal raise ``HelixError(E_GRAMMAR)`` at build time.

Performance: the build computes the vocabulary tables of every lexer state (about 1-1.5 s at
a 151k vocabulary; ``c.save_cache()``, also run at exit, persists them, and a cached build
reads them in ~20 ms); a mask is then a walk over those tables memoized on the parser-stack
states it read (~1-2 us for a known state, tens of us for a new one, p99 under 200 us at
151k on this project's grammars; ``benchmarks/bench_constrain.py``). Only states inside a
UTF-8 character split across tokens build small tables lazily. ``precompute=False`` skips
the build-time tables (old lazy behaviour: cheap construction, slow first masks). For
greedy decoding check ``st.allows(argmax)`` first and build the mask only when it fails
(``GrammarLogitsProcessor(..., greedy=True)`` does this). A constraint and its states are not
thread-safe; use one per thread. Masks are read-only and shared; keep a reference (or a view)
as long as you need one: memory is reused only once nothing refers to it.

Semantics: the lexer is Lark's contextual lexer read as maximal munch at character
granularity (a lexeme ends when the next character cannot extend it; Lark's terminal order
and keyword rule pick its type). A text whose only Lark lexing would need to back off a
partial longer lexeme (e.g. ``1.5e`` followed by a non-digit) is rejected; for the four
notation grammars this never excludes a valid sentence.
"""

from __future__ import annotations

from .core import ConstraintState, GrammarConstraint, cache_dir

__all__ = ["GrammarConstraint", "ConstraintState", "for_notation", "cache_dir"]


def for_notation(name: str, tokenizer, **kw) -> GrammarConstraint:
    """Constraint for a registered notation's grammar (any plugin's notation)."""
    import helixc
    from helixc.errors import E_GRAMMAR, HelixError

    n = helixc.get_notation(name)
    if not getattr(n, "grammar", None):
        raise HelixError(E_GRAMMAR, f"notation {n.name} has no grammar")
    return GrammarConstraint(n.grammar, tokenizer, **kw)
