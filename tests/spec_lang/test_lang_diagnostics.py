"""The code catalogue is complete and the renderer puts the caret under the column."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

import spec_lang
from spec_lang.ast import Span
from spec_lang.diagnostics import CODES, Diagnostic, SpecError, error, render

PACKAGE = Path(spec_lang.__file__).parent
_CODE = re.compile(r"\"(SF\d+)\"")


def test_codes_are_declared_once() -> None:
    text = (PACKAGE / "diagnostics.py").read_text(encoding="utf-8")
    keys = re.findall(r"^\s+\"(SF\d+)\":", text, flags=re.MULTILINE)
    assert sorted(keys) == sorted(CODES)
    assert [k for k, n in Counter(keys).items() if n > 1] == []


def test_codes_have_the_documented_form() -> None:
    assert all(re.fullmatch(r"SF[1-3]\d\d", code) for code in CODES)


def test_every_code_has_a_meaning() -> None:
    assert all(meaning.strip() for meaning in CODES.values())


def test_used_codes_are_in_the_catalogue() -> None:
    used = {
        code
        for path in PACKAGE.glob("*.py")
        for code in _CODE.findall(path.read_text(encoding="utf-8"))
    }
    assert used
    assert used - set(CODES) == set()


def test_unknown_code_is_refused() -> None:
    with pytest.raises(ValueError, match="SF999"):
        error("SF999", "message", Span("f", 1, 1, 1, 2))


def test_short_form_names_file_line_column_and_code() -> None:
    diagnostic = error("SF201", "unknown name 'y'", Span("a.spec", 3, 7, 3, 8))
    assert diagnostic.short() == "a.spec:3:7: error[SF201]: unknown name 'y'"


def test_spec_error_carries_its_diagnostics() -> None:
    diagnostic = error("SF201", "unknown name 'y'", Span("a.spec", 3, 7, 3, 8))
    raised = SpecError([diagnostic])
    assert raised.diagnostics == [diagnostic]
    assert str(raised) == diagnostic.short()


# --- rendering ----------------------------------------------------------------


def _render(source: str, line: int, column: int, end_column: int) -> list[str]:
    diagnostic = error("SF201", "m", Span("f.spec", line, column, line, end_column))
    return render(diagnostic, source).splitlines()


def _caret_column(rendered: list[str]) -> int:
    """The 1-based column, within the shown line, of the first caret."""
    gutter = rendered[1].index("| ") + 2
    return rendered[2].index("^") - gutter + 1


def _shown(rendered: list[str]) -> str:
    return rendered[1][rendered[1].index("| ") + 2 :]


def test_caret_sits_under_the_column() -> None:
    rendered = _render("component C {\n  invariant y > 0\n}\n", 2, 13, 14)
    assert rendered[0] == "f.spec:2:13: error[SF201]: m"
    assert _shown(rendered) == "  invariant y > 0"
    assert _caret_column(rendered) == 13


def test_caret_spans_the_region() -> None:
    rendered = _render("  invariant yyy > 0\n", 1, 13, 16)
    assert rendered[2].endswith("^^^")
    assert rendered[2].count("^") == 3


def test_gutter_shows_the_line_number() -> None:
    rendered = _render("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nbad\n", 11, 1, 2)
    assert rendered[1].startswith("   11 | bad")


def test_tab_counts_as_one_column() -> None:
    rendered = _render("\tinvariant y\n", 1, 12, 13)
    assert _caret_column(rendered) == 12
    assert _shown(rendered)[11] == "y"


def test_crlf_line_ends_are_not_shown() -> None:
    rendered = _render("component C {\r\n  invariant y\r\n}\r\n", 2, 13, 14)
    assert _shown(rendered) == "  invariant y"


def test_lines_are_counted_by_newlines_only() -> None:
    # A form feed in a comment is no line break for the parser.
    rendered = _render("// a\x0cb\n  invariant y\n", 2, 13, 14)
    assert _shown(rendered) == "  invariant y"


def test_caret_after_the_end_of_the_line() -> None:
    rendered = _render("  invariant\n", 1, 12, 13)
    assert _caret_column(rendered) == 12
    assert rendered[2].count("^") == 1


def test_caret_follows_a_column_beyond_two_hundred() -> None:
    line = "a" * 250 + "Q" + "b" * 250
    rendered = _render(line + "\n", 1, 251, 252)
    shown = _shown(rendered)
    assert shown[_caret_column(rendered) - 1] == "Q"
    assert shown.startswith("...")
    assert shown.endswith("...")


def test_caret_at_the_end_of_a_long_line() -> None:
    line = "a" * 500 + "Z"
    rendered = _render(line + "\n", 1, 501, 502)
    shown = _shown(rendered)
    assert shown[_caret_column(rendered) - 1] == "Z"
    assert shown.startswith("...")
    assert not shown.endswith("...")


def test_caret_at_the_start_of_a_long_line() -> None:
    line = "Q" + "a" * 500
    rendered = _render(line + "\n", 1, 1, 2)
    shown = _shown(rendered)
    assert _caret_column(rendered) == 1
    assert shown.startswith("Q")
    assert shown.endswith("...")


def test_long_region_caret_stays_within_the_shown_line() -> None:
    rendered = _render("x" * 400 + "\n", 1, 300, 400)
    assert len(rendered[2]) <= len(rendered[1])


def test_multiline_span_gets_one_caret() -> None:
    diagnostic = error("SF201", "m", Span("f.spec", 1, 3, 4, 2))
    rendered = render(diagnostic, "ab cd\nx\ny\nz\n").splitlines()
    assert rendered[2].count("^") == 1


def test_without_source_only_the_short_form_is_rendered() -> None:
    diagnostic = error("SF201", "m", Span("f.spec", 1, 1, 1, 2))
    assert render(diagnostic, None) == diagnostic.short()


def test_line_outside_the_source_renders_the_short_form() -> None:
    diagnostic = error("SF201", "m", Span("f.spec", 9, 1, 9, 2))
    assert render(diagnostic, "one line\n") == diagnostic.short()


def test_real_diagnostic_renders_under_its_token() -> None:
    source = "component C {\n  var x: Int\n  init { x := 0 }\n  invariant x +* 1\n}\n"
    with pytest.raises(SpecError) as raised:
        spec_lang.load_source(source, "bad.spec")
    diagnostic: Diagnostic = raised.value.diagnostics[0]
    rendered = render(diagnostic, source).splitlines()
    assert rendered[0].startswith("bad.spec:4:16: error[SF102]")
    assert _shown(rendered)[_caret_column(rendered) - 1] == "*"
