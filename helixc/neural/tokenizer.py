"""The project's tokenizer: a byte-level BPE trained here on the corpus text.

Pre-tokenization isolates every digit, every hex letter A-F and every non-ASCII
character, so a number is spelt digit by digit (the model copies digits, the
compiler computes) and every notation glyph is one pre-token; with the glyphs
forced into the training text, each ends up a single token (checked).
"""

from __future__ import annotations

from collections.abc import Iterable

from . import BOS, EOS, PAD

SPLIT_REGEX = r"[0-9A-F]|[^\x00-\x7F]"


def _glyphs() -> str:
    """Every glyph of every registered notation (``Notation.glyphs``, route order): each must be
    one token. The shipped tokenizer was trained with the built-ins' glyphs in this order."""
    from .. import catalog
    from ..plugins import notations

    regs = notations()
    out: list[str] = []
    for name in catalog.notation_routes():
        out += [g for g in regs[name].glyphs if g not in out]
    return "".join(out)


def __getattr__(name: str):
    if name == "GLYPHS":
        return _glyphs()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def train_tokenizer(texts: Iterable[str], vocab_size: int = 1024, min_frequency: int = 2):
    """Train the BPE on ``texts`` and wrap it as a ``PreTrainedTokenizerFast``."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(SPLIT_REGEX), "isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, min_frequency=min_frequency,
        special_tokens=[PAD, BOS, EOS], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )

    glyphs = _glyphs()

    def stream():
        yield from texts
        # make sure every glyph is frequent enough to be merged into one token
        for _ in range(500):
            yield " ".join(glyphs) + " " + "".join(glyphs)

    tok.train_from_iterator(stream(), trainer)
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token=PAD, bos_token=BOS, eos_token=EOS)
    hf.padding_side = "left"
    check_tokenizer(hf)
    return hf


def check_tokenizer(tok) -> None:
    from ..errors import E_MODEL, HelixError

    for g in _glyphs():
        ids = tok.encode(g, add_special_tokens=False)
        if len(ids) != 1:
            raise HelixError(E_MODEL, f"tokenizer splits glyph {g!r} into {len(ids)} tokens")
    for name in ("pad_token_id", "bos_token_id", "eos_token_id"):
        if getattr(tok, name) is None:
            raise HelixError(E_MODEL, f"tokenizer has no {name.removesuffix('_id')}")


def load_tokenizer(path):
    from transformers import PreTrainedTokenizerFast

    tok = PreTrainedTokenizerFast.from_pretrained(str(path))
    tok.padding_side = "left"
    return tok


def add_slot_tokens(tok) -> int:
    """Make every literal slot ``⟨k⟩`` and the decoded-bytes brackets ``⟦ ⟧`` one token each
    (:mod:`helixc.neural.slots`); returns how many were new."""
    from .slots import DECODED_CLOSE, DECODED_OPEN, SLOT_TOKENS

    return tok.add_tokens([*SLOT_TOKENS, DECODED_OPEN, DECODED_CLOSE])
