"""Canonical order while decoding: contract field indices strictly ascending, map keys unique.

A context-free grammar cannot say "this field index is greater than the previous one" or "this
key was not used before", so these are the answers the compiler rejects after a grammar-valid
decode: a model in a repetition loop writes the same field (``@2: ..., @2: ...``) or key
(``"map":#,"map":#``) again and again.
:class:`OrderGuard` wraps a row's constraint and refuses a token whose text would *complete* a
repeated or descending field index, or a repeated map key, given the text decoded so far; the
model then takes its next choice (a higher index, another key, or closing the container).

The check reads the decoded text with a small container scanner (:func:`order_violation`) that
reads each notation's container brackets and field markers from its ``Notation.order_rules``
(``plugins/<name>/order.py``); strings are skipped. It never
makes a dead end: where every allowed token is refused, they are all allowed again.
"""

from __future__ import annotations

# Each notation's container syntax is in its folder (Notation.order_rules, plugins/<name>/order.py):
#   containers: "glyphs" (contract_open, field_mark, array_open, map_open, closers) or "braces"
#   ({ } maps/contracts, [ ] arrays; contract_head + field_assign, or field_key_prefix);
#   slot_contract_after: text after which a slot is a contract id; brace_key_slot: a slot as a
#   brace's key must be an integer or a text. ORDER_NOTATIONS: the notations that have rules.


def _all_rules() -> dict:
    from .. import catalog

    def build():
        from ..plugins import notations

        regs = notations()
        return {name: regs[name].order_rules for name in catalog.notation_routes() if regs[name].order_rules is not None}

    return catalog._memo("order_rules", build)


def __getattr__(name: str):
    if name == "ORDER_NOTATIONS":
        return tuple(_all_rules())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


MAX_FIELD = 2**16 - 1  # contract field indices are 0 .. 2^16-1 (NOTATIONS.md)
MAX_CONTRACT = 2**32 - 1


def _viable(p: int, last: int) -> bool:
    """Can the field index whose digits so far read ``p`` still end above ``last`` and within range?"""
    if p == 0:
        return last < 0
    lo, hi = p, p
    while lo <= MAX_FIELD:
        if hi > last:
            return True
        lo, hi = lo * 10, hi * 10 + 9
    return False


