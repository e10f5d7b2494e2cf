"""Resolve names and check types: turn a parsed spec into a checked one.

``check_spec`` returns a copy of the tree in which every expression has its
type, every name its reference, and the implicit range clauses of bounded
integers stand beside the written ones. It collects every error it can find
before raising, so one run reports them all.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TypeVar

from spec_lang import ast, builtins
from spec_lang.diagnostics import Diagnostic, SpecError, error
from spec_lang.names import ADAPTER_MEMBERS, is_generated_name, snake_case
from spec_lang.types import (
    BOOL,
    INT,
    BoolT,
    EnumT,
    IdentityT,
    IntT,
    MapT,
    OptionT,
    RecordT,
    SeqT,
    SetT,
    Type,
    same_type,
)

log = logging.getLogger(__name__)

_LATER_CONST = "a constant declared after this one; name only earlier constants"


# The units a failure mode's recovery bound may be given in.
RECOVERY_UNITS = ("us", "ms", "s")


@dataclass
class _Context:
    """Where an expression sits, which decides what it may refer to."""

    what: str  # for messages: "an invariant", "a where clause", ...
    state: bool = True  # may read state variables and defines
    params: dict[str, Type] = field(default_factory=dict)
    locals: dict[str, Type] = field(default_factory=dict)
    old: bool = False  # may use old()
    result: Type | None = None  # the type of ``result`` where it may be read
    in_old: bool = False
    # In init: the variables assigned so far (None outside init).
    assigned: set[str] | None = None
    # Names that exist but may not be read here, with the reason.
    hidden: dict[str, str] = field(default_factory=dict)
    # Every local bound so far in the block, branches included: local names are
    # unique in an operation, so later stages can key locals by name.
    bound: set[str] = field(default_factory=set)
    # The variables of the quantifiers and set filters around the expression.
    quantified: dict[str, Type] = field(default_factory=dict)


class _ComponentChecker:
    def __init__(self, component: ast.Component, diagnostics: list[Diagnostic]) -> None:
        self.component = component
        self.diagnostics = diagnostics
        self.enums: dict[str, EnumT] = {}
        self.identities: dict[str, IdentityT] = {}
        self.record_decls: dict[str, ast.RecordDecl] = {}
        self.record_types: dict[str, RecordT] = {}
        self._resolving: list[str] = []  # records whose fields are being resolved
        self.members: dict[str, str] = {}  # member name -> enum name
        self.consts: dict[str, Type] = {}
        self.vars: dict[str, Type] = {}
        self.defines: dict[str, ast.Define] = {}
        self.define_types: dict[str, Type] = {}
        self.errors: set[str] = set()
        self.unclaimed_vars: set[str] = set()

    def report(self, code: str, message: str, span: ast.Span) -> None:
        self.diagnostics.append(error(code, message, span))

    def _check_generated_name(self, name: str, span: ast.Span) -> None:
        if is_generated_name(name):
            self.report("SF211", _generated_name_message(name), span)

    def _check_adapter_name(self, op: ast.Operation) -> None:
        role = ADAPTER_MEMBERS.get(op.name)
        if role is None:
            return
        kind = op.kind.value
        if op.kind is ast.OperationKind.ENVIRONMENT:
            kind = "environment action"
        suggestion = f"{op.name}_{snake_case(self.component.name)}"
        self.report(
            "SF210",
            f"{kind} name {op.name!r} is reserved by the adapter protocol: an "
            f"adapter's {op.name!r} member {role}; rename the {kind}, for example "
            f"to {suggestion!r}",
            op.span,
        )

    # --- declarations -----------------------------------------------------

    def check(self) -> ast.Component:
        c = self.component
        self._declare()
        consts = tuple(self._check_const(k) for k in c.consts)
        vars_ = tuple(_typed(v, self.vars.get(v.name, INT)) for v in c.vars)
        records = tuple(self._typed_record(r) for r in c.records)
        defines = tuple(self._check_define(d) for d in c.defines)
        self._check_define_cycles(defines)
        init = self._check_init(c.init)
        invariants = tuple(
            self._check_clause(i, _Context("an invariant")) for i in c.invariants
        )
        self._check_labels(c.invariants)
        for const in c.consts:
            self._check_labels(const.where)
        range_invariants = tuple(self._var_ranges(c.vars))
        operations = tuple(self._check_operation(op) for op in c.operations)
        properties = tuple(self._check_property(p) for p in c.properties)
        self._check_property_labels(c.properties)
        self._check_fairness(c.fairness)
        failures = self._check_failures(c.failures)
        return replace(
            c,
            consts=consts,
            vars=vars_,
            defines=defines,
            init=init,
            invariants=invariants + range_invariants,
            operations=operations,
            records=records,
            properties=properties,
            failures=failures,
        )

    def _declare(self) -> None:
        """Enter every declaration into its namespace, reporting duplicates."""
        c = self.component
        seen: dict[str, ast.Span] = {}

        def claim(name: str, span: ast.Span) -> bool:
            self._check_generated_name(name, span)
            if name in seen:
                self.report(
                    "SF202",
                    f"duplicate declaration of {name!r}; "
                    f"first declared at line {seen[name].line}",
                    span,
                )
                return False
            seen[name] = span
            return True

        for enum in c.enums:
            if claim(enum.name, enum.span):
                self.enums[enum.name] = EnumT(enum.name, enum.members)
            for member, span in zip(enum.members, enum.member_spans, strict=True):
                if claim(member, span):
                    self.members[member] = enum.name
        for decl in c.errors:
            if claim(decl.name, decl.span):
                self.errors.add(decl.name)
        for identity in c.identities:
            if claim(identity.name, identity.span):
                self.identities[identity.name] = IdentityT(identity.name)
        for record in c.records:
            if claim(record.name, record.span):
                self.record_decls[record.name] = record
        claimed_consts = [k for k in c.consts if claim(k.name, k.span)]
        claimed_vars = [v for v in c.vars if claim(v.name, v.span)]
        claimed_defines = [d for d in c.defines if claim(d.name, d.span)]
        for op in c.operations:
            claim(op.name, op.span)
            self._check_adapter_name(op)

        # Types are resolved once every name is known, since bounds name constants
        # and records may name records declared after them.
        for name in self.record_decls:
            self._record_type(name)
        for const in claimed_consts:
            self.consts[const.name] = INT
        for index, const in enumerate(claimed_consts):
            later = {k.name: _LATER_CONST for k in claimed_consts[index + 1 :]}
            ctx = _Context("a type bound", state=False, hidden=later)
            self.consts[const.name] = self._resolve_type(const.type_expr, ctx)
        for define in claimed_defines:
            self.defines[define.name] = define
            self.define_types[define.name] = self._define_type(define)
        for var in claimed_vars:
            self.vars[var.name] = self._resolve_type(var.type_expr)
        # A variable that lost its name to another declaration is reported once,
        # not again at each assignment.
        self.unclaimed_vars = {v.name for v in c.vars} - set(self.vars)

    def _define_type(self, define: ast.Define) -> Type:
        type_expr = define.type_expr
        if isinstance(type_expr, ast.IntTypeExpr) and (
            type_expr.low is not None or type_expr.high is not None
        ):
            self.report(
                "SF311",
                f"define {define.name!r} cannot have a bounded type; "
                "declare it Int and state the range as an invariant",
                type_expr.span,
            )
            return INT
        return self._resolve_type(type_expr)

    def _resolve_type(
        self, type_expr: ast.TypeExpr, ctx: _Context | None = None
    ) -> Type:
        """Resolve a type; ``ctx`` says what the bounds of an ``Int[lo..hi]`` see."""
        if isinstance(type_expr, ast.BoolTypeExpr):
            return BOOL
        if isinstance(type_expr, ast.IntTypeExpr):
            if type_expr.low is None and type_expr.high is None:
                return INT
            bound_ctx = ctx or _Context("a type bound", state=False)
            low = self._check_int(type_expr.low, bound_ctx) if type_expr.low else None
            high = (
                self._check_int(type_expr.high, bound_ctx) if type_expr.high else None
            )
            return IntT(low, high)
        if isinstance(type_expr, ast.GenericTypeExpr):
            return self._generic_type(type_expr)
        if type_expr.name in self.enums:
            return self.enums[type_expr.name]
        if type_expr.name in self.identities:
            return self.identities[type_expr.name]
        if type_expr.name in self.record_decls:
            return self._record_type(type_expr.name)
        declared = sorted([*self.enums, *self.identities, *self.record_decls])
        known = ", ".join(["Bool", "Int", "Set[T]", "Map[K, V]", "Seq[T]", *declared])
        self.report(
            "SF203",
            f"unknown type {type_expr.name!r}; known types: {known}, Option[T]",
            type_expr.span,
        )
        return INT

    def _generic_type(self, type_expr: ast.GenericTypeExpr) -> Type:
        args = [self._element_type(a, type_expr.name) for a in type_expr.args]
        if type_expr.name == "Map":
            return MapT(args[0], args[1])
        if type_expr.name == "Set":
            return SetT(args[0])
        if type_expr.name == "Seq":
            return SeqT(args[0])
        if isinstance(args[0], OptionT):
            self.report(
                "SF319",
                "Option[Option[...]] is not allowed: none and some(none) would "
                "read alike in generated code; use a record or an enum",
                type_expr.span,
            )
        return OptionT(args[0])

    def _element_type(self, type_expr: ast.TypeExpr, where: str) -> Type:
        """Resolve a type inside another: a collection's, an option's or a field's."""
        if isinstance(type_expr, ast.IntTypeExpr) and (
            type_expr.low is not None or type_expr.high is not None
        ):
            inside = "a record field" if where == "record" else f"{where}[...]"
            self.report(
                "SF313",
                f"a bounded integer cannot be the type of {inside}; use Int and "
                "state the range as an invariant",
                type_expr.span,
            )
            return INT
        return self._resolve_type(type_expr)

    def _record_type(self, name: str) -> RecordT:
        """Resolve a record's field types, once, reporting a cycle of records."""
        if name in self.record_types:
            return self.record_types[name]
        decl = self.record_decls[name]
        if name in self._resolving:
            shown = " -> ".join([*self._resolving[self._resolving.index(name) :], name])
            self.report(
                "SF315",
                f"record types contain each other in a cycle: {shown}",
                decl.span,
            )
            return RecordT(name)

        self._resolving.append(name)
        fields: list[tuple[str, Type]] = []
        seen: set[str] = set()
        for field_decl in decl.fields:
            field_type = self._element_type(field_decl.type_expr, "record")
            self._check_generated_name(field_decl.name, field_decl.span)
            if field_decl.name in seen:
                self.report(
                    "SF202",
                    f"duplicate field {field_decl.name!r} in record {name}",
                    field_decl.span,
                )
                continue
            seen.add(field_decl.name)
            fields.append((field_decl.name, field_type))
        self._resolving.pop()

        record = RecordT(name, tuple(fields))
        self.record_types[name] = record
        return record

    def _typed_record(self, record: ast.RecordDecl) -> ast.RecordDecl:
        resolved = self.record_types.get(record.name)
        if resolved is None:
            return record
        fields = tuple(
            replace(f, type=resolved.field_type(f.name) or INT) for f in record.fields
        )
        return replace(record, fields=fields)

    def _check_int(self, expr: ast.Expr, ctx: _Context) -> ast.Expr:
        checked = self.expr(expr, ctx)
        self._expect(checked, INT, f"{ctx.what} must be")
        return checked

    def _check_const(self, const: ast.Const) -> ast.Const:
        names = [k.name for k in self.component.consts]
        position = names.index(const.name)
        later = {name: _LATER_CONST for name in names[position + 1 :]}
        later.pop(const.name, None)
        ctx = _Context("a where clause", state=False, hidden=later)
        wheres = tuple(self._check_clause(w, ctx) for w in const.where)
        const_type = self.consts.get(const.name, INT)
        range_clause = self._range_clause(
            f"{self.component.name}.{const.name}.range",
            const.name,
            ast.RefKind.CONST,
            const_type,
            const.type_expr.span,
        )
        if range_clause is not None:
            wheres = (*wheres, range_clause)
        return replace(_typed(const, const_type), where=wheres)

    def _check_define(self, define: ast.Define) -> ast.Define:
        declared = self.define_types.get(define.name, INT)
        expr = self.expr(define.expr, _Context(f"define {define.name!r}"), declared)
        self._expect(expr, declared, f"define {define.name!r} is declared")
        return replace(define, expr=expr, type=declared)

    def _check_define_cycles(self, defines: tuple[ast.Define, ...]) -> None:
        """Report each cycle among defines once, by a depth-first search."""
        uses = {d.name: sorted(_define_refs(d.expr)) for d in defines}
        finished: set[str] = set()
        for root in uses:
            if root in finished:
                continue
            path: list[str] = []
            on_path: set[str] = set()
            stack: list[tuple[str, Iterator[str]]] = [(root, iter(uses[root]))]
            path.append(root)
            on_path.add(root)
            while stack:
                name, successors = stack[-1]
                child = next(successors, None)
                if child is None:
                    stack.pop()
                    path.pop()
                    on_path.discard(name)
                    finished.add(name)
                elif child in on_path:
                    self._report_cycle(path[path.index(child) :])
                elif child in uses and child not in finished:
                    stack.append((child, iter(uses[child])))
                    path.append(child)
                    on_path.add(child)

    def _report_cycle(self, cycle: list[str]) -> None:
        shown = " -> ".join([*cycle, cycle[0]])
        self.report(
            "SF208",
            f"defines refer to each other in a cycle: {shown}",
            self.defines[cycle[0]].span,
        )

    def _check_init(self, init: ast.Init | None) -> ast.Init | None:
        c = self.component
        if init is None:
            if c.vars:
                self.report(
                    "SF305",
                    f"component {c.name!r} has state variables but no init block",
                    c.span,
                )
            return None
        ctx = _Context("the init block", assigned=set())
        body = self.stmts(init.body, ctx, kind="init")
        assigned = ctx.assigned or set()
        missing = [name for name in self.vars if name not in assigned]
        if missing:
            self.report(
                "SF305",
                f"init does not assign {', '.join(missing)} on every path",
                init.span,
            )
        return replace(init, body=body)

    def _check_clause(self, clause: ast.Clause, ctx: _Context) -> ast.Clause:
        expr = self.expr(clause.expr, ctx)
        self._expect(expr, BOOL, f"{ctx.what} must be")
        return replace(clause, expr=expr)

    def _check_labels(self, clauses: Iterable[ast.Clause]) -> None:
        """Labels make clause ids, which reports and tests trace, so they are unique."""
        first: dict[str, ast.Clause] = {}
        for clause in clauses:
            if clause.label is None:
                continue
            if clause.label in first:
                self.report(
                    "SF202",
                    f"duplicate label {clause.label!r}: clause id {clause.id!r} "
                    f"is already used at line {first[clause.label].span.line}",
                    clause.span,
                )
            else:
                first[clause.label] = clause

    # --- operations ---------------------------------------------------------

    def _check_operation(self, op: ast.Operation) -> ast.Operation:
        params: dict[str, Type] = {}
        checked_params = []
        # A bound is fixed when the component is created, before any call.
        bound_ctx = _Context(
            "a type bound",
            state=False,
            hidden={
                p.name: "a parameter; bounds may name only constants" for p in op.params
            },
        )
        for param in op.params:
            param_type = self._resolve_type(param.type_expr, bound_ctx)
            self._check_generated_name(param.name, param.span)
            if param.name in params:
                self.report("SF202", f"duplicate parameter {param.name!r}", param.span)
            elif self._value_name_taken(param.name):
                self.report(
                    "SF206",
                    f"parameter {param.name!r} shadows a declaration of the component",
                    param.span,
                )
            params[param.name] = param_type
            checked_params.append(_typed(param, param_type))

        result_type = None
        if op.result_type_expr is not None:
            result_type = self._resolve_type(op.result_type_expr, bound_ctx)
        elif op.kind is ast.OperationKind.QUERY:
            self.report(
                "SF312",
                f"query {op.name!r} declares no result type; a query changes "
                "nothing, so it must return a value: 'query name(...) -> T'",
                op.span,
            )

        requires = tuple(self._check_requires(op, r, params) for r in op.requires)
        ensures_ctx = _Context(
            "an ensures clause", params=params, old=True, result=result_type
        )
        ensures = tuple(self._check_clause(e, ensures_ctx) for e in op.ensures)
        self._check_labels(op.requires)
        self._check_labels(op.ensures)
        self._check_modifies(op)

        effect = None
        if op.effect is not None:
            effect_ctx = _Context("an effect", params=params)
            kind = "query" if op.kind is ast.OperationKind.QUERY else "effect"
            effect = self.stmts(op.effect, effect_ctx, kind=kind, result=result_type)
            if result_type is not None and not _assigns_on_all_paths(effect, "result"):
                self.report(
                    "SF306",
                    f"{op.kind.value} {op.name!r} returns {result_type} but its effect "
                    "does not assign result on every path",
                    op.span,
                )
            if op.modifies is not None:
                extra = sorted(_assigned_vars(effect) - set(op.modifies))
                if extra:
                    self.report(
                        "SF308",
                        f"effect assigns {', '.join(extra)}, "
                        "which modifies does not list",
                        op.span,
                    )

        base = f"{self.component.name}.{op.name}"
        param_ranges = []
        for param in checked_params:
            assert param.type is not None
            clause = self._range_clause(
                f"{base}.requires.{param.name}.range",
                param.name,
                ast.RefKind.PARAM,
                param.type,
                param.type_expr.span,
            )
            if clause is not None:
                param_ranges.append(clause)
        result_range = []
        if result_type is not None and op.result_type_expr is not None:
            clause = self._range_clause(
                f"{base}.result.range",
                "result",
                None,
                result_type,
                op.result_type_expr.span,
            )
            if clause is not None:
                result_range.append(clause)
        result_type_expr = op.result_type_expr
        if result_type_expr is not None and result_type is not None:
            result_type_expr = _checked_bounds(result_type_expr, result_type)
        return replace(
            op,
            result_type_expr=result_type_expr,
            params=tuple(checked_params),
            requires=(*param_ranges, *requires),
            ensures=(*ensures, *result_range),
            effect=effect,
            result_type=result_type,
        )

    def _check_requires(
        self, op: ast.Operation, clause: ast.Clause, params: dict[str, Type]
    ) -> ast.Clause:
        checked = self._check_clause(
            clause, _Context("a requires clause", params=params)
        )
        if clause.error is None:
            return checked
        span = clause.error_span or clause.span
        if op.kind is ast.OperationKind.ENVIRONMENT:
            self.report(
                "SF310",
                f"environment action {op.name!r} cannot return error {clause.error!r}; "
                "an action whose requires is false just does not happen",
                span,
            )
        elif clause.error not in self.errors:
            declared = ", ".join(sorted(self.errors)) or "none"
            self.report(
                "SF204",
                f"unknown error {clause.error!r}; "
                f"declare it with 'error {clause.error}' "
                f"(declared: {declared})",
                span,
            )
        return checked

    def _check_modifies(self, op: ast.Operation) -> None:
        if op.modifies is None:
            return
        if op.kind is ast.OperationKind.QUERY:
            self.report("SF304", f"query {op.name!r} cannot modify state", op.span)
        listed: set[str] = set()
        for name in op.modifies:
            if name not in self.vars:
                self.report(
                    "SF308",
                    f"modifies {name!r}, which is not a state variable",
                    op.span,
                )
            elif name in listed:
                self.report("SF202", f"modifies lists {name!r} twice", op.span)
            listed.add(name)

    def _value_name_taken(self, name: str) -> bool:
        return (
            name in self.consts
            or name in self.vars
            or name in self.defines
            or name in self.members
        )

    # --- temporal properties -----------------------------------------------

    def _check_property(self, prop: ast.Property) -> ast.Property:
        # Only a safety property spans a step, so only it may read old().
        what = f"{'a' if prop.kind is ast.PropertyKind.LEADSTO else 'an'} "
        what += f"{prop.kind.value} property"
        ctx = _Context(what, old=prop.kind is ast.PropertyKind.ALWAYS)
        expr = self.expr(prop.expr, ctx)
        self._expect(expr, BOOL, f"{what} must be")
        trigger = None
        if prop.trigger is not None:
            trigger = self.expr(prop.trigger, ctx)
            self._expect(trigger, BOOL, f"the trigger of {what} must be")
        if prop.within is not None and prop.within < 1:
            self.report(
                "SF320",
                f"'within {prop.within}' allows no step; a response bound counts "
                "steps and is at least 1",
                prop.within_span or prop.span,
            )
        return replace(prop, expr=expr, trigger=trigger)

    # --- failure modes ----------------------------------------------------

    def _check_failures(
        self, failures: tuple[ast.FailureMode, ...]
    ) -> tuple[ast.FailureMode, ...]:
        first: dict[str, ast.FailureMode] = {}
        checked = []
        for failure in failures:
            if failure.name in first:
                self.report(
                    "SF202",
                    f"duplicate failure mode {failure.name!r}; first declared at "
                    f"line {first[failure.name].span.line}",
                    failure.span,
                )
            first.setdefault(failure.name, failure)
            checked.append(self._check_failure(failure))
        return tuple(checked)

    def _check_failure(self, failure: ast.FailureMode) -> ast.FailureMode:
        kept: set[str] = set()
        for name, span in zip(failure.keeps, failure.keep_spans, strict=True):
            if name not in self.vars:
                known = ", ".join(self.vars) or "none"
                self.report(
                    "SF322",
                    f"failure {failure.name} keeps {name!r}, which is not a state "
                    f"variable (the component declares {known})",
                    span,
                )
            elif name in kept:
                self.report(
                    "SF202", f"failure {failure.name} keeps {name!r} twice", span
                )
            kept.add(name)
        ctx = _Context("an ensures clause of a failure mode", old=True)
        ensures = tuple(self._check_clause(e, ctx) for e in failure.ensures)
        self._check_labels(failure.ensures)
        self._check_recovery_bound(failure)
        return replace(failure, ensures=ensures)

    def _check_recovery_bound(self, failure: ast.FailureMode) -> None:
        if failure.within is None:
            return
        span = failure.within_span or failure.span
        if failure.unit not in RECOVERY_UNITS:
            self.report(
                "SF323",
                f"'within {failure.within} {failure.unit}': a recovery bound is "
                f"in {', '.join(RECOVERY_UNITS)}",
                span,
            )
        elif failure.within < 1:
            self.report(
                "SF323",
                f"'within {failure.within} {failure.unit}' leaves recovery no "
                "time; the bound is at least 1",
                span,
            )

    def _check_property_labels(self, properties: Iterable[ast.Property]) -> None:
        first: dict[str, ast.Property] = {}
        for prop in properties:
            if prop.id in first:
                self.report(
                    "SF202",
                    f"duplicate label {prop.label!r}: property id {prop.id!r} "
                    f"is already used at line {first[prop.id].span.line}",
                    prop.span,
                )
            first.setdefault(prop.id, prop)

    def _check_fairness(self, declarations: Iterable[ast.Fairness]) -> None:
        kinds = {op.name: op.kind for op in self.component.operations}
        fair: set[str] = set()
        for decl in declarations:
            for name, span in zip(decl.actions, decl.action_spans, strict=True):
                kind = kinds.get(name)
                if kind is None or kind is ast.OperationKind.QUERY:
                    actions = sorted(
                        n for n, k in kinds.items() if k is not ast.OperationKind.QUERY
                    )
                    why = "a query changes nothing" if kind else "no such action"
                    self.report(
                        "SF321",
                        f"fairness names {name!r} ({why}); name operations or "
                        f"environment actions: {', '.join(actions) or 'none'}",
                        span,
                    )
                elif name in fair:
                    self.report("SF202", f"fairness names {name!r} twice", span)
                fair.add(name)

    # --- implicit range clauses --------------------------------------------

    def _var_ranges(self, variables: Iterable[ast.Var]) -> Iterable[ast.Clause]:
        for var in variables:
            var_type = self.vars.get(var.name)
            if var_type is None:
                continue
            clause = self._range_clause(
                f"{self.component.name}.{var.name}.range",
                var.name,
                ast.RefKind.VAR,
                var_type,
                var.type_expr.span,
            )
            if clause is not None:
                yield clause

    def _range_clause(
        self,
        clause_id: str,
        name: str,
        kind: ast.RefKind | None,
        value_type: Type,
        span: ast.Span,
    ) -> ast.Clause | None:
        """Build ``lo <= name and name <= hi`` for a bounded integer, or None."""
        if not isinstance(value_type, IntT) or not value_type.bounded:
            return None
        subject: ast.Expr
        if kind is None:
            subject = ast.ResultRef(span, type=INT)
        else:
            subject = ast.Name(span, name, type=INT, ref=ast.Ref(kind, name))
        parts: list[ast.Expr] = []
        if value_type.low is not None:
            parts.append(ast.Binary(span, "<=", value_type.low, subject, type=BOOL))
        if value_type.high is not None:
            parts.append(ast.Binary(span, "<=", subject, value_type.high, type=BOOL))
        expr = parts[0]
        for part in parts[1:]:
            expr = ast.Binary(span, "and", expr, part, type=BOOL)
        return ast.Clause(span, clause_id, "range", expr)

    # --- statements -------------------------------------------------------

    def stmts(
        self,
        body: tuple[ast.Stmt, ...],
        ctx: _Context,
        kind: str,
        result: Type | None = None,
    ) -> tuple[ast.Stmt, ...]:
        checked: list[ast.Stmt] = []
        for stmt in body:
            checked.append(self.stmt(stmt, ctx, kind, result))
        return tuple(checked)

    def stmt(
        self, stmt: ast.Stmt, ctx: _Context, kind: str, result: Type | None
    ) -> ast.Stmt:
        if isinstance(stmt, ast.Let):
            value = self.expr(stmt.value, ctx)
            self._check_generated_name(stmt.name, stmt.span)
            if stmt.name in ctx.params:
                self.report(
                    "SF202",
                    f"let {stmt.name!r} has the name of a parameter",
                    stmt.span,
                )
            elif stmt.name in ctx.bound:
                self.report(
                    "SF202",
                    f"duplicate local name {stmt.name!r}; a block binds each "
                    "name once, even in different branches",
                    stmt.span,
                )
            elif self._value_name_taken(stmt.name):
                self.report(
                    "SF206",
                    f"let {stmt.name!r} shadows a declaration of the component",
                    stmt.span,
                )
            ctx.locals[stmt.name] = value.type or INT
            ctx.bound.add(stmt.name)
            return replace(stmt, value=value)
        if isinstance(stmt, ast.If):
            condition = self.expr(stmt.condition, ctx)
            self._expect(condition, BOOL, "an if condition must be")
            before = set(ctx.assigned) if ctx.assigned is not None else None
            outer_locals = dict(ctx.locals)
            then = self.stmts(stmt.then, ctx, kind, result)
            after_then = ctx.assigned
            ctx.assigned = set(before) if before is not None else None
            ctx.locals = dict(outer_locals)
            otherwise = self.stmts(stmt.otherwise, ctx, kind, result)
            if after_then is not None and ctx.assigned is not None:
                ctx.assigned = after_then & ctx.assigned
            # Branch locals are scoped to their branch; their names stay in ctx.bound.
            ctx.locals = outer_locals
            return replace(stmt, condition=condition, then=then, otherwise=otherwise)
        return self._assign(stmt, ctx, kind, result)

    def _assign(
        self, stmt: ast.Assign, ctx: _Context, kind: str, result: Type | None
    ) -> ast.Assign:
        target_type = result if stmt.target == "result" else self.vars.get(stmt.target)
        value = self.expr(stmt.value, ctx, _plain(target_type) if target_type else None)
        if stmt.target == "result":
            if kind == "init" or result is None:
                self.report(
                    "SF303",
                    "result is assigned, but this block does not return a value",
                    stmt.target_span,
                )
            else:
                self._expect(value, result, "result must be")
            return replace(stmt, value=value)
        if stmt.target in self.unclaimed_vars:
            return replace(stmt, value=value)
        if stmt.target not in self.vars:
            what = self._describe(stmt.target, ctx)
            self.report(
                "SF205", f"cannot assign {stmt.target!r}: {what}", stmt.target_span
            )
            return replace(stmt, value=value)
        if kind == "query":
            self.report(
                "SF304",
                f"a query changes no state, but assigns {stmt.target!r}",
                stmt.target_span,
            )
        self._expect(value, self.vars[stmt.target], f"{stmt.target!r} is declared")
        if ctx.assigned is not None:
            ctx.assigned.add(stmt.target)
        return replace(stmt, value=value)

    def _describe(self, name: str, ctx: _Context) -> str:
        if name in self.consts:
            return "it is a constant"
        if name in ctx.params:
            return "it is a parameter"
        if name in ctx.locals:
            return "it is a local name"
        if name in self.defines:
            return "it is a define"
        if name in self.members:
            return "it is an enum member"
        return "no state variable has this name"

    # --- expressions ------------------------------------------------------

    def _expect(self, expr: ast.Expr, expected: Type, what: str) -> None:
        actual = expr.type
        if actual is None:  # already reported
            return
        if not same_type(actual, expected):
            self.report("SF301", f"{what} {expected}, got {actual}", expr.span)

    def expr(
        self, expr: ast.Expr, ctx: _Context, expected: Type | None = None
    ) -> ast.Expr:
        """Check ``expr``; ``expected`` is the type its context wants, if known.

        The expected type only decides the type of literals that cannot tell
        it themselves (``{}``, ``[]``, ``none``); callers still compare.
        """
        method = getattr(self, f"_expr_{type(expr).__name__}", None)
        if method is None:
            raise TypeError(f"no type rule for expression node {type(expr).__name__}")
        checked: ast.Expr = method(expr, ctx, expected)
        return checked

    def _expr_IntLit(
        self, expr: ast.IntLit, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        return replace(expr, type=INT)

    def _expr_BoolLit(
        self, expr: ast.BoolLit, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        return replace(expr, type=BOOL)

    def _expr_Name(
        self, expr: ast.Name, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        name = expr.id
        kind: ast.RefKind | None = None
        found: Type | None = None
        owner = ""
        if name in ctx.quantified:
            ref = ast.Ref(ast.RefKind.BOUND, name)
            return replace(expr, type=ctx.quantified[name], ref=ref)
        if name in ctx.hidden and name not in ctx.locals:
            self.report(
                "SF209",
                f"{ctx.what} cannot refer to {name!r}, {ctx.hidden[name]}",
                expr.span,
            )
            if name not in self.consts:
                return expr
        if name in ctx.locals:
            kind, found = ast.RefKind.LOCAL, ctx.locals[name]
        elif name in ctx.params:
            kind, found = ast.RefKind.PARAM, ctx.params[name]
        elif name in self.consts:
            kind, found = ast.RefKind.CONST, self.consts[name]
        elif name in self.vars:
            kind, found = ast.RefKind.VAR, self.vars[name]
            if not ctx.state:
                self._state_forbidden(expr, ctx)
            elif ctx.assigned is not None and name not in ctx.assigned:
                self.report(
                    "SF305", f"init reads {name!r} before assigning it", expr.span
                )
        elif name in self.defines:
            kind, found = ast.RefKind.DEFINE, self.define_types[name]
            if not ctx.state:
                self._state_forbidden(expr, ctx)
            elif ctx.assigned is not None:
                self.report(
                    "SF305",
                    f"init cannot read define {name!r}; assign the variables first",
                    expr.span,
                )
        elif name in self.members:
            owner = self.members[name]
            kind, found = ast.RefKind.ENUM_MEMBER, self.enums[owner]
        if kind is None:
            self.report(
                "SF201", f"unknown name {name!r}{self._suggest(name, ctx)}", expr.span
            )
            return expr
        assert found is not None
        return replace(expr, type=_plain(found), ref=ast.Ref(kind, name, owner))

    def _state_forbidden(self, expr: ast.Name, ctx: _Context) -> None:
        what = "a define, which reads state" if expr.id in self.defines else "state"
        self.report(
            "SF307",
            f"{ctx.what} may refer only to constants, but {expr.id!r} is {what}",
            expr.span,
        )

    def _suggest(self, name: str, ctx: _Context) -> str:
        candidates = [
            *self.consts,
            *self.vars,
            *self.defines,
            *self.members,
            *ctx.params,
            *ctx.locals,
            *ctx.quantified,
        ]
        close = difflib.get_close_matches(name, candidates, n=1)
        return f"; did you mean {close[0]!r}?" if close else ""

    def _is_value_name(self, name: str, ctx: _Context) -> bool:
        return (
            name in ctx.quantified
            or name in ctx.locals
            or name in ctx.params
            or self._value_name_taken(name)
        )

    def _expr_Qualified(
        self, expr: ast.Qualified, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        enum = self.enums.get(expr.qualifier)
        if enum is None and self._is_value_name(expr.qualifier, ctx):
            # ``entry.pid`` parses like ``Mode.Open``: the left side is a value.
            start = expr.span
            end_column = start.column + len(expr.qualifier)
            name_span = replace(start, end_line=start.line, end_column=end_column)
            operand = ast.Name(name_span, expr.qualifier)
            field_access = ast.Field(expr.span, operand, expr.member)
            return self._expr_Field(field_access, ctx, expected)
        if enum is None:
            known = ", ".join(sorted(self.enums)) or "none"
            self.report(
                "SF201",
                f"unknown enum {expr.qualifier!r} in {expr.qualifier}.{expr.member}; "
                f"declared enums: {known}{self._suggest(expr.qualifier, ctx)}",
                expr.span,
            )
            return expr
        if expr.member not in enum.members:
            members = ", ".join(enum.members)
            self.report(
                "SF201",
                f"enum {enum.name} has no member {expr.member!r}; members: {members}",
                expr.span,
            )
            return expr
        ref = ast.Ref(ast.RefKind.ENUM_MEMBER, expr.member, enum.name)
        return replace(expr, type=enum, ref=ref)

    def _expr_ResultRef(
        self, expr: ast.ResultRef, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        if ctx.result is None and ctx.in_old:
            message = "old(result) has no meaning: result exists only in the post-state"
            self.report("SF303", message, expr.span)
            return expr
        if ctx.result is None:
            where = "an ensures clause of an operation that returns a value"
            self.report("SF303", f"result can be read only in {where}", expr.span)
            return expr
        return replace(expr, type=_plain(ctx.result))

    def _expr_Old(
        self, expr: ast.Old, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        if not ctx.old:
            self.report(
                "SF302",
                "old() is allowed only in ensures clauses and always properties, "
                f"not in {ctx.what}",
                expr.span,
            )
            operand = self.expr(expr.operand, ctx, expected)
            return replace(expr, operand=operand)
        if ctx.in_old:
            self.report("SF309", "old() inside old() has no meaning", expr.span)
        inner = replace(ctx, in_old=True, result=None)
        operand = self.expr(expr.operand, inner, expected)
        return replace(expr, operand=operand, type=operand.type)

    def _expr_Unary(
        self, expr: ast.Unary, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        operand = self.expr(expr.operand, ctx)
        if expr.op == "not":
            self._expect(operand, BOOL, "'not' takes")
            return replace(expr, operand=operand, type=BOOL)
        self._expect(operand, INT, "unary '-' takes")
        return replace(expr, operand=operand, type=INT)

    def _expr_Binary(
        self, expr: ast.Binary, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        op = expr.op
        if op in ("==", "!="):
            return self._equality(expr, ctx)
        if op in ("in", "not in"):
            return self._membership(expr, ctx)
        left = self.expr(expr.left, ctx)
        right = self.expr(expr.right, ctx)
        result_type: Type
        if op in ("and", "or", "implies", "iff"):
            self._expect(left, BOOL, f"'{op}' takes")
            self._expect(right, BOOL, f"'{op}' takes")
            result_type = BOOL
        elif op in ("<", "<=", ">", ">="):
            self._expect(left, INT, f"'{op}' takes")
            self._expect(right, INT, f"'{op}' takes")
            result_type = BOOL
        else:
            self._expect(left, INT, f"'{op}' takes")
            self._expect(right, INT, f"'{op}' takes")
            result_type = INT
        return replace(expr, left=left, right=right, type=result_type)

    def _equality(self, expr: ast.Binary, ctx: _Context) -> ast.Expr:
        # The side that can tell its own type goes first, so ``s == {}`` and
        # ``{} == s`` both type the empty literal from ``s``.
        if _needs_context(expr.left) and not _needs_context(expr.right):
            right = self.expr(expr.right, ctx)
            left = self.expr(expr.left, ctx, right.type)
        else:
            left = self.expr(expr.left, ctx)
            right = self.expr(expr.right, ctx, left.type)
        if (
            left.type is not None
            and right.type is not None
            and not same_type(left.type, right.type)
        ):
            self.report(
                "SF301",
                f"'{expr.op}' compares values of one type, "
                f"got {left.type} and {right.type}",
                expr.span,
            )
        return replace(expr, left=left, right=right, type=BOOL)

    def _membership(self, expr: ast.Binary, ctx: _Context) -> ast.Expr:
        left = self.expr(expr.left, ctx)
        context: Type | None = None
        if left.type is not None and _needs_context(expr.right):
            seq = isinstance(expr.right, ast.SeqLit)
            context = SeqT(left.type) if seq else SetT(left.type)
        right = self.expr(expr.right, ctx, context)
        result = replace(expr, left=left, right=right, type=BOOL)
        if right.type is None:
            return result
        element = _member_type(right.type)
        if element is None:
            self.report(
                "SF301",
                f"'{expr.op}' needs a set, a map or a sequence on its right, "
                f"got {right.type}",
                right.span,
            )
        elif left.type is not None and not same_type(left.type, element):
            what = "keys" if isinstance(right.type, MapT) else "elements"
            self.report(
                "SF301",
                f"'{expr.op}' looks for a value of type {element} (the {what} of "
                f"{right.type}), got {left.type}",
                left.span,
            )
        return result

    def _expr_IfThenElse(
        self, expr: ast.IfThenElse, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        condition = self.expr(expr.condition, ctx)
        self._expect(condition, BOOL, "an if condition must be")
        if expected is None and _needs_context(expr.then):
            otherwise = self.expr(expr.otherwise, ctx)
            then = self.expr(expr.then, ctx, otherwise.type)
        else:
            then = self.expr(expr.then, ctx, expected)
            otherwise = self.expr(expr.otherwise, ctx, expected or then.type)
        result_type = then.type or otherwise.type
        if (
            then.type is not None
            and otherwise.type is not None
            and not same_type(then.type, otherwise.type)
        ):
            self.report(
                "SF301",
                f"if-then-else branches must have one type, got {then.type} "
                f"and {otherwise.type}",
                expr.span,
            )
        return replace(
            expr, condition=condition, then=then, otherwise=otherwise, type=result_type
        )

    # --- calls of built-in functions ---

    def _expr_Call(
        self, expr: ast.Call, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        arity = ast.BUILTIN_FUNCTIONS.get(expr.function)
        if arity is None:
            args = tuple(self.expr(a, ctx) for a in expr.args)
            known = ", ".join(sorted(ast.BUILTIN_FUNCTIONS))
            self.report(
                "SF207",
                f"unknown function {expr.function!r}; built-in functions: {known}",
                expr.span,
            )
            return replace(expr, args=args)
        if len(expr.args) != arity:
            args = tuple(self.expr(a, ctx) for a in expr.args)
            self.report(
                "SF207",
                f"{expr.function}() takes {arity} argument{'s' if arity > 1 else ''}, "
                f"got {len(expr.args)}",
                expr.span,
            )
            return replace(expr, args=args)
        if expr.function in builtins.COLLECTION_FUNCTIONS:
            return self._collection_call(expr, ctx)
        return self._signature_call(expr, ctx, expected)

    def _collection_call(self, expr: ast.Call, ctx: _Context) -> ast.Expr:
        (arg,) = (self.expr(a, ctx) for a in expr.args)
        if arg.type is not None and not isinstance(arg.type, SetT | MapT | SeqT):
            self.report(
                "SF301",
                f"{expr.function}() takes a set, a map or a sequence, got {arg.type}",
                arg.span,
            )
        result = builtins.COLLECTION_FUNCTIONS[expr.function]
        return replace(expr, args=(arg,), type=result)

    def _signature_call(
        self, expr: ast.Call, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        params, result_pattern = builtins.SIGNATURES[expr.function]
        bindings: builtins.Bindings = {}
        if expected is not None:
            # The context may bind what no argument can: ``some([])``.
            builtins.unify(result_pattern, expected, bindings)
        checked: dict[int, ast.Expr] = {}
        clash = False
        # Arguments that tell their own type go first and bind the variables;
        # the others are then checked against what those variables became.
        order = sorted(range(len(params)), key=lambda i: _needs_context(expr.args[i]))
        for index in order:
            arg = self._signature_arg(expr, index, params[index], bindings, ctx)
            checked[index] = arg
            clash = clash or arg.type is None
        args = tuple(checked[i] for i in range(len(params)))
        if clash:
            return replace(expr, args=args)
        return replace(
            expr, args=args, type=builtins.instantiate(result_pattern, bindings)
        )

    def _signature_arg(
        self,
        call: ast.Call,
        index: int,
        pattern: builtins.Pattern,
        bindings: builtins.Bindings,
        ctx: _Context,
    ) -> ast.Expr:
        """Check one argument against its parameter; an untyped result means a clash."""
        expected = builtins.instantiate(pattern, bindings)
        arg = self.expr(call.args[index], ctx, expected)
        if arg.type is None:
            return arg
        if builtins.unify(pattern, arg.type, bindings):
            return arg
        shown = builtins.describe(pattern) if expected is None else str(expected)
        where = f" as argument {index + 1}" if len(call.args) > 1 else ""
        self.report(
            "SF301",
            f"{call.function}() takes {shown}{where}, got {arg.type} "
            f"(signature: {builtins.signature_text(call.function)})",
            arg.span,
        )
        return replace(arg, type=None)

    # --- literals ---

    def _empty_literal(
        self,
        expr: ast.Expr,
        expected: Type | None,
        fits: type | tuple[type, ...],
        text: str,
        what: str,
    ) -> Type | None:
        """The type of ``{}``, ``[]`` or ``none`` from its context, or None."""
        if expected is not None and isinstance(expected, fits):
            return expected
        if expected is None:
            self.report(
                "SF314",
                f"the type of {text!r} cannot be told here; use it where {what} "
                "is expected (an assignment, a comparison with a typed value, "
                "a function argument) or write the type some other way",
                expr.span,
            )
        else:
            self.report(
                "SF301",
                f"expected {expected}, got {text!r}, which is {what}",
                expr.span,
            )
        return None

    def _expr_NoneLit(
        self, expr: ast.NoneLit, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        found = self._empty_literal(expr, expected, OptionT, "none", "an option")
        return replace(expr, type=found)

    def _expr_SetLit(
        self, expr: ast.SetLit, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        if not expr.elements:
            found = self._empty_literal(
                expr, expected, (SetT, MapT), "{}", "a set or a map"
            )
            if isinstance(found, MapT):
                return ast.MapLit(expr.span, (), type=found)
            return replace(expr, type=found)
        element = expected.element if isinstance(expected, SetT) else None
        elements, element = self._elements(expr.elements, ctx, element, "set")
        found = None if element is None else SetT(element)
        return replace(expr, elements=elements, type=found)

    def _expr_SeqLit(
        self, expr: ast.SeqLit, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        if not expr.elements:
            found = self._empty_literal(expr, expected, SeqT, "[]", "a sequence")
            return replace(expr, type=found)
        element = expected.element if isinstance(expected, SeqT) else None
        elements, element = self._elements(expr.elements, ctx, element, "sequence")
        found = None if element is None else SeqT(element)
        return replace(expr, elements=elements, type=found)

    def _elements(
        self,
        items: tuple[ast.Expr, ...],
        ctx: _Context,
        element: Type | None,
        what: str,
    ) -> tuple[tuple[ast.Expr, ...], Type | None]:
        """Check the elements of a literal against one type: the expected one,
        or else the type of the first element that needs no context."""
        checked: dict[int, ast.Expr] = {}
        if element is None:
            first = sorted(range(len(items)), key=lambda i: _needs_context(items[i]))[0]
            checked[first] = self.expr(items[first], ctx)
            element = checked[first].type
        for index, item in enumerate(items):
            if index not in checked:
                checked[index] = self.expr(item, ctx, element)
        values = tuple(checked[i] for i in range(len(items)))
        if element is not None:
            for value in values:
                self._expect(value, element, f"the elements of this {what} are")
        return values, element

    def _expr_MapLit(
        self, expr: ast.MapLit, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        key_type = expected.key if isinstance(expected, MapT) else None
        value_type = expected.value if isinstance(expected, MapT) else None
        entries = []
        for entry in expr.entries:
            key = self.expr(entry.key, ctx, key_type)
            value = self.expr(entry.value, ctx, value_type)
            key_type = key_type or key.type
            value_type = value_type or value.type
            entries.append(replace(entry, key=key, value=value))
        for entry in entries:
            if key_type is not None:
                self._expect(entry.key, key_type, "the keys of this map are")
            if value_type is not None:
                self._expect(entry.value, value_type, "the values of this map are")
        found = None
        if key_type is not None and value_type is not None:
            found = MapT(key_type, value_type)
        return replace(expr, entries=tuple(entries), type=found)

    # --- records ---

    def _expr_RecordLit(
        self, expr: ast.RecordLit, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        record = self.record_types.get(expr.record)
        if record is None:
            fields = tuple(
                replace(f, value=self.expr(f.value, ctx)) for f in expr.fields
            )
            known = ", ".join(sorted(self.record_types)) or "none"
            self.report(
                "SF203",
                f"unknown record type {expr.record!r}; declared records: {known}",
                expr.span,
            )
            return replace(expr, fields=fields)
        fields = self._field_values(record, expr.fields, ctx)
        missing = [n for n, _ in record.fields if n not in {f.name for f in fields}]
        if missing:
            self.report(
                "SF317",
                f"{record.name} {{ ... }} does not give {', '.join(missing)}; "
                "a record construction gives every field",
                expr.span,
            )
        return replace(expr, fields=fields, type=record)

    def _field_values(
        self, record: RecordT, values: tuple[ast.FieldValue, ...], ctx: _Context
    ) -> tuple[ast.FieldValue, ...]:
        """Check ``name: value`` pairs against a record's fields."""
        checked = []
        seen: set[str] = set()
        for item in values:
            field_type = record.field_type(item.name)
            value = self.expr(item.value, ctx, field_type)
            checked.append(replace(item, value=value))
            if item.name in seen:
                self.report("SF317", f"field {item.name!r} is given twice", item.span)
            seen.add(item.name)
            if field_type is None:
                self._unknown_field(record, item.name, item.span)
            else:
                self._expect(value, field_type, f"field {item.name!r} is declared")
        return tuple(checked)

    def _unknown_field(self, record: RecordT, name: str, span: ast.Span) -> None:
        fields = ", ".join(n for n, _ in record.fields)
        close = difflib.get_close_matches(name, [n for n, _ in record.fields], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        self.report(
            "SF316",
            f"record {record.name} has no field {name!r} (fields: {fields}){hint}",
            span,
        )

    def _expr_Field(
        self, expr: ast.Field, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        operand = self.expr(expr.operand, ctx)
        result = replace(expr, operand=operand)
        if operand.type is None:
            return result
        if not isinstance(operand.type, RecordT):
            self.report(
                "SF301",
                f"'.{expr.name}' reads a field of a record, but this is {operand.type}",
                expr.span,
            )
            return result
        field_type = operand.type.field_type(expr.name)
        if field_type is None:
            self._unknown_field(operand.type, expr.name, expr.span)
        return replace(result, type=field_type)

    def _expr_With(
        self, expr: ast.With, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        operand = self.expr(expr.operand, ctx, expected)
        if operand.type is None:
            fields = tuple(
                replace(f, value=self.expr(f.value, ctx)) for f in expr.fields
            )
            return replace(expr, operand=operand, fields=fields)
        if not isinstance(operand.type, RecordT):
            fields = tuple(
                replace(f, value=self.expr(f.value, ctx)) for f in expr.fields
            )
            self.report(
                "SF301",
                f"'with' updates the fields of a record, but this is {operand.type}",
                operand.span,
            )
            return replace(expr, operand=operand, fields=fields)
        fields = self._field_values(operand.type, expr.fields, ctx)
        return replace(expr, operand=operand, fields=fields, type=operand.type)

    # --- lookups ---

    def _expr_Index(
        self, expr: ast.Index, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        operand = self.expr(expr.operand, ctx)
        container = operand.type
        if isinstance(container, MapT):
            index = self.expr(expr.index, ctx, container.key)
            self._expect(index, container.key, "the keys of this map are")
            return replace(expr, operand=operand, index=index, type=container.value)
        index = self.expr(expr.index, ctx)
        if isinstance(container, SeqT):
            self._expect(index, INT, "a sequence index must be")
            return replace(expr, operand=operand, index=index, type=container.element)
        if container is not None:
            self.report(
                "SF301",
                f"'[...]' looks up a map or a sequence, but this is {container}",
                expr.span,
            )
        return replace(expr, operand=operand, index=index)

    # --- quantifiers and set filters ---

    def _bind(
        self, name: str, span: ast.Span, bound_type: Type | None, ctx: _Context
    ) -> _Context:
        """The context of a quantifier's body, with its variable bound."""
        self._check_generated_name(name, span)
        if self._is_value_name(name, ctx):
            self.report(
                "SF206",
                f"bound variable {name!r} shadows another name; choose a fresh one",
                span,
            )
        return replace(ctx, quantified={**ctx.quantified, name: bound_type or INT})

    def _domain(self, domain: ast.Expr, ctx: _Context, what: str) -> ast.Expr:
        checked = self.expr(domain, ctx)
        if checked.type is not None and _member_type(checked.type) is None:
            self.report(
                "SF301",
                f"{what} ranges over a set, a map's keys or a sequence, "
                f"got {checked.type}",
                domain.span,
            )
        return checked

    def _expr_Quantifier(
        self, expr: ast.Quantifier, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        result = replace(expr, type=BOOL)
        bound_type: Type | None = None
        if expr.domain is not None:
            domain = self._domain(expr.domain, ctx, f"'{expr.quantifier}'")
            bound_type = _member_type(domain.type) if domain.type else None
            result = replace(result, domain=domain)
        elif expr.low is not None and expr.high is not None:
            low = self._check_int(expr.low, replace(ctx, what="a range bound"))
            high = self._check_int(expr.high, replace(ctx, what="a range bound"))
            bound_type = INT
            result = replace(result, low=low, high=high)
        elif expr.type_expr is not None:
            bound_type = self._quantified_type(expr.type_expr)
        inner = self._bind(expr.variable, expr.variable_span, bound_type, ctx)
        body = self.expr(expr.body, inner)
        self._expect(body, BOOL, f"the body of '{expr.quantifier}' must be")
        return replace(result, body=body, variable_type=bound_type)

    def _quantified_type(self, type_expr: ast.TypeExpr) -> Type | None:
        found = self._resolve_type(type_expr)
        if isinstance(found, IdentityT | EnumT | BoolT):
            return found
        self.report(
            "SF318",
            f"a quantifier over a type ranges over an identity type, an enum or "
            f"Bool, not {found}; range over a set ('x in s') or an interval "
            "('i in lo..hi') instead",
            type_expr.span,
        )
        return None

    def _expr_SetFilter(
        self, expr: ast.SetFilter, ctx: _Context, expected: Type | None
    ) -> ast.Expr:
        domain = self.expr(expr.domain, ctx)
        bound_type: Type | None = None
        if isinstance(domain.type, SetT | MapT):
            bound_type = _member_type(domain.type)
        elif domain.type is not None:
            self.report(
                "SF301",
                f"a set filter ranges over a set or a map's keys, got {domain.type}",
                expr.domain.span,
            )
        inner = self._bind(expr.variable, expr.variable_span, bound_type, ctx)
        condition = self.expr(expr.condition, inner)
        self._expect(condition, BOOL, "a set filter's condition must be")
        found = SetT(bound_type) if bound_type is not None else None
        return replace(
            expr,
            domain=domain,
            condition=condition,
            variable_type=bound_type,
            type=found,
        )


def _needs_context(expr: ast.Expr) -> bool:
    """Return whether ``expr`` gets its type only from its context: ``{}``,
    ``[]``, ``none``, and expressions built only from those."""
    if isinstance(expr, ast.NoneLit):
        return True
    if isinstance(expr, ast.SetLit | ast.SeqLit):
        return not expr.elements or all(_needs_context(e) for e in expr.elements)
    if isinstance(expr, ast.IfThenElse):
        return _needs_context(expr.then) and _needs_context(expr.otherwise)
    if isinstance(expr, ast.Old):
        return _needs_context(expr.operand)
    if isinstance(expr, ast.Call) and expr.args:
        if expr.function in ("min", "max", "abs", "size"):
            return False
        return all(_needs_context(a) for a in expr.args)
    return False


def _member_type(container: Type) -> Type | None:
    """What ``x in c`` and a quantifier over ``c`` bind: elements or keys."""
    if isinstance(container, SetT | SeqT):
        return container.element
    if isinstance(container, MapT):
        return container.key
    return None


def _define_refs(expr: ast.Expr) -> set[str]:
    found: set[str] = set()
    stack: list[object] = [expr]
    while stack:
        node = stack.pop()
        if (
            isinstance(node, ast.Name)
            and node.ref
            and node.ref.kind is ast.RefKind.DEFINE
        ):
            found.add(node.id)
        for child in getattr(node, "__dataclass_fields__", {}):
            value = getattr(node, child)
            if isinstance(value, tuple):
                stack.extend(v for v in value if hasattr(v, "span"))
            elif hasattr(value, "span") and not isinstance(value, ast.Span):
                stack.append(value)
    return found


_Declared = TypeVar("_Declared", ast.Const, ast.Var, ast.Param)


def _typed(decl: _Declared, declared: Type) -> _Declared:
    """Set a declaration's type, and its written bounds to their checked form."""
    return replace(
        decl, type=declared, type_expr=_checked_bounds(decl.type_expr, declared)
    )


def _checked_bounds(type_expr: ast.TypeExpr, declared: Type) -> ast.TypeExpr:
    # The type keeps the checked bound expressions; the written type shows the
    # same ones, so that no unchecked expression stays in the checked tree.
    if not isinstance(type_expr, ast.IntTypeExpr) or not isinstance(declared, IntT):
        return type_expr
    if not declared.bounded:
        return type_expr
    return replace(type_expr, low=declared.low, high=declared.high)


def _plain(value_type: Type) -> Type:
    """Drop integer bounds: an expression's type is the plain type."""
    return INT if isinstance(value_type, IntT) else value_type


def _assigns_on_all_paths(body: tuple[ast.Stmt, ...], target: str) -> bool:
    for stmt in body:
        if isinstance(stmt, ast.Assign) and stmt.target == target:
            return True
        if isinstance(stmt, ast.If) and (
            _assigns_on_all_paths(stmt.then, target)
            and _assigns_on_all_paths(stmt.otherwise, target)
        ):
            return True
    return False


def _assigned_vars(body: tuple[ast.Stmt, ...]) -> set[str]:
    names: set[str] = set()
    for stmt in body:
        if isinstance(stmt, ast.Assign) and stmt.target != "result":
            names.add(stmt.target)
        elif isinstance(stmt, ast.If):
            names |= _assigned_vars(stmt.then) | _assigned_vars(stmt.otherwise)
    return names


def _generated_name_message(name: str) -> str:
    return (
        f"name {name!r} is reserved for generated code, which uses names "
        "starting with '_sf_' and dunder names; rename it"
    )


def assigned_vars(body: tuple[ast.Stmt, ...]) -> set[str]:
    """Return the state variables a block of statements may assign."""
    return _assigned_vars(body)


def check_spec(spec: ast.SpecFile) -> ast.SpecFile:
    """Resolve names and check types in every component of a parsed spec.

    Raises:
        SpecError: with every error found, in source order.
    """
    diagnostics: list[Diagnostic] = []
    if not spec.components:
        diagnostics.append(
            error(
                "SF106",
                "the file declares no component; start with 'component Name { ... }'",
                ast.Span(spec.path, 1, 1, 1, 1),
            )
        )
    seen: dict[str, ast.Span] = {}
    # Generated file names use the snake case of the component's name.
    file_stems: dict[str, ast.Component] = {}
    checked = []
    for component in spec.components:
        stem = snake_case(component.name)
        if component.name in seen:
            diagnostics.append(
                error(
                    "SF202",
                    f"duplicate component {component.name!r}; first declared at line "
                    f"{seen[component.name].line}",
                    component.span,
                )
            )
        elif stem in file_stems:
            other = file_stems[stem]
            diagnostics.append(
                error(
                    "SF212",
                    f"component {component.name!r} would generate the same files "
                    f"as component {other.name!r} (line {other.span.line}), such as "
                    f"'{stem}_model.py'; rename one so their snake-case names differ",
                    component.span,
                )
            )
        seen[component.name] = component.span
        file_stems.setdefault(stem, component)
        if is_generated_name(component.name):
            message = _generated_name_message(component.name)
            diagnostics.append(error("SF211", message, component.span))
        checked.append(_ComponentChecker(component, diagnostics).check())
    if diagnostics:
        raise SpecError(sorted(diagnostics, key=lambda d: (d.span.line, d.span.column)))
    log.debug("checked %s: %d components", spec.path, len(checked))
    return replace(spec, components=tuple(checked))


__all__ = ["BoolT", "EnumT", "IntT", "assigned_vars", "check_spec"]
