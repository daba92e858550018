"""Answering English requests given a loaded MoE: routing, generation, verification by the
compiler (:func:`answer_batch`), and the compiler's own answers (:func:`compiler_answer`).

This module takes the MoE as an argument and never imports :mod:`helixc.neural.moe`: imports go
one way, ``service -> moe -> answering / constrain`` (``MoE.answer`` calls :func:`answer_batch`);
:mod:`helixc.neural.service` loads the MoE and is what ``helixc translate`` calls.

English requests -> :class:`helixc.engine.TranslateResult` (what ``helixc translate`` calls).

Engines (``TranslateRequest.engine``):

* ``neural``: the models alone. With ``to='auto'`` the coordinator routes, then
  the route's specialist writes the answer under its grammar. ``verified`` is
  still reported (True/False when the compiler could read the request itself,
  None when it could not), but nothing is corrected.
* ``compiler``: no model. ``helixc.requests.read_request`` reads the target and
  the payload (or the knowledge entry) and the compiler writes the answer; a
  request it cannot read is a ``HelixError(E_INPUT)``.
* ``auto`` (default): the neural answer, verified against the compiler's own
  translation of the payload where ``read_request`` finds one. If they
  disagree, the compiler's answer is returned: ``engine='compiler'``,
  ``verified=False``, ``corrected=True`` and ``neural_output`` in the JSON.

``verified`` therefore means "the model's answer was checked by the compiler
and agreed" (True), "checked and disagreed" (False), "could not be checked"
(None). ``grammar_valid`` is about the model's text under its grammar.
"""

from __future__ import annotations

import functools
import re
import time

from ..translation import TranslateRequest, TranslateResult
from ..errors import E_INPUT, HelixError
from .confidence import _ASKS, judge, request_checks

# ---------------------------------------------------------------------------- compiler side


def _target_of(to: str) -> str | None:
    """Canonical route for ``req.to`` (None for auto)."""
    t = (to or "auto").strip().lower()
    if t == "auto":
        return None
    if t == "explain":
        return "explain"
    from ..plugins import get_notation

    return get_notation(t).name


@functools.lru_cache(maxsize=512)
def _read(text: str):
    """The rule reader's reading of ``text``, once per request (verification and route agreement both
    need it). Readings are not modified by their users."""
    from ..requests import read_request

    return read_request(text)


def compiler_reading(text: str, to: str | None):
    """(route, output, value) the compiler gets on its own, or None when it cannot read it."""
    r = _read(text)
    route = to or r.route or r.target
    if route is None:
        return None
    if route == "explain":
        if r.knowledge_id:
            kb = _knowledge()
            if r.knowledge_id in kb:
                return route, kb[r.knowledge_id], r.knowledge_id
        return None
    if not r.has_payload:
        return None
    from .. import emit

    return route, emit(r.payload, route), r.payload


def _names(text: str, route: str) -> bool:
    """Whether the request itself names ``route``'s notation (not a target the rule reader inferred,
    such as the value notation for "the ASCII-only version of [1]")."""
    from ..requests import _mentions

    return any(name == route for _, _, name in _mentions(text))


def _default_target(text: str, route: str) -> bool:
    """Whether ``route`` is the target the documented default gives a request that names no notation
    at all (the value notation; the binary one after "encode"/"serialize": corpora/README.md, rule 2)."""
    from .. import catalog
    from ..requests import _ASKS_SOMETHING, _mentions, asks_for_encoding, normalize_numbers

    norm = normalize_numbers(text.strip())
    low = norm.lower()
    # a question may still ask for the encoding in so many words ("what does 0.5 serialize to?")
    return not _mentions(norm) and (not _ASKS_SOMETHING.search(low) or route == catalog.binary_notation()
                                    and asks_for_encoding(low)) and _rule_target(text) == route


def _named_target(text: str) -> str | None:
    """The notation the rule reader takes for the target, where the request itself names it."""
    t = _rule_target(text)
    return t if t is not None and t != "explain" and _names(text, t) else None


