"""The byte string each token id stands for, from a Hugging Face or ``tokenizers`` tokenizer.

Byte-level BPE (GPT-2, Qwen: the ``ByteLevel`` decoder) stores each token as printable
stand-ins for bytes; we map them back, so a token may be part of a UTF-8 character.
SentencePiece-style vocabularies (``Metaspace`` + ``<0xNN>`` byte fallback) are mapped by
their convention; anything else is decoded one token at a time. Special (added, special=True)
tokens spell nothing: they are never allowed as text.
"""

from __future__ import annotations

import hashlib
import json
import re

from helixc.errors import E_GRAMMAR, HelixError


def _bytes_to_unicode() -> dict[str, int]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


_BYTE_DECODER = _bytes_to_unicode()
_FALLBACK = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")


def backend_of(tokenizer):
    """The ``tokenizers.Tokenizer`` behind a HF tokenizer (or the tokenizer itself)."""
    bt = getattr(tokenizer, "backend_tokenizer", None)
    if bt is not None:
        return bt
    tk = getattr(tokenizer, "_tokenizer", None)
    if tk is not None and hasattr(tk, "id_to_token"):
        return tk
    if hasattr(tokenizer, "id_to_token") and hasattr(tokenizer, "to_str"):
        return tokenizer
    raise HelixError(E_GRAMMAR, f"unsupported tokenizer {type(tokenizer).__name__}: need a fast HF tokenizer or tokenizers.Tokenizer")


def _decoder_kinds(spec) -> list[str]:
    if not spec:
        return []
    if spec.get("type") == "Sequence":
        out = []
        for d in spec.get("decoders", []):
            out.extend(_decoder_kinds(d))
        return out
    return [spec.get("type", "")]


def tokenizer_fingerprint(tokenizer) -> tuple[str, dict]:
    """(sha256 of the tokenizer's JSON, parsed JSON)."""
    bt = backend_of(tokenizer)
    s = bt.to_str()
    return hashlib.sha256(s.encode("utf-8")).hexdigest(), json.loads(s)


def token_bytes(tokenizer, spec: dict | None = None) -> tuple[list[bytes | None], dict]:
    """List indexed by token id: the bytes of that token, or None for special tokens.

    Also returns info: {"special": {id: content}, "kind": "bytelevel"|"metaspace"|"decode"}.
    """
    bt = backend_of(tokenizer)
    if spec is None:
        spec = json.loads(bt.to_str())
    n = bt.get_vocab_size(with_added_tokens=True)
    special = {}
    for a in spec.get("added_tokens", []) or []:
        if a.get("special", False):
            special[int(a["id"])] = a["content"]
    kinds = _decoder_kinds(spec.get("decoder"))
    vocab = bt.get_vocab(with_added_tokens=True)
    by_id: list[str | None] = [None] * n
    for tok, i in vocab.items():
        if 0 <= i < n:
            by_id[i] = tok
    added = {int(a["id"]): a["content"] for a in spec.get("added_tokens", []) or []}
    out: list[bytes | None] = [None] * n
    if "ByteLevel" in kinds:
        kind = "bytelevel"
        dec = _BYTE_DECODER
        for i, tok in enumerate(by_id):
            if tok is None or i in special:
                continue
            if i in added:  # non-special added tokens are stored as plain text
                out[i] = tok.encode("utf-8")
                continue
            try:
                out[i] = bytes(dec[c] for c in tok)
            except KeyError:
                out[i] = tok.encode("utf-8")
    elif "Metaspace" in kinds or "ByteFallback" in kinds:
        kind = "metaspace"
        for i, tok in enumerate(by_id):
            if tok is None or i in special:
                continue
            m = _FALLBACK.match(tok) if "ByteFallback" in kinds else None
            if m:
                out[i] = bytes([int(m.group(1), 16)])
            else:
                out[i] = tok.replace("\u2581", " ").encode("utf-8")
    else:
        kind = "decode"
        for i, tok in enumerate(by_id):
            if tok is None or i in special:
                continue
            if spec.get("decoder") is None or i in added:
                out[i] = tok.encode("utf-8")
            else:
                out[i] = bt.decode([i], skip_special_tokens=False).encode("utf-8")
    return out, {"special": special, "kind": kind}


def guess_eos(tokenizer, special: dict[int, str]) -> list[int]:
    eos = getattr(tokenizer, "eos_token_id", None)
    if isinstance(eos, int):
        return [eos]
    if isinstance(eos, (list, tuple)) and eos:
        return [int(e) for e in eos]
    for name in ("<|endoftext|>", "<|im_end|>", "</s>", "<eos>", "<|eos|>", "[SEP]"):
        for i, c in special.items():
            if c == name:
                return [i]
    if special:
        return [min(special)]
    raise HelixError(E_GRAMMAR, "tokenizer has no EOS token; pass eos_token_id=")
