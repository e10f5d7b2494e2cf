"""Evaluate checked spec expressions and statements on concrete values, in Python.

This is the spec's meaning, computed directly: sizes are numbers of
elements, quantifiers range over the elements themselves. The verifier uses
it to re-check a model that Z3 found under an incomplete encoding, so a
counterexample is reported only when the spec's own clauses, evaluated here,
reproduce it.

A partial operation outside its domain (``x / 0``, ``m[k]`` for a missing
key, ``value(none)``) raises ``Undefined`` with its span. A quantifier
evaluates its body on every element, without stopping early, so that an
undefined body is found wherever the verifier's ``defined`` obligation would
look.

An identity type has infinitely many values, but an expression can only
compare them with ``==``: every identity it does not mention behaves alike.
So ``forall p: Pid :: P`` ranges over the identities of type ``Pid`` that the
state, the arguments and the bound variables mention, plus one fresh one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from spec_lang import ast
from spec_lang.types import BoolT, EnumT, IdentityT, Type
from verifier.values import (
    Identity,
    MapValue,
    OptionValue,
    RecordValue,
    SeqValue,
    SetValue,
    Value,
    sort_key,
    walk_values,
)

Values = Mapping[str, Value]


class Undefined(Exception):
    """A partial operation evaluated outside its domain."""

    def __init__(self, span: ast.Span, what: str) -> None:
        super().__init__(f"{span}: {what}")
        self.span = span
        self.what = what


class EvaluationError(Exception):
    """The tree or the values do not fit together (a value of the wrong type)."""


@dataclass(frozen=True)
class Env:
    """The values the names of one expression read, like ``verifier.encode.Scope``."""

    constants: Values
    state: Values
    old: Values | None = None
    arguments: Values = field(default_factory=dict)
    locals: Values = field(default_factory=dict)
    result: Value | None = None
    bound: Values = field(default_factory=dict)


@dataclass(frozen=True)
class Run:
    """The state part way through a block, as in ``verifier.transition.Run``."""

    state: dict[str, Value]
    locals: dict[str, Value]
    result: Value | None = None


class Evaluator:
    def __init__(self, component: ast.Component) -> None:
        self.component = component
        self.defines = {d.name: d for d in component.defines}

    # --- statements ---

    def run_block(self, body: tuple[ast.Stmt, ...], env: Env, run: Run) -> Run:
        for stmt in body:
            here = replace(env, state=run.state, locals=run.locals)
            if isinstance(stmt, ast.Assign):
                value = self.expr(stmt.value, here)
                if stmt.target == "result":
                    run = replace(run, result=value)
                else:
                    run = replace(run, state={**run.state, stmt.target: value})
            elif isinstance(stmt, ast.Let):
                value = self.expr(stmt.value, here)
                run = replace(run, locals={**run.locals, stmt.name: value})
            else:
                branch = (
                    stmt.then if self._bool(stmt.condition, here) else stmt.otherwise
                )
                inner = self.run_block(branch, env, run)
                # Lets inside a branch are scoped to it.
                run = Run(inner.state, run.locals, inner.result)
        return run

    def initial_state(self, constants: Values) -> dict[str, Value]:
        if self.component.init is None:
            return {}
        end = self.run_block(self.component.init.body, Env(constants, {}), Run({}, {}))
        return end.state

    def effect(
        self, op: ast.Operation, env: Env
    ) -> tuple[dict[str, Value], Value | None]:
        """Run an operation's effect; return the post-state and the result."""
        if op.effect is None:
            raise EvaluationError(f"operation {op.name} has no effect")
        end = self.run_block(op.effect, env, Run(dict(env.state), {}))
        return end.state, end.result

    def holds(self, clause: ast.Clause, env: Env) -> bool:
        return self._bool(clause.expr, env)

    # --- expressions ---

    def expr(self, expr: ast.Expr, env: Env) -> Value:
        handler = _HANDLERS.get(type(expr))
        if handler is None:
            raise EvaluationError(f"no evaluation for {type(expr).__name__}")
        return handler(self, expr, env)

    def _bool(self, expr: ast.Expr, env: Env) -> bool:
        value = self.expr(expr, env)
        if not isinstance(value, bool):
            raise EvaluationError(f"{expr.span}: expected a Bool, got {value!r}")
        return value

    def _int(self, expr: ast.Expr, env: Env) -> int:
        value = self.expr(expr, env)
        if not isinstance(value, int) or isinstance(value, bool):
            raise EvaluationError(f"{expr.span}: expected an Int, got {value!r}")
        return value

    def _literal(self, expr: ast.IntLit | ast.BoolLit, env: Env) -> Value:
        return expr.value

    def _name(self, expr: ast.Name, env: Env) -> Value:
        ref = expr.ref
        if ref is None:
            raise EvaluationError(f"{expr.span}: name {expr.id!r} is not resolved")
        if ref.kind is ast.RefKind.ENUM_MEMBER:
            return ref.name
        if ref.kind is ast.RefKind.DEFINE:
            define = self.defines[ref.name]
            return self.expr(define.expr, replace(env, bound={}))
        table = {
            ast.RefKind.CONST: env.constants,
            ast.RefKind.VAR: env.state,
            ast.RefKind.PARAM: env.arguments,
            ast.RefKind.LOCAL: env.locals,
            ast.RefKind.BOUND: env.bound,
        }[ref.kind]
        if ref.name not in table:
            raise EvaluationError(f"{expr.span}: {ref.kind.value} {ref.name!r} unset")
        return table[ref.name]

    def _qualified(self, expr: ast.Qualified, env: Env) -> Value:
        return expr.member

    def _result(self, expr: ast.ResultRef, env: Env) -> Value:
        if env.result is None:
            raise EvaluationError(f"{expr.span}: result read where there is none")
        return env.result

    def _old(self, expr: ast.Old, env: Env) -> Value:
        if env.old is None:
            raise EvaluationError(f"{expr.span}: old() where there is no pre-state")
        return self.expr(expr.operand, replace(env, state=env.old))

    def _unary(self, expr: ast.Unary, env: Env) -> Value:
        if expr.op == "not":
            return not self._bool(expr.operand, env)
        return -self._int(expr.operand, env)

    def _if(self, expr: ast.IfThenElse, env: Env) -> Value:
        branch = expr.then if self._bool(expr.condition, env) else expr.otherwise
        return self.expr(branch, env)

    def _binary(self, expr: ast.Binary, env: Env) -> Value:
        op = expr.op
        if op in ("and", "or", "implies"):
            left = self._bool(expr.left, env)
            if op == "and" and not left:
                return False
            if op == "or" and left:
                return True
            if op == "implies" and not left:
                return True
            return self._bool(expr.right, env)
        if op in ("in", "not in"):
            found = self._member(self.expr(expr.left, env), expr.right, env)
            return found if op == "in" else not found
        left_value = self.expr(expr.left, env)
        right_value = self.expr(expr.right, env)
        if op in ("==", "iff"):
            return left_value == right_value
        if op == "!=":
            return left_value != right_value
        a, b = _ints(expr, left_value, right_value)
        if op in ("/", "%"):
            if b == 0:
                raise Undefined(expr.span, "division by zero")
            return a // b if op == "/" else a % b
        return _ARITHMETIC[op](a, b)

    def _member(self, element: Value, collection: ast.Expr, env: Env) -> bool:
        container = self.expr(collection, env)
        if isinstance(container, SetValue):
            return element in container.items
        if isinstance(container, MapValue):
            return element in container.as_dict()
        if isinstance(container, SeqValue):
            return element in container.items
        raise EvaluationError(f"{collection.span}: membership in {container!r}")

    # --- structured values ---

    def _none(self, expr: ast.NoneLit, env: Env) -> Value:
        return OptionValue(None)

    def _set_lit(self, expr: ast.SetLit, env: Env) -> Value:
        return SetValue(frozenset(self.expr(e, env) for e in expr.elements))

    def _map_lit(self, expr: ast.MapLit, env: Env) -> Value:
        pairs = [(self.expr(e.key, env), self.expr(e.value, env)) for e in expr.entries]
        return MapValue.of(pairs)

    def _seq_lit(self, expr: ast.SeqLit, env: Env) -> Value:
        return SeqValue(tuple(self.expr(e, env) for e in expr.elements))

    def _record_lit(self, expr: ast.RecordLit, env: Env) -> Value:
        given = {f.name: self.expr(f.value, env) for f in expr.fields}
        record = next(r for r in self.component.records if r.name == expr.record)
        return RecordValue(
            expr.record, tuple((f.name, given[f.name]) for f in record.fields)
        )

    def _field(self, expr: ast.Field, env: Env) -> Value:
        return _record(expr, self.expr(expr.operand, env)).field(expr.name)

    def _with(self, expr: ast.With, env: Env) -> Value:
        record = _record(expr, self.expr(expr.operand, env))
        return record.updated({f.name: self.expr(f.value, env) for f in expr.fields})

    def _index(self, expr: ast.Index, env: Env) -> Value:
        container = self.expr(expr.operand, env)
        index = self.expr(expr.index, env)
        if isinstance(container, MapValue):
            entries = container.as_dict()
            if index not in entries:
                raise Undefined(expr.span, f"key {index} is not in the map")
            return entries[index]
        if isinstance(container, SeqValue):
            if not isinstance(index, int) or not 0 <= index < len(container.items):
                raise Undefined(expr.span, f"index {index} is outside the sequence")
            return container.items[index]
        raise EvaluationError(f"{expr.span}: indexing {container!r}")

    def _call(self, expr: ast.Call, env: Env) -> Value:
        args = [self.expr(a, env) for a in expr.args]
        function = _CALLS.get(expr.function)
        if function is None:
            raise EvaluationError(f"{expr.span}: unknown function {expr.function}")
        return function(expr, args)

    # --- quantifiers and set filters ---

    def _quantifier(self, expr: ast.Quantifier, env: Env) -> Value:
        results = [
            self._bool(expr.body, replace(env, bound={**env.bound, expr.variable: v}))
            for v in self._range(expr, env)
        ]
        return all(results) if expr.quantifier == "forall" else any(results)

    def _range(self, expr: ast.Quantifier, env: Env) -> list[Value]:
        if expr.domain is not None:
            return _elements(self.expr(expr.domain, env), expr.domain.span)
        if expr.low is not None and expr.high is not None:
            low, high = self._int(expr.low, env), self._int(expr.high, env)
            return list(range(low, high + 1))
        return self._values_of(expr.variable_type, env, expr.span)

    def _values_of(self, type_: Type | None, env: Env, span: ast.Span) -> list[Value]:
        if isinstance(type_, BoolT):
            return [False, True]
        if isinstance(type_, EnumT):
            return list(type_.members)
        if isinstance(type_, IdentityT):
            return _identities(type_.name, env)
        raise EvaluationError(f"{span}: cannot range over {type_}")

    def _set_filter(self, expr: ast.SetFilter, env: Env) -> Value:
        kept = [
            v
            for v in _elements(self.expr(expr.domain, env), expr.domain.span)
            if self._bool(
                expr.condition, replace(env, bound={**env.bound, expr.variable: v})
            )
        ]
        return SetValue(frozenset(kept))