def _rule_target(text: str) -> str | None:
    """The route the rule reader names for ``text`` (None where it names none)."""
    try:
        return _read(text).target
    except HelixError:
        return None


_KB: dict | None = None


def _knowledge() -> dict:
    global _KB
    if _KB is None:
        from .data import load_knowledge

        _KB = {e["id"]: e["answer"] for e in load_knowledge()}
    return _KB


def compiler_answer(req: TranslateRequest) -> TranslateResult:
    got = compiler_reading(req.text, _target_of(req.to))
    if got is None:
        raise HelixError(E_INPUT, "the compiler's rule-based reader cannot read this request (no target or no payload "
                                  "it is sure of); use the neural or auto engine (--engine / engine=)")
    route, output, value = got
    res = TranslateResult(route=route, target=route, output=output, engine="compiler", grammar_valid=True,
                          verified=True, extra={"compiler_only": True})
    # the reader's reading is checked against the request's words like any answer (a remark the
    # reader set aside, "5 (as a string)", may contradict it)
    found = _payload_span(req.text) if route != "explain" else None
    read = found[1][found[2][0]:found[2][1]] if found else None
    why = request_checks(req.text, route, value if route != "explain" else None, output,
                         extra=value if route != "explain" else None, read=read)
    if why:
        res.confident, res.reason = False, why
    return res


# ---------------------------------------------------------------------------- batched answers


def _normalize(text: str) -> str:
    try:
        from ..requests import normalize_numbers
    except ImportError:
        return text
    return normalize_numbers(text)


def answer_batch(moe, requests: list[TranslateRequest], constrained: bool = True) -> list[TranslateResult]:
    """Route (where ``to='auto'``) and generate for all requests in batches, then
    verify/correct each answer per its engine."""
    t0 = time.perf_counter()
    n = len(requests)
    results: list[TranslateResult | None] = [None] * n
    texts = [_normalize(r.text) for r in requests]
    routes: list[str | None] = [None] * n
    neural_idx = []
    for i, r in enumerate(requests):
        if r.engine == "compiler":
            results[i] = compiler_answer(r)
            continue
        if r.engine not in ("auto", "neural"):
            raise HelixError(E_INPUT, f"unknown engine {r.engine!r} (auto, neural, compiler)")
        routes[i] = _target_of(r.to)
        neural_idx.append(i)
    to_route = [i for i in neural_idx if routes[i] is None]
    route_prob: dict[int, float] = {}
    if to_route:
        scored = moe.route_scored([texts[i] for i in to_route], constrained=constrained) \
            if hasattr(moe, "route_scored") else [(lab, 1.0) for lab in moe.route([texts[i] for i in to_route],
                                                                                  constrained=constrained)]
        for i, (lab, p) in zip(to_route, scored):
            routes[i] = lab
            route_prob[i] = p
    have = set(moe.routes())
    overruled = set()
    for i in to_route:
        final = overrule_route(requests[i].text, routes[i], have)
        if final != routes[i]:
            routes[i] = final
            overruled.add(i)
    routed_by_model = set(to_route) - overruled
    bad_route = [i for i in neural_idx if routes[i] not in have]
    gen_idx = [i for i in neural_idx if i not in bad_route]
    gens = moe.generate([texts[i] for i in gen_idx], [routes[i] for i in gen_idx], constrained=constrained) if gen_idx else []
    by_i = dict(zip(gen_idx, gens))
    elapsed = (time.perf_counter() - t0) * 1000
    th = _thresholds(moe)
    for i in neural_idx:
        how = "coordinator" if i in routed_by_model else "request words" if i in overruled else "request"
        results[i] = _judge_row(moe, requests[i], routes[i], by_i.get(i), how, route_prob.get(i), th, elapsed)
    _second_reading_explain(moe, requests, texts, routes, routed_by_model, results, th, constrained)
    return results  # type: ignore[return-value]


