"""The checker fills in types and references and adds the implicit range clauses."""

from __future__ import annotations

from pathlib import Path

import pytest
from lang_support import (
    EVERY_NODE_SPEC,
    EXPRESSION_KINDS,
    STRUCTURED_SPEC,
    component,
    walk,
)
from test_lang_parser import shape

import spec_lang
from spec_lang import ast
from spec_lang.types import BOOL, INT, EnumT, IntT

ROOT = Path(__file__).parents[2]
BUNDLED = sorted((ROOT / "specs").glob("*.spec"))


@pytest.fixture(scope="module")
def store() -> ast.Component:
    return spec_lang.load_source(EVERY_NODE_SPEC, "every.spec").components[0]


def _names(root: object, name: str) -> list[ast.Name]:
    return [n for n in walk(root) if isinstance(n, ast.Name) and n.id == name]


def _ref(root: object, name: str) -> ast.Ref:
    refs = {n.ref for n in _names(root, name)}
    assert len(refs) == 1, refs
    ref = refs.pop()
    assert ref is not None
    return ref


# --- every node filled in -----------------------------------------------------


def _unfilled(spec: ast.SpecFile) -> list[str]:
    problems = []
    for node in walk(spec):
        if isinstance(node, EXPRESSION_KINDS) and node.type is None:
            problems.append(f"{node.span}: {type(node).__name__} has no type")
        if isinstance(node, ast.Name | ast.Qualified) and node.ref is None:
            problems.append(f"{node.span}: {type(node).__name__} has no ref")
        declaration = ast.Const | ast.Var | ast.Param | ast.Define | ast.FieldDecl
        if isinstance(node, declaration) and node.type is None:
            problems.append(f"{node.span}: {node.name} has no type")
        binder = ast.Quantifier | ast.SetFilter
        if isinstance(node, binder) and node.variable_type is None:
            problems.append(f"{node.span}: {node.variable} has no type")
    return problems


@pytest.mark.parametrize("source", [EVERY_NODE_SPEC, STRUCTURED_SPEC])
def test_every_expression_has_a_type_and_every_name_a_ref(source: str) -> None:
    spec = spec_lang.load_source(source, "every.spec")
    assert _unfilled(spec) == []


@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_bundled_spec_checks_cleanly(path: Path) -> None:
    spec = spec_lang.load_spec(path)
    assert spec.components
    assert _unfilled(spec) == []


def test_there_are_bundled_specs() -> None:
    assert len(BUNDLED) >= 2


@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_clause_ids_of_a_bundled_spec_are_unique(path: Path) -> None:
    spec = spec_lang.load_spec(path)
    ids = [n.id for n in walk(spec) if isinstance(n, ast.Clause)]
    assert len(ids) == len(set(ids))


def test_checking_returns_a_new_tree(store: ast.Component) -> None:
    parsed = spec_lang.parse_source(EVERY_NODE_SPEC, "every.spec")
    checked = spec_lang.check_spec(parsed)
    assert checked is not parsed
    assert parsed.components[0].vars[0].type is None


# --- references ---------------------------------------------------------------


def test_constant_reference(store: ast.Component) -> None:
    assert _ref(store.operations[0], "capacity") == ast.Ref(
        ast.RefKind.CONST, "capacity"
    )


def test_variable_reference(store: ast.Component) -> None:
    assert _ref(store.invariants[0], "size") == ast.Ref(ast.RefKind.VAR, "size")


def test_parameter_reference(store: ast.Component) -> None:
    assert _ref(store.operation("put").ensures[0], "n").kind is ast.RefKind.PARAM


def test_local_reference(store: ast.Component) -> None:
    assert _ref(store.operation("put").effect, "total").kind is ast.RefKind.LOCAL


def test_local_reference_in_init(store: ast.Component) -> None:
    assert _ref(store.init, "start").kind is ast.RefKind.LOCAL


def test_define_reference(store: ast.Component) -> None:
    assert _ref(store.operation("put").requires, "room") == ast.Ref(
        ast.RefKind.DEFINE, "room"
    )