def _ints(expr: ast.Binary, left: Value, right: Value) -> tuple[int, int]:
    for value in (left, right):
        if not isinstance(value, int) or isinstance(value, bool):
            raise EvaluationError(f"{expr.span}: '{expr.op}' on {value!r}")
    assert isinstance(left, int) and isinstance(right, int)
    return left, right


def _record(expr: ast.Expr, value: Value) -> RecordValue:
    if not isinstance(value, RecordValue):
        raise EvaluationError(f"{expr.span}: expected a record, got {value!r}")
    return value


def _elements(container: Value, span: ast.Span) -> list[Value]:
    if isinstance(container, SetValue):
        return list(container)
    if isinstance(container, MapValue):
        return list(container.as_dict())
    if isinstance(container, SeqValue):
        return list(container.items)
    raise EvaluationError(f"{span}: cannot range over {container!r}")


def _identities(type_name: str, env: Env) -> list[Value]:
    roots: list[Value] = [
        *env.constants.values(),
        *env.state.values(),
        *(env.old or {}).values(),
        *env.arguments.values(),
        *env.locals.values(),
        *env.bound.values(),
    ]
    if env.result is not None:
        roots.append(env.result)
    known = {
        v
        for root in roots
        for v in walk_values(root)
        if isinstance(v, Identity) and v.type == type_name
    }
    fresh = Identity(type_name, max((v.number for v in known), default=0) + 1)
    return [*sorted(known, key=sort_key), fresh]