def overrule_route(text: str, route: str, have) -> str:
    """The route an answer is written in, given the coordinator's ``route``: where the request's own words
    name another notation (of ``have``) as the target ("<notation> for a list of ..."), the words win.
    Only between notations: whether a request is a question (explain) is the router's call, since
    questions name notations too."""
    named = _named_target(text)
    if named and named != route and named in have and route in have and "explain" not in (named, route):
        return named
    return route


def _judge_row(moe, r, route, g, how: str, route_prob: float | None, th, elapsed: float) -> TranslateResult:
    """One request's answer judged: verified against (and, engine auto, corrected by) the compiler's own
    reading, checked against the request's words, and given its confidence. ``how``: who chose the
    route (``coordinator``: the router, with ``route_prob``; ``request words``; ``request``: the caller)."""
    from .. import same

    spec = moe.specialist_for(route) if g is not None else None
    target = spec.target if spec is not None else (route or "explain")
    out = g.output if g is not None else ""
    res = TranslateResult(route=route or "", target=target, output=out, engine="neural",
                          grammar_valid=bool(g and g.grammar_valid), verified=None, latency_ms=0.0,
                          extra={"routed_by": how})
    if g is not None and g.text != g.output:
        res.extra["model_text"] = g.text
    if g is not None and g.closed:
        res.extra["closed_at_budget"] = True
    features = {"route": route, "routed_by_model": how == "coordinator", "route_prob": 1.0 if route_prob is None else route_prob,
                "min_prob": getattr(g, "min_prob", 1.0), "forced": getattr(g, "forced", 0),
                "closed": bool(g and g.closed), "grammar_valid": res.grammar_valid, "output": out,
                "has_specialist": g is not None, "verified": None}
    if g is not None and route != "explain" and res.grammar_valid:
        from .confidence import inconsistency

        features["inconsistent"] = inconsistency(r.text, g.value)
    # verification against the compiler's own reading
    try:
        ref = compiler_reading(r.text, None if how == "coordinator" else route)
    except HelixError:
        ref = None
    if how == "coordinator":
        features["route_named"] = _rule_target(r.text) == route
        features["reader_explain"] = route != "explain" and _rule_target(r.text) == "explain"
    ref_val = None
    if ref is not None:
        ref_route, ref_out, ref_val = ref
        features["reading_doubt"] = reading_doubt(r.text) if ref_route != "explain" else None
        if ref_route == "explain":
            agree = route == "explain" and g is not None and g.value == ref_val
        else:
            agree = g is not None and g.grammar_valid and route == ref_route and _same(g.value, ref_val, same)
        res.verified = features["verified"] = bool(agree)
        if not agree:
            # The compiler overrules the model only where its own reading is unambiguous: the
            # same route, and a payload it read whole (notation text, or its controlled English)
            # with no other literal in the request. Models miscopy and mis-compose values; a
            # whole-phrase parse does not. A route disagreement is a conflict nobody can settle.
            sure = r.engine == "auto" and _sure_payload(r.text, ref_route)
            features["correction_sure"] = sure and ref_route == route
            # the router chose another route: settled for the compiler only where the request itself
            # names the compiler's route and the router was unsure (judge() compares the threshold)
            features["correction_sure_if_router_unsure"] = sure and ref_route != route and \
                how == "coordinator" and (_names(r.text, ref_route) or _default_target(r.text, ref_route))
            found = _payload_span(r.text)  # the question mark of a payload ("¿qué?") asks nothing
            asked = found[1][:found[2][0]] + " " + found[1][found[2][1]:] if found else r.text
            features["no_question"] = not _ASKS.search(asked)
        if not agree and r.engine == "auto":
            res.extra.update({"corrected": True, "neural_output": out, "neural_route": route})
            res.route, res.target, res.output, res.engine = ref_route, ref_route, ref_out, "compiler"
            res.grammar_valid = True
    final_value = (ref_val if res.engine == "compiler" else g.value if g is not None else None) \
        if res.route != "explain" else None
    read = None
    if ref is not None and ref[0] != "explain" and res.route == ref[0] and _same(final_value, ref_val, same):
        found = _payload_span(r.text)
        read = found[1][found[2][0]:found[2][1]] if found else None
    features["request_check"] = request_checks(
        r.text, res.route, final_value, res.output,
        extra=ref_val if ref is not None and ref[0] != "explain" else None, read=read) if res.output else None
    res.confident, res.reason = judge(features, th)
    res.features = features
    res.extra["scores"] = {"route_prob": round(features["route_prob"], 4), "min_prob": round(features["min_prob"], 4),
                           "forced": features["forced"]}
    res.latency_ms = elapsed
    return res


