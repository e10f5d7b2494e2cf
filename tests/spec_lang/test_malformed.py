"""Every malformed spec in the catalogue fails with its code, position and message."""

from __future__ import annotations

from pathlib import Path

import pytest
from lang_support import component
from malformed_cases import CASES, DEEP, Malformed

import spec_lang
from spec_lang.diagnostics import CODES, Diagnostic, SpecError


def _first_diagnostic(case: Malformed, tmp_path: Path) -> Diagnostic:
    with pytest.raises(SpecError) as raised:
        if isinstance(case.source, bytes):
            path = tmp_path / "case.spec"
            path.write_bytes(case.source)
            spec_lang.load_spec(path, "case.spec")
        else:
            spec_lang.load_source(case.source, "case.spec")
    assert raised.value.diagnostics, "a SpecError carries at least one diagnostic"
    return raised.value.diagnostics[0]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_spec_is_reported(case: Malformed, tmp_path: Path) -> None:
    diagnostic = _first_diagnostic(case, tmp_path)
    assert diagnostic.code == case.code, diagnostic.short()
    assert (diagnostic.span.line, diagnostic.span.column) == (
        case.line,
        case.column,
    ), diagnostic.short()
    assert case.fragment in diagnostic.message
    assert diagnostic.span.file == "case.spec"


def test_catalogue_is_large_and_named_uniquely() -> None:
    names = [case.name for case in CASES]
    assert len(names) >= 40
    assert len(set(names)) == len(names)


def test_deeply_nested_parentheses_parse() -> None:
    source = component("const k: Int where " + "(" * DEEP + "k > 0" + ")" * DEEP)
    spec = spec_lang.load_source(source)
    clause = spec.components[0].consts[0].where[0]
    assert clause.id == "C.k.where.1"


def test_expression_of_exactly_the_depth_limit_is_accepted() -> None:
    # "k > " is the first operator, so 199 minus signs make 200.
    source = component("const k: Int where k > " + "-" * 199 + "1")
    spec = spec_lang.load_source(source)
    assert spec.components[0].consts[0].where


def test_long_else_if_chain_is_accepted() -> None:
    branches = " else ".join(f"if x == {i} {{ x := {i + 1} }}" for i in range(49))
    source = component(
        "var x: Int",
        "init { x := 0 }",
        "operation f() {",
        f"effect {{ {branches} }}",
        "}",
    )
    spec = spec_lang.load_source(source)
    assert spec.components[0].operations[0].effect


def test_several_errors_are_reported_in_source_order() -> None:
    source = component(
        "var x: Int",
        "init { x := 0 }",
        "invariant y > 0",
        "invariant x + true > 0",
        "operation f() {",
        "  requires old(x) > 0",
        "  effect { k := 1 }",
        "}",
        "invariant 1",
    )
    with pytest.raises(SpecError) as raised:
        spec_lang.load_source(source)
    found = [(d.code, d.span.line) for d in raised.value.diagnostics]
    assert found == [
        ("SF201", 4),
        ("SF301", 5),
        ("SF302", 7),
        ("SF205", 8),
        ("SF301", 10),
    ]


def test_errors_of_two_components_are_all_reported() -> None:
    source = component("invariant y", name="A") + component("invariant z", name="B")
    with pytest.raises(SpecError) as raised:
        spec_lang.load_source(source)
    messages = [d.message for d in raised.value.diagnostics]
    assert messages == ["unknown name 'y'", "unknown name 'z'"]


def test_error_message_of_spec_error_lists_every_diagnostic() -> None:
    with pytest.raises(SpecError) as raised:
        spec_lang.load_source(component("invariant y", "invariant z"), "two.spec")
    assert str(raised.value).splitlines() == [
        "two.spec:2:13: error[SF201]: unknown name 'y'",
        "two.spec:3:13: error[SF201]: unknown name 'z'",
    ]


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as raised:
        spec_lang.load_spec(tmp_path / "missing.spec")
    diagnostic = raised.value.diagnostics[0]
    assert diagnostic.code == "SF100"
    assert "cannot read file" in diagnostic.message


def test_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.spec"
    path.write_bytes(b"\xef\xbb\xbf" + component("const k: Int").encode())
    spec = spec_lang.load_spec(path)
    assert spec.components[0].consts[0].name == "k"


def test_catalogue_covers_every_code() -> None:
    assert {case.code for case in CASES} == set(CODES)
