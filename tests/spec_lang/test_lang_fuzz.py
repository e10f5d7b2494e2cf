"""No input makes the front end raise anything but SpecError."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spec_lang
from spec_lang.ast import SpecFile
from spec_lang.diagnostics import CODES, SpecError, render
from spec_lang.parser import _parser
from spec_lang.syntax_errors import keywords


def _grammar_words() -> list[str]:
    """The grammar's literal terminals: keywords, operators and punctuation."""
    words = {
        str(t.pattern.value) for t in _parser().terminals if t.pattern.type == "str"
    }
    return sorted(words | keywords(_parser()) | {"<=>", "=>", "&&", "||", "!"})


_WORDS = _grammar_words()
_SOUP = st.sampled_from([*_WORDS, "x", "y", "Mode", "E", "0", "1", "41", "\n"])

_FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _load(source: str) -> None:
    try:
        result = spec_lang.load_source(source, "fuzz.spec")
    except SpecError as exc:
        assert exc.diagnostics
        for diagnostic in exc.diagnostics:
            assert diagnostic.code in CODES
            assert diagnostic.span.line >= 1
            assert diagnostic.span.column >= 1
            assert render(diagnostic, source).startswith("fuzz.spec:")
        return
    assert isinstance(result, SpecFile)


@_FUZZ
@given(st.text())
def test_random_text_raises_only_spec_errors(source: str) -> None:
    _load(source)


@_FUZZ
@given(st.lists(_SOUP, max_size=60).map(" ".join))
def test_token_soup_raises_only_spec_errors(source: str) -> None:
    _load(source)


@_FUZZ
@given(st.lists(_SOUP, max_size=60).map(" ".join))
def test_soup_in_a_component_raises_only_spec_errors(body: str) -> None:
    _load("component C {\n  var x: Int\n  init { x := 0 }\n" + body + "\n}\n")


@_FUZZ
@given(st.lists(_SOUP, max_size=40).map(" ".join))
def test_soup_as_an_expression_raises_only_spec_errors(expr: str) -> None:
    _load("component C {\n  var x: Int\n  init { x := 0 }\n  invariant " + expr + "\n}")


_BUNDLED = (Path(__file__).parents[2] / "specs" / "circuit_breaker.spec").read_text(
    encoding="utf-8"
)
# Comments go first: joined on one line, a "//" would hide the rest of the file.
_BUNDLED_WORDS = re.sub(r"//[^\n]*", "", _BUNDLED).split()


@st.composite
def _mutated_spec(draw: st.DrawFn) -> str:
    """The bundled circuit breaker with a few words dropped, doubled or swapped."""
    words = list(_BUNDLED_WORDS)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(words) - 1))
        edit = draw(st.sampled_from(["drop", "double", "swap", "insert"]))
        if edit == "drop":
            del words[at]
        elif edit == "double":
            words.insert(at, words[at])
        elif edit == "swap":
            words[at] = draw(st.sampled_from(_BUNDLED_WORDS))
        else:
            words.insert(at, draw(_SOUP))
    return " ".join(words)


@_FUZZ
@given(_mutated_spec())
def test_mutated_bundled_spec_raises_only_spec_errors(source: str) -> None:
    _load(source)


_NAMES = sorted(
    {w for w in re.findall(r"[A-Za-z_]\w*", " ".join(_BUNDLED_WORDS))}
    - keywords(_parser())
)
_SWAPS = st.sampled_from([*_NAMES, "true", "false", "result", "0", "1", "old(mode)"])


@st.composite
def _renamed_spec(draw: st.DrawFn) -> str:
    """The bundled circuit breaker with names swapped: it parses, then fails checks."""
    pieces = re.split(r"([A-Za-z_]\w*)", re.sub(r"//[^\n]*", "", _BUNDLED))
    names = [i for i, p in enumerate(pieces) if p in _NAMES]
    for _ in range(draw(st.integers(1, 6))):
        pieces[draw(st.sampled_from(names))] = draw(_SWAPS)
    return "".join(pieces)


@_FUZZ
@given(_renamed_spec())
def test_renamed_bundled_spec_raises_only_spec_errors(source: str) -> None:
    _load(source)
