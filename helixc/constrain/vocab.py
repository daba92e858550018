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


def _decoder_spec(bt) -> dict | None:
    dec = bt.decoder
    if dec is None:
        return None
    try:
        return json.loads(dec.__getstate__())
    except Exception:  # pragma: no cover - very old tokenizers
        return json.loads(bt.to_str()).get("decoder")


def _added(bt) -> dict[int, tuple[str, bool]]:
    try:
        return {int(i): (a.content, bool(a.special)) for i, a in bt.get_added_tokens_decoder().items()}
    except AttributeError:  # pragma: no cover
        spec = json.loads(bt.to_str())
        return {int(a["id"]): (a["content"], bool(a.get("special"))) for a in spec.get("added_tokens", []) or []}


def tokenizer_fingerprint(tokenizer) -> str:
    """Fast fingerprint of what masks depend on: the id -> token map and the decoder.

    Hashes the vocabulary size, model and decoder types, every added token (all of them up
    to 5,000, else 5,000 spread samples) and 4,096 token strings spread over the id range.
    Two tokenizers agreeing on all of these but differing elsewhere would share a cache
    entry; ``GrammarConstraint`` also re-checks 512 other ids against a loaded cache.
    """
    bt = backend_of(tokenizer)
    n = bt.get_vocab_size(with_added_tokens=True)
    h = hashlib.sha256()
    h.update(f"{n}|{type(bt.model).__name__}|{json.dumps(_decoder_spec(bt), sort_keys=True)}".encode())
    added = _added(bt)
    keys = sorted(added)
    if len(keys) > 5000:
        keys = keys[:: max(1, len(keys) // 5000)]
    for i in keys:
        h.update(f"|{i}:{added[i][0]}:{added[i][1]}".encode())
    step = max(1, n // 4096)
    for i in range(0, n, step):
        h.update(f"|{i}={bt.id_to_token(i)}".encode())
    h.update(f"|{n - 1}={bt.id_to_token(n - 1)}".encode())
    return h.hexdigest()


_BL_TABLE = {ord(c): b for c, b in _BYTE_DECODER.items()}


def _bytelevel(tok: str) -> bytes:
    try:
        return tok.translate(_BL_TABLE).encode("latin-1")
    except UnicodeEncodeError:
        return tok.encode("utf-8")


def token_bytes(tokenizer) -> tuple[list[bytes | None], dict]:
    """List indexed by token id: the bytes of that token, or None for special tokens.

    Also returns info: {"special": {id: content}, "kind": "bytelevel"|"metaspace"|"decode"}.
    """
    bt = backend_of(tokenizer)
    n = bt.get_vocab_size(with_added_tokens=True)
    added = _added(bt)
    special = {i: c for i, (c, sp) in added.items() if sp}
    kinds = _decoder_kinds(_decoder_spec(bt))
    by_id = [bt.id_to_token(i) for i in range(n)]
    out: list[bytes | None] = [None] * n
    if "ByteLevel" in kinds:
        kind = "bytelevel"
        for i, tok in enumerate(by_id):
            if tok is None or i in special:
                continue
            out[i] = tok.encode("utf-8") if i in added else _bytelevel(tok)
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
        plain = bt.decoder is None
        for i, tok in enumerate(by_id):
            if tok is None or i in special:
                continue
            if plain or i in added:
                out[i] = tok.encode("utf-8")
            else:
                out[i] = bt.decode([i], skip_special_tokens=False).encode("utf-8")
    return out, {"special": special, "kind": kind}


def token_bytes_of(tokenizer, ids) -> dict[int, bytes | None]:
    """Bytes of a few ids (used to re-check a loaded cache)."""
    bt = backend_of(tokenizer)
    added = _added(bt)
    kinds = _decoder_kinds(_decoder_spec(bt))
    out = {}
    for i in ids:
        tok = bt.id_to_token(int(i))
        if tok is None or (i in added and added[i][1]):
            out[int(i)] = None
        elif "ByteLevel" in kinds:
            out[int(i)] = tok.encode("utf-8") if i in added else _bytelevel(tok)
        else:
            out[int(i)] = None  # not re-checked for other conventions
    return out


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
