"""Code generated for structured state: exact translation, strategies, contracts.

The reference model's expressions are checked against the verifier's Python
evaluator on a table of closed expressions, one query each; the generated
contract test runs against the model and against hand-written
implementations, one correct and one with a planted bug.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from codegen_support import REPO, import_file, ruff, run_pytest, write_generated
from hypothesis import given, settings
from hypothesis import strategies as st

from codegen import generate
from spec_lang import ast, load_source, load_spec
from specfirst.runtime import values as sf
from specfirst.runtime.strategies import strategy
from verifier.evaluate import Env, Evaluator
from verifier.values import (
    Identity,
    MapValue,
    OptionValue,
    RecordValue,
    SeqValue,
    SetValue,
    Value,
)

REGISTRY = Path(__file__).parent / "specs" / "structured_registry.spec"
STRUCTURED_CORPUS = REPO / "tests" / "verifier" / "corpus" / "structured"
QUICK = {"SPECFIRST_MAX_EXAMPLES": "60", "SPECFIRST_STEP_COUNT": "30"}


def _shared_cases() -> ModuleType:
    path = REPO / "tests" / "verifier" / "structured_cases.py"
    spec = importlib.util.spec_from_file_location("structured_cases_for_codegen", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CASES = _shared_cases()


# --- the translation is exact --------------------------------------------------------


def _queries(types: list[str]) -> str:
    queries = "".join(
        f"  query e{i}() -> {t} {{\n    effect {{ result := {e} }}\n  }}\n"
        for i, (e, t) in enumerate(zip(CASES.EXPRESSIONS, types, strict=True))
    )
    return f"component Table {{\n{CASES.DECLS}{queries}}}\n"


def _types_and_values() -> tuple[list[str], list[Value]]:
    """Each expression's type and its value under the verifier's evaluator."""
    invariants = "".join(f"  invariant ({e}) == ({e})\n" for e in CASES.EXPRESSIONS)
    spec = load_source(f"component Table {{\n{CASES.DECLS}{invariants}}}\n")
    component = spec.components[0]
    evaluator = Evaluator(component)
    types, values = [], []
    for clause in component.invariants:
        assert isinstance(clause.expr, ast.Binary)
        types.append(str(clause.expr.left.type))
        values.append(evaluator.expr(clause.expr.left, Env({}, {})))
    return types, values


def _runtime(value: Value, module: ModuleType) -> object:
    """A verifier value in the form the generated model computes."""
    if isinstance(value, SetValue):
        return frozenset(_runtime(v, module) for v in value.items)
    if isinstance(value, MapValue):
        pairs = value.as_dict().items()
        return sf.FrozenMap(
            {_runtime(k, module): _runtime(v, module) for k, v in pairs}
        )
    if isinstance(value, SeqValue):
        return tuple(_runtime(v, module) for v in value.items)
    if isinstance(value, OptionValue):
        return None if value.value is None else _runtime(value.value, module)
    if isinstance(value, RecordValue):
        fields = {n: _runtime(v, module) for n, v in value.fields}
        return getattr(module, value.type)(**fields)
    if isinstance(value, Identity):
        return sf.Identity(value.type, value.number)
    return value


@pytest.fixture(scope="module")
def table_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, ModuleType]:
    types, _ = _types_and_values()
    spec = load_source(_queries(types), "table.spec")
    folder = tmp_path_factory.mktemp("table")
    paths = write_generated(spec, folder)
    module = import_file(next(p for p in paths if p.name == "table_model.py"))
    return module.TableModel({}), module


def test_every_operator_computes_what_the_spec_says(
    table_model: tuple[object, ModuleType],
) -> None:
    model, module = table_model
    _, values = _types_and_values()
    wrong = {}
    for i, (text, value) in enumerate(zip(CASES.EXPRESSIONS, values, strict=True)):
        computed = getattr(model, f"e{i}")()
        if computed != _runtime(value, module):
            wrong[text] = computed
    assert wrong == {}


def test_sequence_index_outside_is_undefined() -> None:
    with pytest.raises(IndexError):
        sf.at((1, 2), -1)


def test_value_of_none_is_undefined() -> None:
    with pytest.raises(ValueError, match="none"):
        sf.value(None)


def test_a_map_value_cannot_change() -> None:
    table = sf.FrozenMap({1: 2})
    with pytest.raises(TypeError, match="cannot change"):
        table[3] = 4  # type: ignore[index]
    assert sf.put(table, 3, 4) == {1: 2, 3: 4}
    assert table == {1: 2}


def test_identity_quantifier_sees_a_fresh_identity() -> None:
    known = [sf.Identity("Pid", 1), sf.Identity("Pid", 4)]
    found = sf.identities_of("Pid", frozenset(known), sf.Identity("Aid", 9))
    assert found == [*known, sf.Identity("Pid", 5)]


# --- generated files -----------------------------------------------------------------


def _structured_specs() -> list[Path]:
    return [REGISTRY, *sorted(STRUCTURED_CORPUS.glob("*.spec"))]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("structured")
    paths: list[Path] = []
    for index, path in enumerate(_structured_specs()):
        paths += write_generated(load_spec(path), folder / f"s{index}")
    return paths


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    executable = ruff()
    if executable is None:
        pytest.skip("ruff is not installed")
    return subprocess.run(
        [executable, *args], capture_output=True, text=True, check=False, cwd=REPO
    )


def test_structured_files_are_ruff_formatted(generated: list[Path]) -> None:
    done = _ruff("format", "--check", *map(str, generated))
    assert done.returncode == 0, done.stdout + done.stderr


def test_structured_files_pass_ruff_check(generated: list[Path]) -> None:
    done = _ruff("check", "--no-cache", *map(str, generated))
    assert done.returncode == 0, done.stdout + done.stderr


def test_structured_files_compile(generated: list[Path]) -> None:
    for path in generated:
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_structured_output_is_deterministic(tmp_path: Path) -> None:
    spec = load_spec(REGISTRY)
    first = [p.read_text() for p in write_generated(spec, tmp_path / "a")]
    second = [p.read_text() for p in write_generated(spec, tmp_path / "b")]
    assert first == second


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    paths = write_generated(load_spec(REGISTRY), tmp_path_factory.mktemp("registry"))
    return import_file(next(p for p in paths if p.name == "registry_model.py"))


def test_records_are_frozen_dataclasses(registry: ModuleType) -> None:
    entry = registry.Entry(pid="p", namespace="n", since=0, tags=frozenset())
    with pytest.raises(AttributeError):
        entry.since = 1


def test_model_keeps_python_collections(registry: ModuleType) -> None:
    model = registry.RegistryModel({"capacity": 2})
    ns, p = sf.Identity("Namespace", 1), sf.Identity("Pid", 1)
    entry = model.register(ns, p)
    assert entry == registry.Entry(pid=p, namespace=ns, since=0, tags=frozenset())
    assert model.live == frozenset({p})
    assert model.log == (p,)
    assert model.latest == p
    assert model.spaces == {ns: {p: entry}}


def test_model_returns_options_as_none_or_the_value(registry: ModuleType) -> None:
    model = registry.RegistryModel({"capacity": 2})
    ns, p = sf.Identity("Namespace", 1), sf.Identity("Pid", 1)
    assert model.lookup(ns, p) is None
    entry = model.register(ns, p)
    assert model.lookup(ns, p) == entry


def test_model_filters_and_updates_records(registry: ModuleType) -> None:
    model = registry.RegistryModel({"capacity": 3})
    ns = sf.Identity("Namespace", 1)
    p, q = sf.Identity("Pid", 1), sf.Identity("Pid", 2)
    model.register(ns, p)
    model.register(ns, q)
    model.tag(ns, q, 7)
    assert model.tagged(ns, 7) == frozenset({q})
    assert model.spaces[ns][q].tags == frozenset({7})


# --- strategies ----------------------------------------------------------------------


_PID = sf.identity_type("Pid")
_TYPES = [
    sf.set_type(sf.INT),
    sf.map_type(_PID, sf.seq_type(sf.BOOL)),
    sf.option_type(sf.set_type(_PID)),
    sf.seq_type(sf.option_type(sf.INT)),
]


@pytest.mark.parametrize("value_type", _TYPES, ids=lambda t: t.name)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_strategies_draw_values_of_their_type(
    value_type: sf.ValueType, data: st.DataObject
) -> None:
    pids = st.builds(sf.Identity, st.just("Pid"), st.integers(1, 3))
    value = data.draw(strategy(value_type, {"Pid": pids}))
    assert value_type.conforms(value)


def test_normalize_turns_lists_and_dicts_into_spec_values() -> None:
    value_type = sf.map_type(sf.INT, sf.seq_type(sf.set_type(sf.INT)))
    value = value_type.normalize({1: [[2, 3], {4}]})
    assert value == sf.FrozenMap({1: (frozenset({2, 3}), frozenset({4}))})
    assert isinstance(value, sf.FrozenMap)
    assert value_type.conforms(value)


# --- contract tests ------------------------------------------------------------------


IMPLEMENTATION = '''
"""A hand-written registry in plain Python types, for the generated contract test."""


class AlreadyRegistered(Exception):
    pass


class NotRegistered(Exception):
    pass


class Full(Exception):
    pass


class Registry:
    errors = {
        AlreadyRegistered: "AlreadyRegistered",
        NotRegistered: "NotRegistered",
        Full: "Full",
    }

    def __init__(self, constants):
        self.capacity = constants["capacity"]
        self.spaces = {}
        self.live = set()
        self.log = []
        self.latest = None
        self.now = 0

    def register(self, ns, p):
        if p in self.live:
            raise AlreadyRegistered(p)
        if len(self.live) >= self.capacity:
            raise Full(p)
        entry = {"pid": p, "namespace": ns, "since": self.now, "tags": []}
        self.spaces.setdefault(ns, {})[p] = entry
        self.live.add(p)
        self.log.append(p)
        self.latest = p
        return entry

    def _entry(self, ns, p):
        if p not in self.spaces.get(ns, {}):
            raise NotRegistered(p)
        return self.spaces[ns][p]

    def tag(self, ns, p, t):
        tags = self._entry(ns, p)["tags"]
        if t not in tags:
            tags.append(t)

    def unregister(self, ns, p):
        self._entry(ns, p)
        del self.spaces[ns][p]
        BUG_HERE

    def lookup(self, ns, p):
        return self.spaces.get(ns, {}).get(p)

    def members(self, ns):
        return set(self.spaces.get(ns, {}))

    def tagged(self, ns, t):
        return {p for p, e in self.spaces.get(ns, {}).items() if t in e["tags"]}

    def history(self):
        return list(self.log)

    def first_registered(self):
        return self.log[0] if self.log else None

    def anyone_live(self):
        return bool(self.live)

    def tick(self, elapsed):
        self.now += elapsed

    def observe(self):
        return {
            "spaces": self.spaces,
            "live": self.live,
            "log": self.log,
            "latest": self.latest,
            "now": self.now,
        }
'''


def _project(root: Path, bug: bool) -> Path:
    root.mkdir()
    body = "pass" if bug else "self.live.discard(p)"
    text = IMPLEMENTATION.replace("BUG_HERE", body)
    (root / "hand_registry.py").write_text(text, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        "[tool.specfirst]\n"
        "[tool.specfirst.components.Registry]\n"
        'adapter = "hand_registry:Registry"\n',
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def registry_tests(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("registry_tests")
    generate([REGISTRY], out, root=REPO)
    return out / "test_registry_contract.py"


def test_reference_model_passes_its_structured_contract(
    registry_tests: Path, tmp_path: Path
) -> None:
    report = tmp_path / "coverage.json"
    env = {
        **QUICK,
        "SPECFIRST_TARGET": "model",
        "SPECFIRST_ROOT": str(REPO),
        "SPECFIRST_COVERAGE_FILE": str(report),
    }
    done = run_pytest([registry_tests], env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    clauses: dict[str, Any] = json.loads(report.read_text())["clauses"]
    # Steps reuse the identities earlier steps created: an entry is found again.
    assert clauses["Registry.tag.requires.known"]["held"] > 0
    assert clauses["Registry.unregister.requires.known"]["held"] > 0


def test_plain_python_implementation_passes(
    registry_tests: Path, tmp_path: Path
) -> None:
    root = _project(tmp_path / "project", bug=False)
    env = {**QUICK, "SPECFIRST_ROOT": str(root)}
    done = run_pytest([registry_tests], env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_planted_bug_in_a_structured_step_is_caught(
    registry_tests: Path, tmp_path: Path
) -> None:
    root = _project(tmp_path / "project", bug=True)
    env = {**QUICK, "SPECFIRST_ROOT": str(root)}
    done = run_pytest([registry_tests], env, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "unregister(" in done.stdout
    assert "live" in done.stdout


def test_generated_module_imports_the_runtime_once(registry: ModuleType) -> None:
    assert registry.sf is sf
    assert sys.modules["specfirst.runtime.values"] is sf
