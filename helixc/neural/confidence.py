"""Is an English answer sure enough to print as *the* answer?

A constrained answer is valid by construction, so validity says nothing about whether the
model understood the request. What does:

* **the compiler agreed** (``verified`` True): its own reading of the request gave the same value;
* otherwise **the models' own confidence**: the coordinator's probability of the route it chose
  (when it chose), and the least likely token the specialist wrote under the full softmax
  (``min_prob``), plus how often the grammar had to overrule the model's first choice (``forced``)
  and whether it ran to its token budget (``closed_at_budget``, a loop).

The thresholds are calibrated per model directory on held-out English (validation rows of the
corpus, the dev half of the blind free-English set, and generated garbage): ``calibrate`` picks,
on those rows only, the loosest thresholds whose answered rows are >= the target precision, and
writes ``confidence.json`` beside the manifest. A model directory without one gets the
conservative defaults below.

Some outputs are never an answer whatever the scores: text with the reserved slot characters
(an unfilled slot reference), output the compiler rejects, an empty output, a route with no
specialist. :func:`judge` returns ``(confident, reason)``; the reason is one short sentence.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

RESERVED = frozenset("\u27e8\u27e9\u27e6\u27e7")  # ⟨ ⟩ ⟦ ⟧: slot brackets, never in an answer


@dataclass(frozen=True)
class Thresholds:
    route_prob: float = 0.9  # coordinator's probability of its route (the least likely label token)
    # the same, where the rule reader names the same route (the request names that notation, or asks
    # a question with no payload): two readings agree, so a lower router probability is enough
    route_prob_named: float | None = None  # None: the same as route_prob (not calibrated)
    min_prob: float = 0.5  # least likely token the specialist wrote
    max_forced: int = 0  # tokens the constraint overruled
    explain_prob: float = 0.5  # explain picks an entry: the least likely token of its id
    # the router's probability for explain where the rule reader also reads a question (no payload):
    # wrong explain routes are mostly value requests the reader reads a value in, so agreement here
    # is worth more than on a notation route. None: route_prob_named applies (not calibrated)
    route_prob_explain: float | None = None

    @classmethod
    def load(cls, models_dir) -> "Thresholds":
        p = Path(models_dir) / "confidence.json"
        if not p.is_file():
            return cls()
        try:
            d = json.loads(p.read_text(encoding="utf-8"))["thresholds"]
            return cls(**{k: d[k] for k in asdict(cls()) if k in d})
        except (OSError, ValueError, KeyError, TypeError) as e:
            from ..errors import E_MODEL, HelixError

            raise HelixError(E_MODEL, f"{p}: unreadable confidence thresholds: {e}") from e


_KIND_WORDS = {
    "list": "list", "lists": "list", "array": "list", "arrays": "list",
    "map": "dict", "maps": "dict", "object": "dict", "dictionary": "dict", "dict": "dict",
    "contract": "Contract", "contracts": "Contract", "handle": "Handle", "handles": "Handle",
    "text": "str", "string": "str", "strings": "str", "phrase": "str",
    "integer": "int", "integers": "int", "int": "int", "float": "float", "floats": "float",
    "floating": "float", "flaot": "float", "flot": "float",  # "floating point", and typos people make
}
_COUNTS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}
_PLURAL_KIND = {"lists", "arrays", "maps", "contracts", "handles"}  # "a list of lists": at least two
_BOOL_NULL = re.compile(r"\b(true|false|null)\b", re.I)
_NOT_KIND = re.compile(r"\b(?:byte|bit|hex|binary|digit)\s+(?:string|text)s?\b|\bstring of\b|\bin (?:plain )?"
                       r"text\b|\btext (?:form|format|notation|version)\b|"
                       # "the key "a" maps to 1": the verb, not maps (not "two maps to ...", "the maps to ...")
                       r"(?<![\w\s])\s*maps\s+(?:to|onto)\b|(?<!\btwo)(?<!\bthe)(?<!\bsome)(?<!\bboth)(?<!\bthese)"
                       r"(?<!\bthose)(?<!\band)(?<!\bof)(?<!\d)\s+maps\s+(?:to|onto)\b", re.I)


def _kinds(v, acc: dict) -> dict:
    from ..values import Contract

    name = type(v).__name__
    acc[name] = acc.get(name, 0) + 1
    if v is None or isinstance(v, bool):
        acc["scalar_word"] = acc.get("scalar_word", 0) + 1
    if isinstance(v, (list, dict, str, bytes)) and len(v) == 0:
        acc["empty " + name] = acc.get("empty " + name, 0) + 1
    items = v.values() if isinstance(v, dict) else v.fields.values() if isinstance(v, Contract) else \
        v if isinstance(v, list) else ()
    if isinstance(v, dict):
        for k in v:
            _kinds(k, acc)
    for x in items:
        _kinds(x, acc)
    return acc


def _plain(request: str) -> str:
    """The request without quoted text and notation names (``the binary one``)."""
    from ..requests import _mentions

    text = re.sub(r'"(?:[^"\\]|\\.)*"', " ", request)
    for a, b, _ in sorted(_mentions(text), reverse=True):
        text = text[:a] + " " + text[b:]
    return text


_EMPTY_OF = {"list": "list", "array": "list", "map": "dict", "object": "dict", "dictionary": "dict", "string": "str",
             "text": "str"}


def inconsistency(request: str, value) -> str | None:
    """A cheap second reading: what the request's own words say the answer must hold. A request
    that names a list, a map, a contract, a handle, a text, an integer or a float gets an answer
    with one (as many as it names, plural = two); "an empty list" gets one; n true/false/null
    words get at least n such values. Notation names are taken out first (``the binary one``),
    and quoted text is not read. Returns the reason, or None."""
    text = _NOT_KIND.sub(" ", _plain(request))
    kinds = _kinds(value, {})
    need: dict[str, int] = {}
    named = _names(value)  # "a handle named list": the word is a name in the answer, not a kind
    words = [w for w in re.findall(r"[a-z]+|\d+", re.sub(r"\w*_\w*", " ", text.lower())) if w not in named]
    absorb: dict[str, int] = {}  # "two contracts: contract 1 ... and contract 2" names two, not four
    for i, w in enumerate(words):
        k = _KIND_WORDS.get(w)
        if k is None:
            continue
        count = _COUNTS.get(words[i - 1]) if i and not words[i - 1].isdigit() else \
            int(words[i - 1]) if i and len(words[i - 1]) < 3 else None
        if w in _PLURAL_KIND and count is not None and count >= 2:
            need[k] = need.get(k, 0) + count
            absorb[k] = absorb.get(k, 0) + count
        elif w not in _PLURAL_KIND and absorb.get(k, 0) > 0 and i + 1 < len(words) and \
                (words[i + 1].isdigit() or words[i + 1] in _COUNTS):
            absorb[k] -= 1  # an item of the counted ones named by its id ("contract 1")
        else:
            need[k] = need.get(k, 0) + (2 if w in _PLURAL_KIND else 1)
    for k, n in need.items():
        have = kinds.get(k, 0) + (kinds.get("float", 0) if k == "int" else 0)  # "the integer 2.0" is not worth a no
        if have == 0:
            return f"the request speaks of a {k if k not in ('str', 'dict') else {'str': 'text', 'dict': 'map'}[k]}, " \
                   "and the answer has none"
        if k in ("list", "dict", "Contract") and have < n:
            return f"the request names {n} {'lists' if k == 'list' else 'maps' if k == 'dict' else 'contracts'}, " \
                   f"the answer holds {have}"
    for m in re.finditer(r"\bempty\s+(list|array|map|object|dictionary|string|text)\b", text.lower()):
        if not kinds.get("empty " + _EMPTY_OF[m.group(1)]):
            return f"the request speaks of an empty {m.group(1)}, and the answer has none"
    n = len([w for w in _BOOL_NULL.findall(text) if w.lower() not in named])
    if n > kinds.get("scalar_word", 0):
        return "the request names more true/false/null values than the answer holds"
    return None


# ---------------------------------------------------------------------------- grounding

_NUM_WORD = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
             "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
             "million billion").split()
_NUM_RUN = re.compile(r"\b(?:(?:minus|negative)\s+)?(?:(?:" + "|".join(_NUM_WORD) + r")(?:[\s-]+(?:and\s+)?|\b))+"
                      r"(?:point(?:\s+(?:zero|one|two|three|four|five|six|seven|eight|nine)\b)+)?", re.I)
def number_phrases(text: str) -> list[tuple[str, object]]:
    """(phrase, value) for every run of number words; a run that is no single number is split on
    'and' / spaces into the numbers it lists ("one, two and three")."""
    from ..requests import pronoun_one, words_to_number as _words_number

    out = []
    for m in _NUM_RUN.finditer(text):
        phrase = m.group(0).strip(" -")
        if pronoun_one(text, m.start(), m.start() + len(phrase)):
            continue  # "the binary one"
        v = _words_number(phrase)
        if v is not None:
            out.append((phrase, v))
            continue
        for part in re.split(r"\s+and\s+|\s+", phrase):
            v = _words_number(part)
            if v is not None:
                out.append((part, v))
    return out


def _cues():
    """(true/false, null, empty) cues of a request: English words, then what the registered
    notations spell those values with (``Notation.request_cues``)."""
    from .. import catalog

    def build():
        def more(kind):
            return "".join("|" + c for c in catalog.request_cues(kind))

        bool_cues = re.compile(r"\b(?:true|false|trues|falses|yes|no|boolean|booleans|bool|bools|truth|flag|flags|on|"
                               r"off|truthy|falsy|falsey)\b" + more("bool"), re.I)
        null_cues = re.compile(r"\b(?:null|nulls|none|nil|nothing|void|missing|undefined|absent|no value|nul)\b"
                               + more("null"), re.I)
        empty_cues = re.compile(r"\b(?:empty|nothing|no items|no elements|no keys|no fields|no entries|blank|zero items|"
                                r"without|no bytes|none)\b|\[\s*\]|\{\s*\}|\(\s*\)" + more("empty")
                                + r"|x?\"\"|\bof no\b", re.I)
        return bool_cues, null_cues, empty_cues

    return catalog._memo("confidence.cues", build)


def _evidence(request: str):
    from ..requests import normalize_numbers

    norm = normalize_numbers(request)
    low = norm.lower()
    nums: set = set()
    for m in re.finditer(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?", low):
        t = m.group(0)
        try:
            nums.add(float(t) if any(c in t for c in ".e") else int(t))
        except ValueError:
            continue
    for _, v in number_phrases(low):
        nums.add(v)
    for m in re.finditer(r"(-?\d+)\s*(?:to|through|thru|until|-|\.\.)\s*(-?\d+)", low):  # ranges ("from 3 to 6")
        x, y = int(m.group(1)), int(m.group(2))
        if x < y <= x + 1000:
            nums.update(range(x, y + 1))
    words = dict(number_phrases(low))
    for m in re.finditer(r"\bfrom\s+([a-z -]+?)\s+(?:to|through|until)\s+([a-z -]+?)\b(?=\W|$)", low):
        x, y = words.get(m.group(1).strip()), words.get(m.group(2).strip())
        if isinstance(x, int) and isinstance(y, int) and x < y <= x + 1000:
            nums.update(range(x, y + 1))
    neg = bool(re.search(r"\b(?:minus|negative)\b", low))
    hexdigits = re.sub(r"[^0-9a-f]", "", low)
    bool_cues, null_cues, empty_cues = _cues()
    unescaped = request.replace('\\"', '"').replace("\\\\", "\\").replace("\\n", "\n").replace("\\t", "\t")
    return {"low": low + " " + request.lower() + " " + unescaped.lower(), "nums": nums, "neg": neg, "hex": hexdigits,
            "bool": bool(bool_cues.search(low)), "null": bool(null_cues.search(low)), "empty": bool(empty_cues.search(low))}


def _num_in(x, ev) -> bool:
    for n in ev["nums"]:
        if n == x or (ev["neg"] and n == -x) or (isinstance(n, float) and abs(n - x) <= 1e-9 * max(1.0, abs(x))):
            return True
    return False


def ungrounded(request: str, value, extra=None) -> str | None:
    """The first part of the answer the request gives no ground for, as a short phrase, or None.

    Every scalar an answer holds must come from the request: a number written in it (digits, other
    bases, or words: "one million", "zero point zero one"), a text or handle name it contains, bytes
    whose hex digits it contains, true/false/null named in some form; an empty container needs a
    word such as "empty". ``extra``: a value the compiler read out of the request (its scalars count
    as written there). A model that invents a value (``hello world`` -> ``true``) is not sure."""
    from ..values import Contract, Handle

    ev = _evidence(request)
    ok_scalars = []
    if extra is not None:
        _scalars(extra, ok_scalars)
    for v in _decoded_hex(request):
        _scalars(v, ok_scalars)

    def known(x) -> bool:
        from ..values import same

        for y in ok_scalars:
            try:
                if same(x, y):
                    return True
            except Exception:  # noqa: BLE001
                continue
        return False

    def walk(v) -> str | None:
        if known(v) and (not isinstance(v, (list, dict, Contract)) or not v):
            return None
        if v is None:
            return None if ev["null"] else "null"
        if isinstance(v, bool):
            return None if ev["bool"] else ("true" if v else "false")
        if isinstance(v, (int, float)):
            return None if _num_in(v, ev) else f"the number {v!r}"
        if isinstance(v, str):
            if v == "":
                return None if ev["empty"] else "an empty text"
            return None if v.lower() in ev["low"] else f"the text {v[:20]!r}"
        if isinstance(v, bytes):
            if not v:
                return None if ev["empty"] else "empty bytes"
            return None if v.hex() in ev["hex"] or v.decode("latin-1").lower() in ev["low"] else "those bytes"
        if isinstance(v, Handle):
            return None if v.name.lower() in ev["low"] else f"the handle {v.name!r}"
        if isinstance(v, Contract):
            if not _num_in(v.id, ev) and not known(v.id):
                return f"contract id {v.id}"
            for x in v.fields.values():
                got = walk(x)
                if got:
                    return got
            return None
        if isinstance(v, (list, dict)):
            if not v:
                return None if ev["empty"] else f"an empty {'list' if isinstance(v, list) else 'map'}"
            for x in (list(v.keys()) + list(v.values())) if isinstance(v, dict) else v:
                got = walk(x)
                if got:
                    return got
        return None

    return walk(value)


def _decoded_hex(request: str) -> list:
    """Values of the hex-byte runs in the request that decode in the binary notation (``decode 0C 0D``)."""
    from .. import decode
    from ..errors import HelixError

    out = []
    for m in re.finditer(r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{2}(?:\s+|(?=[^0-9A-Za-z])|$))+", request):
        h = re.sub(r"\s+", "", m.group(0))
        if not h or len(h) > 4096:
            continue
        try:
            out.append(decode(bytes.fromhex(h)))
        except (HelixError, ValueError):
            continue
    return out


def _names(v) -> set[str]:
    """Lower-case words of the texts, keys and handle names an answer holds."""
    from ..values import Handle

    out: set[str] = set()
    for x in _scalars(v, []):
        if isinstance(x, str):
            out.update(re.findall(r"[a-z]+", x.lower()))
        elif isinstance(x, Handle):
            out.update(re.findall(r"[a-z]+", x.name.lower()))
    return out


def _scalars(v, acc: list) -> list:
    from ..values import Contract

    if isinstance(v, (list, dict)) and not v:
        acc.append(v)
        return acc
    if isinstance(v, dict):
        for k, x in v.items():
            acc.append(k)
            _scalars(x, acc)
    elif isinstance(v, list):
        for x in v:
            _scalars(x, acc)
    elif isinstance(v, Contract):
        acc.append(v.id)
        for x in v.fields.values():
            _scalars(x, acc)
    else:
        acc.append(v)
    return acc


# Values described by a property rather than spelt out: the answer must be computed, and neither the
# models nor the compiler's reader compute.
_COMPUTED = re.compile(r"\b(?:biggest|largest|smallest|greatest|highest|lowest|maximum|minimum|odd|even|"
                       r"primes?|squared|cubed|doubled|tripled|twice|thrice|halved|reversed|"
                       r"sorted|factorial|average|mean of|digits of|multiplied|divided|"
                       # fractions and powers in words ("one tenth", "two to the fourteenth")
                       r"halves|quarters?|thirds|(?:tenth|hundredth|thousandth|millionth)s?|to the (?:power|\w+th)|"
                       r"(?:first|last|next|previous)\s+(?:\d+|" + "|".join(_NUM_WORD[:13]) + r"))\b", re.I)

# "In <notation>, is ...?", "For the binary one: how ...": a question behind a short phrase that sets its topic
_TOPIC = r"^\W*(?:(?:in|for|with|about|regarding|re|on)\b[^,:;?]{1,40}[,:;]\s*)?"
_PERMISSION = re.compile(_TOPIC + r"(?:can i|could i|may i|am i allowed|is it (?:possible|ok|okay|allowed|legal|valid)|"
                         r"can you explain|what happens|what's the difference|what is the difference)\b", re.I)
_HOW_QUESTION = re.compile(_TOPIC + r"(?:how|why|which|when|where|does|is|should|will)\b", re.I)
_TRANSLATE_VERB = re.compile(r"\b(?:write|written|writes|look|looks|express|expressed|encode|encoded|represent|"
                             r"represented|convert|converted|translate|say|spell|spelled|spelt|render|rendered|show|"
                             r"come out|become|becomes|appear|appears|serialize|serialized|mean|means)\b", re.I)
_ASKS = re.compile(r"\?|^\W*(?:can|could|does|do|is|are|should|may|will|would|list|give|show|help)\b|"
                   r"\b(?:what|what's|whats|how|why|which|when|where|who|whether|is|are|expl\w*|expa\w*|exlp\w*|"
                   r"tell|describe|define|summari[sz]e|summary|overview|contrast|compare|versus|vs|difference|mean|"
                   r"meaning|means|allowed|rules?|limits?|policy|wondering|wonder)\b", re.I)


def asks_about_notations(request: str) -> bool:
    """Whether the request reads as a question about the notations themselves ("can I write 0xFF in
    <notation>?", "which byte marks null", "how are items separated"), not a value to translate: a
    permission or what-happens question, or a how/why/which question with no verb of writing a value."""
    return bool(_PERMISSION.search(request) or (_HOW_QUESTION.search(request) and not _TRANSLATE_VERB.search(request)))


# A text described by the characters it holds ("a tab character", "with a literal backslash", "a
# space, then a thumbs up"): the answer's texts must hold that character. Models copy the words
# around such a description, not the character ("tab" for "the word tab, then one tab character").
_CHARACTER_CUES = (
    (re.compile(r"\btab (?:character|char)s?\b|\b(?:a|one|two|real|literal) tabs?\b", re.I), lambda t: "\t" in t),
    (re.compile(r"\bnewlines?\b|\bline ?breaks?\b|\blinefeeds?\b", re.I), lambda t: "\n" in t),
    (re.compile(r"\bbackslash(?:es)?\b", re.I), lambda t: "\\" in t),
    (re.compile(r"\b(?:double )?quotes? (?:inside|included|in the middle)|\b(?:literal|embedded) (?:double )?quote", re.I),
     lambda t: '"' in t),
    (re.compile(r"\b(?:a|one|two|three|four|\d+|single|leading|trailing) spaces?\b|\bspace character", re.I),
     lambda t: " " in t),
    (re.compile(r"\bemoji\b|\bthumbs?[- ]up\b|\bgrinning\b|\bsmiley\b", re.I), lambda t: any(ord(c) > 127 for c in t)),
)


def named_only_in_a_remark(request: str, route: str) -> str | None:
    """The answer's notation is named only inside a remark in parentheses ("... (that's 'Hello' in
    <notation>)") while the request names another notation outside it: a remark is incidental, so
    which one is the target is not sure."""
    from .. import catalog
    from ..requests import _mentions

    remarks = [m.span() for m in re.finditer(r"\([^()]*\)", request)]
    if not remarks:
        return None
    inside, outside = set(), set()
    for a, _, name in _mentions(request):
        if any(s < a < e for s, e in remarks):
            inside.add(name)
        elif not _FROM_BEFORE.search(request[:a]):  # "convert from A: ... (target: B)": A is the source
            outside.add(name)
    if route in inside and route not in outside and outside - {route}:
        other = catalog.display_name(sorted(outside - {route})[0])
        return f"the answer's notation is named only in a remark in parentheses; the request names {other} outside it"
    return None


_FROM_BEFORE = re.compile(r"\bfrom\s+(?:the\s+|an?\s+)?$", re.I)


# "a map from user to {...}", "a dictionary from colour to ...": the map has that key
_MAP_FROM = re.compile(r"\b(?:map|mapping|dictionary|dict|object)\s+from\s+(?:the\s+)?(?:key\s+)?[\"']?"
                       r"([A-Za-z_]\w*)[\"']?\s+(?:to|->|=>|onto)\b", re.I)
_NOT_A_KEY = {"a", "an", "the", "one", "key", "keys", "value", "values", "each", "every", "some", "this", "that", "it"}


def map_key_missing(request: str, value) -> str | None:
    """A request that says "a map from K to ..." where no map of the answer has the key K (a model
    that copied the inner value it was shown, without the map around it)."""
    keys = {str(k).lower() for k in _map_keys(value, [])}
    for m in _MAP_FROM.finditer(request):
        k = m.group(1)
        low = k.lower()
        plural = low.endswith("s") and not low.endswith("ss")  # "a map from names to ages": what the keys are
        if low in _NOT_A_KEY or low in _KIND_WORDS or low in keys or plural:
            continue
        return f"the request speaks of a map from {k!r}, and no map of the answer has that key"
    return None


def _map_keys(v, acc: list) -> list:
    from ..values import Contract

    if isinstance(v, dict):
        acc.extend(v)
        for x in v.values():
            _map_keys(x, acc)
    elif isinstance(v, list):
        for x in v:
            _map_keys(x, acc)
    elif isinstance(v, Contract):
        for x in v.fields.values():
            _map_keys(x, acc)
    return acc


def character_cue_unmet(request: str, value) -> str | None:
    """The character a request describes its text by, where no text of the answer holds it."""
    texts = [x for x in _scalars(value, []) if isinstance(x, str)]
    if not texts:
        return None
    plain = re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: " " if len(m.group()) > 3 else m.group(), request)
    for cue, holds in _CHARACTER_CUES:
        m = cue.search(plain)
        if m and not any(holds(t) for t in texts):
            return f"the request describes its text by a character ({m.group(0)!r}) that the answer does not hold"
    return None


def request_checks(request: str, route: str, value=None, output: str = "", extra=None, read: str | None = None) -> str | None:
    """Checks of an answer against the request's own words, whatever the scores (a reason, or None):
    kind words the answer contradicts, parts of the answer the request gives no ground for, number
    words the answer lost, values described by computation, a notation answer to a question
    about the notations, an explanation given to what is no question. ``read``: the words the
    compiler's rule reader read the answer's value from ("two and three quarters"), where the
    answer is that value: their computation and number words are accounted for."""
    if route == "explain":
        if not _ASKS.search(request):
            return "an explanation was given to what reads as no question"
        if not _topic_overlap(request, output):
            return "the explanation shares no word with the request"
        if _entry_rank(request, output) > EXPLAIN_RANK:
            return "other knowledge entries share more of the request's words than the one answered"
        return None
    if asks_about_notations(request):
        return "the request reads as a question about the notations, not a value to translate"
    if not _reads_as_request(request):
        return "the input reads as no request (no value, kind or notation named, no instruction)"
    from ..requests import unread_names

    for word, near in unread_names(request):
        if route not in near:
            return f"{word!r} looks like the name of a notation, and helixc does not know which one"
    got = named_only_in_a_remark(request, route)
    if got:
        return got
    plain = _plain(request)
    if read and read in request:
        plain = _plain(request.replace(read, " \x00 ", 1))  # the words read into the value, not again
    m = _COMPUTED.search(plain)
    if m and m.group(0).lower() not in _names(value):
        return f"the value is described by computation ({m.group(0)!r}), which nobody here computes"
    if value is None and output.strip() == "":
        return None
    got = ungrounded(request, value, extra)
    if got:
        return f"the answer holds {got}, which the request does not mention"
    got = character_cue_unmet(request, value) or map_key_missing(request, value)
    if got:
        return got
    nums = _answer_numbers(value)
    texts = " ".join(x for x in _scalars(value, []) if isinstance(x, str))
    for m in _NAMED_NUMBER.finditer(plain):
        # "the number 5": a number the request calls a value; an answer without it read something else
        n = float(m.group(1)) if "." in m.group(1) else int(m.group(1))
        if n not in nums and m.group(1) not in texts:
            return f"the request names the number {m.group(1)}, and the answer does not hold it"
    for phrase, v in number_phrases(plain.lower()):
        if len(phrase.split()) >= 2 and v not in nums and -v not in nums and not (isinstance(v, int) and v < 0 and
                                                                                  -v in nums):
            return f"the request spells the number {phrase!r}, and the answer does not hold it"
    return inconsistency(request, value)


def _cue():
    """A sign that text is a request: a literal's character (the English ones, then the registered
    notations' ``request_cues["literal"]``), an arrow, or a word of a request."""
    from .. import catalog

    return catalog._memo("confidence.cue", lambda: re.compile(
        r"[\d\"'\[\]{}()@&#=:\u2192" + "".join(catalog.request_cues("literal")) + r"]|->|"
        r"\b(?:" + "|".join(_NUM_WORD) + r"|true|false|null|none|nil|nothing|yes|no|empty|"
        r"list|lists|array|arrays|map|maps|object|dictionary|dict|contract|contracts|handle|handles|"
        r"text|string|strings|word|words|phrase|integer|int|number|numbers|float|decimal|bytes|byte|boolean|"
        r"bool|value|values|key|keys|field|fields|name|named|called|item|items|element|elements|pair|pairs|"
        r"convert|translate|encode|decode|write|show|give|turn|render|emit|express|put|make|format|"
        r"represent|spell|output|print|produce|serialize|store|declare|define|record|need|want|get|change|"
        r"rewrite|transform|please|pls|plz|what|how|hex|binary)\b", re.I))