def test_enum_member_reference_names_its_enum(store: ast.Component) -> None:
    assert _ref(store.invariants[0], "Idle") == ast.Ref(
        ast.RefKind.ENUM_MEMBER, "Idle", "Mode"
    )


def test_qualified_member_reference_names_its_enum(store: ast.Component) -> None:
    qualified = [n for n in walk(store) if isinstance(n, ast.Qualified)]
    assert qualified
    assert {q.ref for q in qualified} == {
        ast.Ref(ast.RefKind.ENUM_MEMBER, "Busy", "Mode")
    }


def test_every_ref_kind_appears_in_the_full_specs(store: ast.Component) -> None:
    registry = spec_lang.load_source(STRUCTURED_SPEC, "s.spec").components[0]
    names = [n for n in walk((store, registry)) if isinstance(n, ast.Name)]
    assert {n.ref.kind for n in names if n.ref} == set(ast.RefKind)


# --- types ------------------------------------------------------------------


def test_declarations_have_their_types(store: ast.Component) -> None:
    mode = EnumT("Mode", ("Idle", "Busy"))
    assert [k.type for k in store.consts] == [INT, BOOL]
    assert [v.type for v in store.vars] == [INT, mode, BOOL]
    assert [d.type for d in store.defines] == [INT, BOOL]
    assert [p.type for p in store.operation("put").params] == [INT, BOOL]


def test_bounded_variable_keeps_its_checked_bounds(store: ast.Component) -> None:
    size_type = store.vars[0].type
    assert isinstance(size_type, IntT)
    assert size_type.bounded
    assert size_type.high is not None
    assert size_type.high.type == INT


def test_result_types(store: ast.Component) -> None:
    assert store.operation("put").result_type == INT
    assert store.operation("level").result_type == INT
    assert store.operation("take").result_type is None


def test_expression_types_are_plain(store: ast.Component) -> None:
    # A bounded variable reads as plain Int: the bounds live in range clauses.
    size = _names(store.invariants[0], "size")[0]
    assert size.type == IntT()
    assert isinstance(size.type, IntT)
    assert not size.type.bounded


def test_comparison_and_arithmetic_types(store: ast.Component) -> None:
    grows = store.operation("put").ensures[0].expr
    assert isinstance(grows, ast.Binary)
    assert grows.type == BOOL
    assert grows.right.type == INT


def test_old_has_the_type_of_its_operand(store: ast.Component) -> None:
    olds = [n for n in walk(store) if isinstance(n, ast.Old)]
    assert olds
    assert all(o.type == o.operand.type for o in olds)


def test_enum_comparison_is_bool(store: ast.Component) -> None:
    busy = store.defines[1].expr
    assert busy.type == BOOL
    assert isinstance(busy, ast.Binary)
    assert isinstance(busy.left.type, EnumT)


def test_define_expression_is_checked(store: ast.Component) -> None:
    room = store.defines[0].expr
    assert room.type == INT
    assert _ref(room, "size").kind is ast.RefKind.VAR


def test_define_may_use_another_define() -> None:
    source = (
        "component C {\n  var x: Int\n  init { x := 0 }\n"
        "  define a: Int = x + 1\n  define b: Int = a * 2\n  invariant b > 0\n}\n"
    )
    component = spec_lang.load_source(source).components[0]
    assert _ref(component.defines[1], "a").kind is ast.RefKind.DEFINE


# --- implicit range clauses ---------------------------------------------------


def test_bounded_variable_adds_a_range_invariant(store: ast.Component) -> None:
    clause = store.invariants[-1]
    assert clause.id == "Store.size.range"
    assert shape(clause.expr) == (
        "and",
        ("<=", 0, "size"),
        ("<=", "size", "capacity"),
    )


def test_written_invariants_come_before_range_invariants(store: ast.Component) -> None:
    ids = [i.id for i in store.invariants]
    assert ids == [
        "Store.invariant.idle_when_empty",
        "Store.invariant.1",
        "Store.size.range",
    ]


