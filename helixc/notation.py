"""What a notation plugin provides: a name, aliases, a Lark grammar, a parser and a writer.

Text notations implement :meth:`parse` / :meth:`emit` over ``str``. A binary
notation (``binary = True``) also implements :meth:`decode` /
:meth:`encode` over ``bytes``; its ``parse`` / ``emit`` use its text form
(hex pairs, say), so every notation can be shown and typed.
"""

from __future__ import annotations

from typing import Any


class Notation:
    #: canonical name, lowercase (its route label and the name users type)
    name: str = ""
    #: other names users type on the command line; matched case-insensitively
    aliases: tuple[str, ...] = ()
    #: one line for ``helixc plugins`` and ``--help``
    title: str = ""
    #: True when the notation is a byte format with a text view
    binary: bool = False
    #: Lark grammar text (LALR) defining the notation's text form; a plugin ships it in its
    #: folder and reads it with ``helixc.textparse.grammar_text(__name__)``
    grammar: str = ""

    # What the core asks a notation instead of naming it (helixc.catalog; docs/PLUGINS.md).
    #: names people write for the notation in English requests (case-insensitive, longest match first)
    english_names: tuple[str, ...] = ()
    #: more names, read like ``english_names`` but used by the corpus in its train split only
    #: (descriptive names and misspellings, so that the held-out splits keep their wording)
    more_english_names: tuple[str, ...] = ()
    #: further names only the rule reader reads (no corpus row uses them, so the trained models'
    #: data does not change when they are added)
    reader_names: tuple[str, ...] = ()
    #: words (lower-case) that describe this notation and no other: "the <word> notation/format/one",
    #: "the plain-<word> text notation" name it (helixc.requests reads them; no corpus row uses them)
    descriptive_words: tuple[str, ...] = ()
    #: whole words (lower-case) that name this notation inside a described value: the rule reader
    #: stops a text there; and the ones that stop "X inside a list" (helixc.requests)
    description_stop_words: tuple[str, ...] = ()
    list_stop_words: tuple[str, ...] = ()
    #: place among the coordinator's route labels: sort key (route_rank, name); ``explain`` is
    #: rank 4, so the default appends a new notation's route after the trained ones
    route_rank: int = 1000
    #: first characters that only this notation's text starts with (brackets, quotes, glyphs):
    #: input starting with one is notation text, never an English request
    start_chars: str = ""
    #: True for the one notation the models and the corpus write values in
    writes_values: bool = False
    #: how the slot-aware neural pipeline spells literal slots in this notation
    #: (helixc.neural.slots.SlotSpelling), or None when no specialist writes it directly
    slot_spelling: object = None
    #: the notation's glyphs (non-ASCII characters of its own), each one token for the models
    glyphs: tuple[str, ...] = ()
    #: container syntax for the neural order guard (helixc.neural.order), or None: not guarded
    order_rules: object = None
    #: whole words (lower-case) that name this notation but tell no topic: the explain route's
    #: check that a request and the knowledge entry answered share a content word ignores them
    #: (helixc.neural.confidence)
    topic_stop_words: tuple[str, ...] = ()
    #: regex text (kind -> pattern) of what, written in an English request, shows a value of that kind
    #: in this notation's spelling (helixc.neural.confidence): "bool" (true or false), "null", "empty"
    #: (an empty value or container), "literal" (characters of a literal, the body of a character
    #: class); None: none beyond the English words
    request_cues: object = None
    #: one English request to this notation, for examples (``helixc export vllm``'s request files;
    #: from no corpus split); "" for none
    example_request: str = ""

    # How the corpus generator phrases this notation's route and writes payloads in it
    # (corpora/generator.py; the built-ins' in plugins/<name>/corpus.py).
    #: phrasing families of the route's rows -> weight, in draw order; None: a text notation with a
    #: slot spelling gets the generator's PLUGIN_FAMILY_WEIGHTS, any other no rows
    corpus_families: object = None
    #: family -> the notations that family's rows of this route give their value in (drawn
    #: uniformly; repeat one to weight it); a family not listed draws from the payload notations
    corpus_family_sources: object = None
    #: place among the payload notations (the ones every route's conversion rows give values in):
    #: sort key; None: values are given in this notation on its own route only
    corpus_source_rank: int | None = None
    #: method (value, rng) -> the value's text as a person types it (noisy, but it reads back as the
    #: value); None: the canonical ``emit``
    corpus_payload: object = None
    #: method (value, rng) -> untidy text of the value for the route's "format" rows (rewrite it in
    #: canonical form); only a notation whose ``corpus_families`` has "format" needs one
    corpus_format_payload: object = None

    #: how the seed corpora (``corpora/seed/``) write this notation, for their import
    #: (corpora/seed_import.py; the built-ins' in ``plugins/<name>/seed_dialect.py``): an object with
    #: ``LABEL`` (the seed's label of its answer lines) and ``RANK`` (place in the seed's order: an
    #: unlabeled answer is tried in it), and optionally ``DEFAULT`` (the seed's default notation),
    #: ``GLYPH_REPAIR`` (code point -> code point: the seed's corrupted glyphs), ``START_CHARS`` (more
    #: first characters of its seed answers), ``GUESS_PREFIXES``, ``REPORT_REPAIRS``,
    #: ``REPORT_DIALECTS``, ``REASON_KEYS``, ``misread(text, expected)`` and
    #: ``dialect(text, err, expected, has_expected, show)``; None: the seed corpora have none of it
    seed_dialect: object = None

    def parse(self, text: str) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def emit(self, value: Any) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def parse_reference(self, text: str) -> Any:
        """Parse through the Lark grammar; the default is the fast parser itself."""
        return self.parse(text)

    def encode(self, value: Any) -> bytes:
        return self.emit(value).encode("utf-8")

    def decode(self, data: bytes) -> Any:
        from .errors import E_INPUT, HelixError

        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise HelixError(E_INPUT, f"input is not UTF-8 (byte offset {e.start})", notation=self.name, offset=e.start) from e
        return self.parse(text)

    def __repr__(self) -> str:
        return f"<Notation {self.name}>"