def _reads_as_request(request: str) -> bool:
    from ..requests import _mentions

    return bool(_mentions(request)) or bool(_cue().search(request))


_NAMED_NUMBER = re.compile(r"\bthe (?:number|integer|int|float|decimal) (-?\d+(?:\.\d+)?)(?![\w.])", re.I)


def _answer_numbers(v) -> set:
    return {x for x in _scalars(v, []) if isinstance(x, (int, float)) and not isinstance(x, bool)}


_STOP_WORDS = frozenset("""the a an of to in is it and or for on as by be with this that what how why which when where
who do does can could should would will are was were i me my you your we our there their its from at about into than
then not no yes any some all each every if so but please tell explain mean means meaning give show write convert
translate notation notations format formats helixc hlx""".split())


def _stop() -> frozenset[str]:
    """Words that tell no topic: English ones, then those naming a notation (``Notation.topic_stop_words``)."""
    from .. import catalog

    return catalog._memo("confidence.stop", lambda: _STOP_WORDS | catalog.topic_stop_words())
_KB_WORDS: dict | None = None


def _stem(w: str) -> str:
    for suf in ("ing", "ed", "es", "s"):
        if len(w) > len(suf) + 3 and w.endswith(suf):
            return w[: -len(suf)]
    return w


def _content(text: str) -> set[str]:
    stop = _stop()
    return {_stem(w) for w in re.findall(r"[a-z0-9_]+(?:-[a-z0-9_]+)*", text.lower()) if len(w) >= 3 and w not in stop}