def _set(expr: ast.Call, value: Value) -> frozenset[Value]:
    if not isinstance(value, SetValue):
        raise EvaluationError(f"{expr.span}: {expr.function}() of {value!r}")
    return value.items


def _map(expr: ast.Call, value: Value) -> dict[Value, Value]:
    if not isinstance(value, MapValue):
        raise EvaluationError(f"{expr.span}: {expr.function}() of {value!r}")
    return value.as_dict()


def _seq(expr: ast.Call, value: Value) -> tuple[Value, ...]:
    if not isinstance(value, SeqValue):
        raise EvaluationError(f"{expr.span}: {expr.function}() of {value!r}")
    return value.items


def _option(expr: ast.Call, value: Value) -> OptionValue:
    if not isinstance(value, OptionValue):
        raise EvaluationError(f"{expr.span}: {expr.function}() of {value!r}")
    return value


def _int_args(expr: ast.Call, args: list[Value]) -> list[int]:
    numbers = []
    for value in args:
        if not isinstance(value, int) or isinstance(value, bool):
            raise EvaluationError(f"{expr.span}: {expr.function}() of {value!r}")
        numbers.append(value)
    return numbers


def _size(expr: ast.Call, args: list[Value]) -> Value:
    container = args[0]
    if isinstance(container, SetValue):
        return len(container.items)
    if isinstance(container, MapValue):
        return len(container.entries)
    if isinstance(container, SeqValue):
        return len(container.items)
    raise EvaluationError(f"{expr.span}: size() of {container!r}")