def test_bounded_parameter_adds_a_requires_without_error(store: ast.Component) -> None:
    requires = store.operation("put").requires
    assert [r.id for r in requires] == [
        "Store.put.requires.n.range",
        "Store.put.requires.1",
        "Store.put.requires.room_left",
    ]
    assert requires[0].error is None
    assert shape(requires[0].expr) == ("and", ("<=", 1, "n"), ("<=", "n", "capacity"))


def test_bounded_result_adds_an_ensures(store: ast.Component) -> None:
    ensures = store.operation("put").ensures
    assert ensures[-1].id == "Store.put.result.range"
    assert shape(ensures[-1].expr) == (
        "and",
        ("<=", 0, "result"),
        ("<=", "result", "capacity"),
    )


def test_bounded_constant_adds_a_where_clause() -> None:
    source = "component C {\n  const k: Int[1..9] where k != 5\n}\n"
    where = spec_lang.load_source(source).components[0].consts[0].where
    assert [w.id for w in where] == ["C.k.where.1", "C.k.range"]
    assert shape(where[1].expr) == ("and", ("<=", 1, "k"), ("<=", "k", 9))


def test_range_clauses_are_filled_in(store: ast.Component) -> None:
    clauses = [
        store.invariants[-1],
        store.operation("put").requires[0],
        store.operation("put").ensures[-1],
    ]
    for clause in clauses:
        assert clause.expr.type == BOOL
        names = [n for n in walk(clause) if isinstance(n, ast.Name)]
        assert all(n.ref is not None and n.type == INT for n in names)


def test_unbounded_declarations_add_no_clauses() -> None:
    source = "component C {\n  const k: Int\n  operation f(a: Int) -> Int {}\n}\n"
    component = spec_lang.load_source(source).components[0]
    assert component.consts[0].where == ()
    assert component.invariants == ()
    assert component.operations[0].requires == ()
    assert component.operations[0].ensures == ()


# --- accepted forms -----------------------------------------------------------


def test_same_label_in_requires_and_ensures_is_accepted() -> None:
    source = component("operation f() {", "requires a: true", "ensures a: true", "}")
    op = spec_lang.load_source(source).components[0].operations[0]
    assert [op.requires[0].id, op.ensures[0].id] == ["C.f.requires.a", "C.f.ensures.a"]


def test_branch_may_read_an_outer_local() -> None:
    source = (
        "component C {\n  var x: Int\n  init { x := 0 }\n  operation f() {\n"
        "    effect { let a = 1\n      if x > a { let b = a\n x := b } }\n  }\n}\n"
    )
    effect = spec_lang.load_source(source).components[0].operations[0].effect
    assert _ref(effect, "a").kind is ast.RefKind.LOCAL


def test_init_may_read_a_variable_it_assigned() -> None:
    source = (
        "component C {\n  var x: Int\n  var y: Int\n  init { x := 1\n y := x }\n}\n"
    )
    init = spec_lang.load_source(source).components[0].init
    assert init is not None
    assert _ref(init.body[1], "x").kind is ast.RefKind.VAR


def test_init_assigning_on_both_branches_is_accepted() -> None:
    source = (
        "component C {\n  const k: Int\n  var x: Int\n"
        "  init { if k > 0 { x := 1 } else { x := 2 } }\n}\n"
    )
    assert spec_lang.load_source(source).components[0].init is not None


def test_where_clause_may_name_an_earlier_constant() -> None:
    source = "component C {\n  const a: Int\n  const b: Int[0..a] where b <= a\n}\n"
    const = spec_lang.load_source(source).components[0].consts[1]
    assert _ref(const.where[0], "a").kind is ast.RefKind.CONST


def test_component_without_state_needs_no_init() -> None:
    spec = spec_lang.load_source("component C {\n  const k: Int\n}\n")
    assert spec.components[0].init is None


def test_query_may_read_old_and_result() -> None:
    source = component(
        "var x: Int",
        "init { x := 0 }",
        "query q() -> Int {",
        "  ensures result == old(x)",
        "  effect { result := x }",
        "}",
    )
    op = spec_lang.load_source(source).components[0].operations[0]
    assert op.ensures[0].expr.type == BOOL