def _second_reading_explain(moe, requests, texts, routes, routed_by_model, results, th, constrained) -> None:
    """A request the router sent to a notation, answered without confidence, that reads as a question
    about the notations ("can I store NaN as a float?", "which byte marks null in binary?"): the
    explain adapter reads it too, and its answer replaces the unsure one where it is judged sure on
    its own terms (the knowledge entry's probability, the request's words; a knowledge entry the rule
    reader names must be the same). The router is a classifier trained on requests that mostly carry a
    value; a question that mentions a notation and a kind pulls it to that notation, unsure."""
    from .confidence import asks_about_notations

    if "explain" not in set(moe.routes()):
        return
    idx = [i for i in sorted(routed_by_model) if routes[i] != "explain" and results[i] is not None
           and not results[i].confident and asks_about_notations(requests[i].text)]
    if not idx:
        return
    gens = moe.generate([texts[i] for i in idx], ["explain"] * len(idx), constrained=constrained)
    for i, g in zip(idx, gens):
        first = results[i]
        features = {"route": "explain", "routed_by_model": False, "second_reading": True,
                    "route_prob": first.features.get("route_prob", 1.0) if first.features else 1.0,
                    "min_prob": getattr(g, "min_prob", 1.0), "forced": getattr(g, "forced", 0),
                    "closed": bool(g.closed), "grammar_valid": bool(g.grammar_valid), "output": g.output,
                    "has_specialist": True, "verified": None}
        try:
            ref = compiler_reading(requests[i].text, "explain")
        except HelixError:
            ref = None
        if ref is not None:
            features["verified"] = g.value == ref[2]
        features["request_check"] = request_checks(requests[i].text, "explain", None, g.output) if g.output else None
        ok, why = judge(features, th)
        if features["verified"] is False:
            ok = False
        if not ok:
            continue
        res = TranslateResult(route="explain", target="explain", output=g.output, engine="neural",
                              grammar_valid=bool(g.grammar_valid), verified=features["verified"],
                              latency_ms=first.latency_ms,
                              extra={"routed_by": "request words (a question about the notations)",
                                     "first_route": first.route, "first_reason": first.reason})
        res.confident, res.reason, res.features = True, None, features
        res.extra["scores"] = {"route_prob": round(features["route_prob"], 4), "min_prob": round(features["min_prob"], 4),
                               "forced": features["forced"]}
        results[i] = res


def _leftover_literal():
    """A quote, bracket, handle sigil (the registered notations': ``catalog.handle_sigils``), digit
    or number word left in the request (an apostrophe inside a word, "what's", is none)."""
    from .. import catalog

    return catalog._memo("answering.leftover_literal", lambda: re.compile(
        r"\d|[\"\[\]{}" + "".join(re.escape(c) for c in catalog.handle_sigils()) + r"]|(?<![A-Za-z])'|'(?![A-Za-z])|"
        r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
        r"twelve|twenty|thirty|forty|fifty|hundred|thousand|million|true|false|null)\b", re.I))


# 'the string: she said "hi"', 'the text He said "hi"': words between the text noun and the quote
_TEXT_GOES_ON = re.compile(r"(?<![\w-])(?:string|text|phrase|sentence)(?![\w-])\s*:?\s*[^\s\"][^\"]*$", re.I)
_KEY_BEFORE = re.compile(r"[A-Za-z_]\w*\s*(?:->|=>|=|\u2192)\s*$")


_DECODE_CUE = re.compile(r"\bdecod(?:e|es|ed|ing)\b", re.I)


