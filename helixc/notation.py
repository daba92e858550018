"""What a notation plugin provides: a name, aliases, a Lark grammar, a parser and a writer.

Text notations implement :meth:`parse` / :meth:`emit` over ``str``. A binary
notation (``binary = True``, like LC-B) also implements :meth:`decode` /
:meth:`encode` over ``bytes``; its ``parse`` / ``emit`` use its text form
(hex pairs for LC-B), so every notation can be shown and typed.
"""

from __future__ import annotations

from typing import Any


class Notation:
    #: canonical name, lowercase, e.g. ``"lc-r"``
    name: str = ""
    #: other names users type (``"runic"``); matched case-insensitively
    aliases: tuple[str, ...] = ()
    #: one line for ``helixc plugins`` and ``--help``
    title: str = ""
    #: True when the notation is a byte format with a text view
    binary: bool = False
    #: Lark grammar text (LALR) defining the notation's text form
    grammar: str = ""

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