def _contract_id(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_CONTRACT


def _key(raw: str) -> str:
    k = raw.strip()
    if len(k) >= 2 and k[0] == k[-1] == '"':
        return k[1:-1]
    return k


_SLOT_CHAR = "\u27e8"  # ⟨
_LONGEST_REF = len('x"⟨47⟩"')  # the longest slot reference, with the characters around it that give it its kind


def _slots_fit(text: str, notation: str, slots) -> bool:
    """Every slot reference in ``text`` can be filled where it stands (bytes, handles)."""
    from ..errors import HelixError
    from .slots import substitute

    try:
        substitute(text, list(slots), notation)
    except HelixError:
        return False
    return True


class _Box:
    """One open container: keyed (map, brace) or not (array), and a contract's last field index."""

    __slots__ = ("keyed", "contract", "last", "keys", "start", "in_key", "first")

    def __init__(self, keyed: bool, start: int, contract: bool = False):
        self.keyed, self.contract, self.start = keyed, contract, start
        self.last, self.keys, self.in_key, self.first = -1, set(), keyed, True

    def field(self, idx: int) -> bool:
        """Record field ``idx``; True when it breaks the strictly ascending order."""
        bad = idx <= self.last
        self.last = max(self.last, idx)
        return bad

    def key(self, k: str) -> bool:
        bad = k in self.keys
        self.keys.add(k)
        return bad


def order_violation(text: str, notation: str, slots=None, new_from: int = 0) -> bool:
    """Does ``text`` (a prefix of an answer in ``notation``, one of ORDER_NOTATIONS) contain a
    completed contract field index that is not above the previous one (or out of range), or a
    completed map key used before in the same map? Unfinished field digits are judged by whether
    they can still become a valid index; a bare key without its ``:`` is not judged yet.

    With ``slots`` (the request's :class:`helixc.neural.slots.Slot` list), a slot reference must
    also fit where it stands: a contract id needs an integer literal, a brace key an integer
    or a text, bytes a hex literal, a handle a name (what :func:`~helixc.neural.slots.fill` needs).
    ``new_from``: ``text[:new_from]`` was checked before, so only slot references that end after it
    are filled on trial (filling every reference each step was most of the guard's cost)."""
    if slots is not None:
        window = text[max(0, new_from - _LONGEST_REF):]
        if _SLOT_CHAR in window and not _slots_fit(window, notation, slots):
            return True
    rules = _all_rules()[notation]
    glyphs = rules["containers"] == "glyphs"
    slot_cid = rules.get("slot_contract_after")
    key_slot = rules.get("brace_key_slot", False)
    head, assign, field_prefix = rules.get("contract_head"), rules.get("field_assign"), rules.get("field_key_prefix")
    if glyphs:
        c_open, f_mark, a_open, m_open = rules["contract_open"], rules["field_mark"], rules["array_open"], rules["map_open"]
        closers = tuple(rules["closers"])
    stack: list[_Box] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        top = stack[-1] if stack else None
        if c == _SLOT_CHAR and slots is not None:
            j = text.find("\u27e9", i)
            if j < 0:
                return False
            k = int(text[i + 1:j]) if text[i + 1:j].isdigit() else -1
            v = slots[k].value if 0 <= k < len(slots) else None
            before = text[:i]
            if slot_cid is not None and before.endswith(slot_cid) and not _contract_id(v):
                return True
            if (key_slot and top is not None and top.keyed and top.in_key
                    and not text[top.start:i].strip() and not (_contract_id(v) or isinstance(v, str))):
                return True
            i = j + 1
            continue
        if c == '"':  # a string (key or value): skip to its closing quote
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                return False  # still open
            # a quoted key is complete at its closing quote: judge it there, not at the ':' that
            # the grammar then forces (refusing that would be a dead end)
            if top is not None and top.keyed and top.in_key and not text[top.start:i].strip():
                top.in_key = False
                if top.key(text[i + 1:j]):
                    return True
                top.first = False
            i = j + 1
            continue
        if glyphs:
            if c == c_open:
                stack.append(_Box(False, i + 1, contract=True))
            elif c == f_mark and top is not None and top.contract:
                j = i + 1
                while j < n and text[j].isdigit():
                    j += 1
                if j == n:  # the index may still grow: is there still a valid one it can become?
                    return j > i + 1 and not _viable(int(text[i + 1:j]), top.last)
                if j > i + 1 and (int(text[i + 1:j]) > MAX_FIELD or top.field(int(text[i + 1:j]))):
                    return True
                i = j
                continue
            elif c == a_open:
                stack.append(_Box(False, i + 1))
            elif c == m_open:
                stack.append(_Box(True, i + 1))
            elif c in closers:
                if stack:
                    stack.pop()
            elif top is not None and top.keyed:
                if c == ":" and top.in_key:
                    top.in_key = False
                    if top.key(_key(text[top.start:i])):
                        return True
                elif c == "," and not top.in_key:
                    top.in_key, top.start = True, i + 1
        else:  # braces are maps or contracts, brackets are arrays
            if c == "{":
                stack.append(_Box(True, i + 1))
            elif c == "[":
                stack.append(_Box(False, i + 1))
            elif c in "}]":
                if stack:
                    stack.pop()
            elif top is not None and top.keyed:
                if c in ":=" and top.in_key:
                    top.in_key = False
                    raw = text[top.start:i].strip()
                    k = _key(raw)
                    if head is not None and top.first and raw == head and c == ":":
                        top.contract = True  # a contract head, then id and fields
                    elif assign is not None and top.contract and c == assign and k.isdigit():
                        if int(k) > MAX_FIELD or top.field(int(k)):
                            return True
                    elif field_prefix is not None and k.startswith(field_prefix) and k[len(field_prefix):].isdigit():
                        if int(k[len(field_prefix):]) > MAX_FIELD or top.field(int(k[len(field_prefix):])):
                            return True
                    elif top.key(k):
                        return True
                    top.first = False
                elif c == "," and not top.in_key:
                    top.in_key, top.start = True, i + 1
        i += 1
    top = stack[-1] if stack else None
    if top is not None and top.keyed and top.in_key:  # an unfinished field key at the end
        tail = text[top.start:]
        part = tail.strip()
        if field_prefix is not None and part.startswith(field_prefix):
            digits = part[len(field_prefix):]
        else:
            digits = part if assign is not None and top.contract else ""
        if digits.isdigit():
            p = int(digits)
            if tail != tail.rstrip():  # whitespace after the digits: the index is finished
                return p > MAX_FIELD or p <= top.last
            return not _viable(p, top.last)
    return False


class OrderGuard:
    """A constraint factory: ``inner``'s rules plus canonical field order and unique keys
    (:func:`order_violation`) for ``notation``, reading token texts with ``tokenizer``;
    ``slots``: the row's request literals, so that each slot reference fits where it stands."""

    def __init__(self, inner, notation: str, tokenizer, slots=None):
        self.inner, self.notation, self.tok, self.slots = inner, notation, tokenizer, slots

    def start(self):
        return _OrderState(self.inner.start(), [], self)


class _OrderState:
    __slots__ = ("s", "ids", "f", "done", "seen")

    def __init__(self, s, ids, f, done=0):
        self.s, self.ids, self.f, self.done = s, ids, f, done  # done: length of the text already decoded
        self.seen = (None, 0)  # (last token judged, length of the text with it)

    def _bad(self, t) -> bool:
        if t == self.f.tok.eos_token_id:
            return False
        text = self.f.tok.decode(self.ids + [t])
        self.seen = (t, len(text))
        return order_violation(text, self.f.notation, self.f.slots, self.done)

    def allows(self, t):
        if not self.s.allows(t):
            return False
        if self._bad(t):
            return not [u for u in self.s.allowed_ids() if not self._bad(u)]
        return True

    def allowed_ids(self):
        ids = self.s.allowed_ids()
        good = [t for t in ids if not self._bad(t)]
        return good or ids

    def advance(self, t):
        self.s.advance(t)
        self.ids.append(t)
        self.done = self.seen[1] if self.seen[0] == t else len(self.f.tok.decode(self.ids))

    def is_accepting(self):
        return self.s.is_accepting()

    def give_up_required(self):
        if hasattr(self.s, "give_up_required"):
            self.s.give_up_required()

    @property
    def can_copy(self) -> bool:
        return getattr(self.s, "can_copy", hasattr(self.s, "copy"))

    def copy(self):
        return _OrderState(self.s.copy(), list(self.ids), self.f, self.done)