def _kb_words() -> dict:
    """Each knowledge entry's answer -> the content words of its answer and training question forms."""
    global _KB_WORDS
    if _KB_WORDS is None:
        from .data import load_knowledge

        _KB_WORDS = {e["answer"]: _content(e["answer"] + " " + " ".join(e.get("train_forms", [])))
                     for e in load_knowledge()}
    return _KB_WORDS


def _topic_overlap(request: str, answer: str) -> bool:
    """Does the request share a content word with the knowledge entry answered (its answer text and
    its training question forms; never the held-out question forms)?"""
    words = _kb_words().get(answer)
    if words is None:
        words = _content(answer)
    return bool(_content(_with_names(request)) & words)


# A second reading of an explain request: the knowledge entries ranked by the request's content words
# they share (each word weighted by how few entries have it). The adapter's entry must be among the
# first EXPLAIN_RANK + 1. On val + dev..dev4 (benchmarks/calibrate_confidence.py rows): 168 of 181
# right explain answers rank first, and 5 of the 7 wrong ones rank below third.
EXPLAIN_RANK = 2


def _entry_rank(request: str, answer: str) -> int:
    """How many knowledge entries share more (idf-weighted) content words with the request than the
    entry whose answer is ``answer`` (0 for an answer that is no entry's)."""
    entries = _kb_words()
    if answer not in entries:
        return 0
    idf = _kb_idf()
    words = _content(_with_names(request))
    score = {a: sum(idf[w] for w in words & ws) for a, ws in entries.items()}
    mine = score[answer]
    return sum(1 for v in score.values() if v > mine)


