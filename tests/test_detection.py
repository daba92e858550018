"""Source detection (helixc.detection.detect) and what the translate path reuses from it."""

from __future__ import annotations

import helixc
from helixc import detection
from helixc.engine import translate_notation
from helixc.plugins import get_notation
from helixc.translation import TranslateRequest


def _read_by_several():
    """A value written canonically in the value notation (which other notations may read alike), detected."""
    from helixc import catalog

    value = {"rows": [[1, -2, 3]] * 50, "tag": "t"}
    text = helixc.emit(value, catalog.value_notation())
    return value, text, detection.detect(text)


def test_detect_stops_at_the_canonical_notation_and_keeps_what_it_emitted():
    value, text, d = _read_by_several()
    assert d.emitted[d.notation] == text.strip()
    order = d.candidates[: d.candidates.index(d.notation) + 1]
    assert list(d.emitted) == order  # nothing emitted past the first canonical match


def test_a_translation_reuses_the_text_detection_emitted_for_its_target(monkeypatch):
    value, text, d = _read_by_several()
    others = [nm for nm in d.emitted if nm != d.notation]
    target = others[0] if others else d.notation
    expected = helixc.emit(value, target)
    n = get_notation(target)
    calls = []
    real = n.emit
    monkeypatch.setattr(n, "emit", lambda v, *a, **k: calls.append(1) or real(v, *a, **k))
    res = translate_notation(TranslateRequest(text=text, to=target))
    assert res.output == expected
    assert len(calls) == 1  # once, inside detect; not again for the answer
