"""One exception family for everything helixc rejects.

Every error carries a stable ``code`` (NOTATIONS.md section 5), the notation it
came from, and a position: ``line``/``column`` (1-based) for text notations or
``offset`` (0-based byte offset) for binary notations. ``excerpt()`` renders the caret view
the CLI prints.
"""

from __future__ import annotations

# Stable codes. Tests and users match on these strings, never on messages.
E_LC_PARSE = "E_LC_PARSE"  # text does not match the notation's syntax
E_LC_BINARY_DECODE = "E_LC_BINARY_DECODE"  # binary input: truncated, trailing, overlong LEB128, bad UTF-8
E_FIELD_ORDER = "E_FIELD_ORDER"  # contract fields not strictly ascending
E_CONTRACT_STRUCTURE = "E_CONTRACT_STRUCTURE"  # duplicate field index, id/index out of range
E_KEY_ORDER = "E_KEY_ORDER"  # map keys out of canonical order (notations that require it)
E_DUPLICATE_KEY = "E_DUPLICATE_KEY"  # map key repeated
E_INT_RANGE = "E_INT_RANGE"  # int outside signed 64-bit
E_FLOAT_SPECIAL = "E_FLOAT_SPECIAL"  # NaN / Inf
E_DEPTH = "E_DEPTH"  # more than 64 nested containers
E_HANDLE_INVALID = "E_HANDLE_INVALID"  # handle name not [A-Za-z0-9_]+
E_TEXT_INVALID = "E_TEXT_INVALID"  # lone surrogate, non-ASCII in an ASCII-only notation
E_NONCANONICAL = "E_NONCANONICAL"  # a notation that accepts canonical text only
E_TYPE = "E_TYPE"  # a Python object outside the value model
E_NOTATION_UNKNOWN = "E_NOTATION_UNKNOWN"
E_AMBIGUOUS = "E_AMBIGUOUS"  # several notations read the input as different values
E_INPUT = "E_INPUT"  # unreadable input (empty, bad hex text, not UTF-8, too large)
E_INPUT_TOO_LARGE = "E_INPUT_TOO_LARGE"  # over helixc.limits.MAX_INPUT_BYTES, or more than memory allows
E_OUTPUT = "E_OUTPUT"  # the result cannot be written (missing directory, full disk, read-only, size limit)
E_PLUGIN = "E_PLUGIN"  # a plugin registered something invalid
E_MODEL = "E_MODEL"  # model files missing or inconsistent
E_NO_SPECIALIST = "E_NO_SPECIALIST"  # English asked for a notation no loaded specialist writes
E_GRAMMAR = "E_GRAMMAR"  # grammar not usable (not LALR, tokenizer cannot spell it)


class HelixError(ValueError):
    """Base of every error helixc raises on bad input.

    A ``ValueError``, so callers that already treat bad values as ``ValueError`` catch it too;
    when it stands for another exception (a plugin's, an OS error) that one is its ``__cause__``.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        notation: str | None = None,
        line: int | None = None,
        column: int | None = None,
        offset: int | None = None,
        source: str | bytes | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.notation = notation
        self.line = line
        self.column = column
        self.offset = offset
        self.source = source

    def __reduce__(self):
        # pickle (multiprocessing): rebuild without calling __init__, so subclasses with other
        # signatures survive too; the cause and traceback are not carried, as for any exception.
        return _restore, (type(self), self.args, dict(self.__dict__))

    def where(self) -> str:
        if self.line is not None:
            return f"line {self.line}, column {self.column}"
        if self.offset is not None:
            return f"byte offset {self.offset}"
        return ""

    def __str__(self) -> str:
        parts = [self.code]
        if self.notation:
            parts.append(f"[{self.notation}]")
        head = " ".join(parts)
        where = self.where()
        return f"{head} at {where}: {self.message}" if where else f"{head}: {self.message}"

    def excerpt(self) -> str:
        """The offending line (or bytes) with a caret under the position; '' when unknown."""
        src = self.source
        if src is None:
            return ""
        if isinstance(src, (bytes, bytearray)) and self.offset is not None:
            start = max(0, self.offset - 8)
            window = bytes(src[start : self.offset + 8])
            hex_text = " ".join(f"{b:02X}" for b in window)
            caret = " " * (3 * (self.offset - start)) + "^"
            return f"  {hex_text}\n  {caret}"
        if isinstance(src, str) and self.line is not None:
            lines = src.split("\n")
            if not 1 <= self.line <= len(lines):
                return ""
            text = lines[self.line - 1]
            col = max(1, self.column or 1)
            # Keep long lines readable: show at most 60 characters around the column.
            lo = max(0, col - 40)
            shown = text[lo : lo + 60]
            pad = col - 1 - lo
            return f"  {shown}\n  {' ' * pad}^"
        return ""


def _restore(cls, args, state):
    e = cls.__new__(cls)
    e.args = args
    e.__dict__.update(state)
    return e


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of a character index into ``text``."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def text_error(code: str, message: str, notation: str, text: str, index: int) -> HelixError:
    line, col = line_col(text, index)
    return HelixError(code, message, notation=notation, line=line, column=col, source=text)
