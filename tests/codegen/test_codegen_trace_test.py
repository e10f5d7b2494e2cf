"""Rendering failing examples of contract tests as pytest files."""

from __future__ import annotations

import pytest

from codegen import GenerationError
from codegen.trace_test import ExampleCase, example_test_file_name, render_example_test
from spec_lang import ast, load_source
from specfirst.runtime.examples import UnwritableValue

SPEC = """\
component Gauge {
  const top: Int where top >= 1
  var level: Int
  init { level := 0 }
  operation raise_to(n: Int) { effect { level := n } }
}
"""


@pytest.fixture
def spec() -> ast.SpecFile:
    return load_source(SPEC)


def _render(spec: ast.SpecFile, case: ExampleCase) -> str:
    return render_example_test(spec.components[0], spec, case)


def test_example_file_is_named_after_the_component() -> None:
    assert example_test_file_name("CircuitBreaker") == "test_example_circuit_breaker.py"


def test_example_test_compiles_and_lists_the_calls(spec: ast.SpecFile) -> None:
    case = ExampleCase({"top": 3}, (("raise_to", (2,)), ("raise_to", (-1,))), "bad")
    text = _render(spec, case)
    compile(text, "test_example_gauge.py", "exec")
    assert 'CALLS = (Call("raise_to", (2,)), Call("raise_to", (-1,)))' in text
    assert "def test_example_gauge() -> None:" in text
    assert "def holds" not in text


def test_problem_cannot_end_the_docstring(spec: ast.SpecFile) -> None:
    case = ExampleCase({"top": 1}, (), 'returned """\\x"""')
    text = _render(spec, case)
    compile(text, "test_example_gauge.py", "exec")
    assert "returned '''\\\\x'''" in text


def test_unwritable_argument_is_rejected(spec: ast.SpecFile) -> None:
    value = UnwritableValue("frozenset({1})")
    case = ExampleCase({"top": 1}, (("raise_to", (value,)),), "bad")
    with pytest.raises(
        GenerationError, match=r"value frozenset\(\{1\}\) cannot be written"
    ):
        _render(spec, case)


def test_unknown_action_is_rejected(spec: ast.SpecFile) -> None:
    case = ExampleCase({"top": 1}, (("lower", ()),), "bad")
    with pytest.raises(GenerationError, match="'lower' is not an operation"):
        _render(spec, case)