_KB_IDF: dict | None = None


def _kb_idf() -> dict:
    global _KB_IDF
    if _KB_IDF is None:
        import math
        from collections import Counter

        entries = _kb_words()
        df = Counter(w for ws in entries.values() for w in ws)
        _KB_IDF = {w: math.log(len(entries) / n) for w, n in df.items()}
    return _KB_IDF


def _with_names(request: str) -> str:
    """The request with each notation mention replaced by its canonical name (a nickname -> the name)."""
    from ..requests import _mentions

    text = request
    for a, b, name in sorted(_mentions(text), reverse=True):
        text = text[:a] + f" {name} " + text[b:]
    return text


def has_reserved(text: str) -> bool:
    return any(c in RESERVED for c in text)


def judge(features: dict, th: Thresholds) -> tuple[bool, str | None]:
    """``features``: route, routed_by_model, route_prob, route_named (the rule reader's target is the
    same route), min_prob, forced, closed, grammar_valid,
    output, has_specialist, verified (True/False/None), correction_sure (the compiler's answer, which
    replaced a disagreeing model's, is the safer one: see ``answering.answer_batch``),
    correction_sure_if_router_unsure (the same, on another route than the router's: sure only when
    the router's probability is under its threshold, or the router chose explain and no_question:
    the request asks nothing), reading_doubt (why the compiler's reading may
    be only part of the request: an agreement with it is then no proof)."""
    out = features.get("output") or ""
    if not features.get("has_specialist", True):
        return False, f"no specialist is loaded for route {features.get('route')!r}"
    checked = features.get("request_check")  # request_checks() on the answer finally given
    route_th = th.route_prob_named if features.get("route_named") and th.route_prob_named is not None \
        else th.route_prob
    if features.get("route") == "explain" and features.get("route_named") and th.route_prob_explain is not None:
        route_th = th.route_prob_explain
    router_unsure = features.get("routed_by_model") and features.get("route_prob", 1.0) < route_th
    if features.get("verified") is False and features.get("correction_sure_if_router_unsure") and (
            router_unsure or (features.get("route") == "explain" and features.get("no_question"))):
        # the router was unsure (or chose an explanation for what asks nothing), the request names the
        # compiler's route (or names none, and the documented default gives it) and its payload is read whole
        return (False, checked) if checked else (True, None)
    if features.get("verified") is True and features.get("reading_doubt"):
        # the model agrees with a reading that may be only part of the request: both may be wrong
        return False, features["reading_doubt"]
    if features.get("verified") is True or (features.get("verified") is False and features.get("correction_sure")):
        # the compiler read the same answer out of the request, or its answer replaced the model's:
        # sure, unless the request's own words contradict it
        return (False, checked) if checked else (True, None)
    if not out.strip():
        return False, "the model wrote nothing"
    if has_reserved(out):
        return False, "the answer still holds a slot reference (a literal the request does not have)"
    if not features.get("grammar_valid", False):
        return False, "the model's answer does not pass the compiler's checks"
    if features.get("verified") is False:
        return False, "the model and the compiler's own reading of the request disagree"
    if features.get("closed"):
        return False, "the model ran to its token budget (a repetition loop)"
    if router_unsure:
        return False, f"the router is unsure which notation is meant (p={features['route_prob']:.2f})"
    if features.get("reader_explain"):
        return False, "the request reads as a question with no value in it, and the router chose a notation"
    if features.get("route") == "explain":
        if features.get("min_prob", 1.0) < th.explain_prob:
            return False, f"no knowledge entry clearly answers this (p={features['min_prob']:.2f})"
        return (False, checked) if checked else (True, None)
    if features.get("forced", 0) > th.max_forced:
        return False, "the grammar had to overrule the model's own choice"
    if features.get("min_prob", 1.0) < th.min_prob:
        return False, f"the model is unsure of part of its answer (p={features['min_prob']:.2f})"
    if features.get("inconsistent"):
        return False, features["inconsistent"]
    if checked:
        return False, checked
    return True, None