@functools.lru_cache(maxsize=512)
def _payload_span(text: str):
    """(the rule reader's reading, the normalised request, the payload's span in it), or None;
    once per request (the doubt and the correction checks both need it)."""
    from ..requests import extract_description, extract_payload, normalize_numbers, token_text

    try:
        r = _read(text)
    except HelixError:
        return None
    if not r.has_payload:
        return None
    from .. import same

    norm = normalize_numbers(text.strip())
    if r.sentence is not None:  # read from one sentence of the request: its span and literals are that sentence's
        norm = norm[r.sentence[0]:r.sentence[1]].strip()
    if r.payload_notation in ("english", "number"):
        found = extract_description(norm)
        # a number the reader took from notation text may sit inside a description that reads as another
        # value ("the biggest 64 bit signed integer"): that description is not where the payload came from
        span = found[1:] if found and _same(found[0], r.payload, same) else None
        if span is None and r.payload_notation == "english":
            found = token_text(norm)
            span = found[1:] if found and _same(found[0], r.payload, same) else None
        if span is None and r.payload_notation == "number":
            found = extract_payload(norm, None)
            span = found[2:] if found and _same(found[0], r.payload, same) else None
    else:
        found = extract_payload(norm, r.payload_notation)
        span = found[2:] if found else None
    return (r, norm, span) if span is not None else None


def reading_doubt(text: str) -> str | None:
    """Why the compiler's reading of the payload may be only part of what the request means (then
    the model agreeing with it proves nothing): the payload is the value of a key written before it,
    or the end of an unquoted text that goes on around a quote."""
    found = _payload_span(text)
    if found is None:
        return None
    r, norm, span = found
    if _KEY_BEFORE.search(norm[:span[0]]):  # "user -> {...}": the payload is the value of a key
        return "the value read may belong to a key written before it"
    # 'the string: she said "hi"': the quote is part of the text
    if isinstance(r.payload, str) and norm[span[0]:span[0] + 1] == '"' and _TEXT_GOES_ON.search(norm[:span[0]]):
        return "the quoted text read may be part of a longer text"
    if re.search(r"\b(?:tag|tag byte|type byte|opcode|marker)\s*$", norm[:span[0]], re.I):  # "tag 0C in <notation> = ?"
        return "the value read follows the word 'tag': the request may ask what that tag means"
    return None


def _sure_payload(text: str, route: str) -> bool:
    """The compiler's reading of the payload is one it can stand behind: a span of notation text, a
    number, or a value described in its controlled English, read whole, with no other literal left
    in the request (an incidental number elsewhere could be the value meant). Hex bytes count only
    when the request says they are binary notation (it names that notation besides the target, or
    asks to decode them): otherwise they may be meant as a bytes value."""
    from ..plugins import notations
    from ..requests import INCIDENTAL_NUMBER, _mentions

    if route == "explain":
        return False
    found = _payload_span(text)
    if found is None:
        return False
    r, norm, span = found
    if r.payload_notation not in ("english", "number"):
        n = notations().get(r.payload_notation or "")
        if n is None:
            return False
        if n.binary and not (_DECODE_CUE.search(norm) or any(name == n.name and name != r.target
                                                              for _, _, name in _mentions(norm))):
            return False
    if reading_doubt(text):
        return False
    rest = norm[:span[0]] + " " + norm[span[1]:]
    for a, b, _ in sorted(_mentions(rest), reverse=True):  # notation names are not literals
        rest = rest[:a] + " " + rest[b:]
    rest = INCIDENTAL_NUMBER.sub(" ", rest)
    return not _leftover_literal().search(rest)




def _thresholds(moe):
    from .confidence import Thresholds

    th = getattr(moe, "confidence", None)
    if th is None:
        d = getattr(moe, "dir", None)
        th = Thresholds.load(d) if d is not None else Thresholds()
        try:
            moe.confidence = th
        except AttributeError:
            pass
    return th


def _same(a, b, same) -> bool:
    try:
        return bool(same(a, b))
    except Exception:  # noqa: BLE001
        return False