def _first(expr: ast.Call, args: list[Value]) -> Value:
    items = _seq(expr, args[0])
    if not items:
        raise Undefined(expr.span, "first() of an empty sequence")
    return items[0]


def _last(expr: ast.Call, args: list[Value]) -> Value:
    items = _seq(expr, args[0])
    if not items:
        raise Undefined(expr.span, "last() of an empty sequence")
    return items[-1]


def _value(expr: ast.Call, args: list[Value]) -> Value:
    option = _option(expr, args[0])
    if option.value is None:
        raise Undefined(expr.span, "value() of none")
    return option.value


def _get(expr: ast.Call, args: list[Value]) -> Value:
    return _map(expr, args[0]).get(args[1], args[2])


def _put(expr: ast.Call, args: list[Value]) -> Value:
    return MapValue.of([*_map(expr, args[0]).items(), (args[1], args[2])])


def _delete(expr: ast.Call, args: list[Value]) -> Value:
    entries = _map(expr, args[0])
    return MapValue.of((k, v) for k, v in entries.items() if k != args[1])


_Call = Callable[[ast.Call, list[Value]], Value]

_CALLS: dict[str, _Call] = {
    "min": lambda e, a: min(_int_args(e, a)),
    "max": lambda e, a: max(_int_args(e, a)),
    "abs": lambda e, a: abs(_int_args(e, a)[0]),
    "size": _size,
    "insert": lambda e, a: SetValue(_set(e, a[0]) | {a[1]}),
    "remove": lambda e, a: SetValue(_set(e, a[0]) - {a[1]}),
    "union": lambda e, a: SetValue(_set(e, a[0]) | _set(e, a[1])),
    "intersect": lambda e, a: SetValue(_set(e, a[0]) & _set(e, a[1])),
    "difference": lambda e, a: SetValue(_set(e, a[0]) - _set(e, a[1])),
    "subset": lambda e, a: _set(e, a[0]) <= _set(e, a[1]),
    "domain": lambda e, a: SetValue(frozenset(_map(e, a[0]))),
    "get": _get,
    "put": _put,
    "delete": _delete,
    "append": lambda e, a: SeqValue((*_seq(e, a[0]), a[1])),
    "first": _first,
    "last": _last,
    "rest": lambda e, a: SeqValue(_seq(e, a[0])[1:]),
    "some": lambda e, a: OptionValue(a[0]),
    "is_some": lambda e, a: _option(e, a[0]).value is not None,
    "is_none": lambda e, a: _option(e, a[0]).value is None,
    "value": _value,
}

_ARITHMETIC: dict[str, Callable[[int, int], Value]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
}

_HANDLERS: dict[type, Callable[..., Value]] = {
    ast.IntLit: Evaluator._literal,
    ast.BoolLit: Evaluator._literal,
    ast.Name: Evaluator._name,
    ast.Qualified: Evaluator._qualified,
    ast.ResultRef: Evaluator._result,
    ast.Old: Evaluator._old,
    ast.Unary: Evaluator._unary,
    ast.Binary: Evaluator._binary,
    ast.IfThenElse: Evaluator._if,
    ast.Call: Evaluator._call,
    ast.NoneLit: Evaluator._none,
    ast.SetLit: Evaluator._set_lit,
    ast.MapLit: Evaluator._map_lit,
    ast.SeqLit: Evaluator._seq_lit,
    ast.Index: Evaluator._index,
    ast.RecordLit: Evaluator._record_lit,
    ast.Field: Evaluator._field,
    ast.With: Evaluator._with,
    ast.Quantifier: Evaluator._quantifier,
    ast.SetFilter: Evaluator._set_filter,
}
