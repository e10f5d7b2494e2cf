"""Render the code of one component's reference model and contract test.

The templates contain the shape of each file. This module renders the parts
that come from the spec (statements, clauses, signatures, draws) into laid
out Python, one block per method, so that the templates stay readable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from codegen import layout
from codegen.bounds import Bounds, bounds_of, is_name, names_in, refers_to
from codegen.errors import GenerationError
from codegen.expr import (
    Scope,
    attribute_name,
    bool_op,
    local_name,
    ternary,
    translate,
)
from codegen.properties import CHECK as SAFETY_CHECK
from codegen.properties import has_safety, has_step_safety, safety_code
from codegen.python import Atom, Call, Keyword, PyExpr, Sequence, string
from spec_lang import ast
from spec_lang.names import is_generated_name, snake_case
from spec_lang.types import (
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
    contained_types,
)

# Names the generated model and test use for themselves at module level.
MODEL_GLOBALS = frozenset(
    {
        "BOOL",
        "INT",
        "ClassVar",
        "Coverage",
        "Iterator",
        "Mapping",
        "Parameter",
        "Requirement",
        "Signature",
        "SpecModel",
        "Variable",
        "annotations",
        "dataclasses",
        "enum_type",
        "sf",
    }
)

# Attributes of the runtime's ContractMachine and of Hypothesis's state
# machine that a rule must not replace. A rule with such a name gets a "_".
CONTRACT_RESERVED = frozenset(
    {
        "BINDING",
        "COMPONENT",
        "MODEL",
        "TestCase",
        "begin",
        "binding",
        "bundle",
        "check_invariants",
        "check_state",
        "conforms",
        "constant",
        "constants",
        "draw_bool",
        "draw_int",
        "draw_member",
        "enabled",
        "initialize_rules",
        "invariants",
        "model",
        "names_to_values",
        "rules",
        "start",
        "step",
        "teardown",
        "trace",
    }
)


def python_type(value_type: Type | None) -> str:
    """Return the annotation of a spec value: ``bool``, ``int``, ``str`` (enums),
    ``sf.Identity``, a record's dataclass, ``frozenset[...]``, ``sf.FrozenMap[...]``,
    ``tuple[..., ...]`` or ``... | None``."""
    if value_type is None:
        return "None"
    if isinstance(value_type, BoolT):
        return "bool"
    if isinstance(value_type, IntT):
        return "int"
    if isinstance(value_type, EnumT):
        return "str"
    if isinstance(value_type, IdentityT):
        return "sf.Identity"
    if isinstance(value_type, RecordT):
        return value_type.name
    if isinstance(value_type, SetT):
        return f"frozenset[{python_type(value_type.element)}]"
    if isinstance(value_type, MapT):
        key, item = python_type(value_type.key), python_type(value_type.value)
        return f"sf.FrozenMap[{key}, {item}]"
    if isinstance(value_type, SeqT):
        return f"tuple[{python_type(value_type.element)}, ...]"
    if isinstance(value_type, OptionT):
        return f"{python_type(value_type.element)} | None"
    raise GenerationError(f"code generation does not support the type {value_type}")


def enum_constant(name: str) -> str:
    """Return the module name of an enum's value type: ``MODE_TYPE`` for ``Mode``."""
    return snake_case(name).upper() + "_TYPE"


def value_type(spec_type: Type | None) -> PyExpr:
    """Build the runtime ``ValueType`` expression for a spec type."""
    if isinstance(spec_type, BoolT):
        return Atom("BOOL")
    if isinstance(spec_type, EnumT | IdentityT | RecordT):
        return Atom(enum_constant(spec_type.name))
    if isinstance(spec_type, IntT):
        return Atom("INT")
    if isinstance(spec_type, SetT | SeqT | OptionT):
        function = {SetT: "set_type", SeqT: "seq_type", OptionT: "option_type"}
        inner = value_type(spec_type.element)
        return Call(f"sf.{function[type(spec_type)]}", (inner,))
    if isinstance(spec_type, MapT):
        args = (value_type(spec_type.key), value_type(spec_type.value))
        return Call("sf.map_type", args)
    raise GenerationError(f"no runtime type for {spec_type}")


def is_structured(value_type: Type | None) -> bool:
    """Whether values of the type are identities, records, options or collections."""
    return value_type is not None and not isinstance(value_type, BoolT | IntT | EnumT)


SUPPORTED_TYPES = (
    "Bool, Int, Int[lo..hi], enums, identities, records, Set, Map, Seq and Option"
)


def check_types(component: ast.Component) -> None:
    """Reject components whose declarations use types the generator cannot carry yet.

    Raises:
        GenerationError: naming the first such declaration and where it is.
    """
    declared: list[tuple[str, ast.Span, Type | None]] = [
        *((f"constant {k.name}", k.span, k.type) for k in component.consts),
        *((f"variable {v.name}", v.span, v.type) for v in component.vars),
        *((f"define {d.name}", d.span, d.type) for d in component.defines),
    ]
    for op in component.operations:
        declared.extend(
            (f"parameter {p.name} of {op.name}", p.span, p.type) for p in op.params
        )
        if op.result_type is not None:
            declared.append((f"the result of {op.name}", op.span, op.result_type))
    for what, span, declared_type in declared:
        if declared_type is None:
            raise GenerationError(
                f"{span}: {component.name}: {what} has type {declared_type}; code "
                f"generation supports {SUPPORTED_TYPES} so far"
            )


def check_names(component: ast.Component) -> None:
    """Reject names that generated code cannot carry.

    Raises:
        GenerationError: for a ``_sf_`` or dunder name, or two spec names that
            become one Python attribute.
    """
    names = [
        *(c.name for c in component.consts),
        *(v.name for v in component.vars),
        *(d.name for d in component.defines),
        *(o.name for o in component.operations),
    ]
    seen: dict[str, str] = {}
    for name in names:
        if is_generated_name(name):
            raise GenerationError(
                f"{component.name}.{name}: names starting with '_sf_' and dunder "
                "names are reserved for generated code; rename it"
            )
        attribute = attribute_name(name)
        if attribute in seen:
            raise GenerationError(
                f"{component.name}: {seen[attribute]!r} and {name!r} would both be "
                f"the Python attribute {attribute!r}; rename one"
            )
        seen[attribute] = name
    _check_type_names(component)


def _check_type_names(component: ast.Component) -> None:
    """A record becomes a module-level class: it must not take another name."""
    taken = MODEL_GLOBALS | {f"{component.name}Model"}
    for record in component.records:
        if record.name in taken or record.name.startswith("_sf_"):
            raise GenerationError(
                f"{record.span}: {component.name}: record {record.name} would be a "
                "class whose name the generated model already uses; rename it"
            )


class Lines:
    """Accumulates laid out lines of one block of code."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, indent: int, text: str) -> None:
        self.lines.append(" " * indent + text)

    def statement(
        self, indent: int, prefix: str, expr: PyExpr, suffix: str = ""
    ) -> None:
        self.add(indent, layout.statement(prefix, expr, suffix, indent))

    def call(self, indent: int, function: str, *args: PyExpr | Keyword) -> None:
        self.add(indent, layout.call_statement(function, tuple(args), indent))

    def text(self) -> str:
        return "\n".join(self.lines)


def _tuple(items: Iterable[PyExpr]) -> Sequence:
    return Sequence(tuple(items), "tuple")


def _strings(names: Iterable[str]) -> Sequence:
    return _tuple(string(n) for n in names)


# --- statements -----------------------------------------------------------------


@dataclass
class _Locals:
    """The Python names of one method's parameters and ``let`` bindings."""

    owner: str
    taken: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)

    def bind(self, name: str, used: bool = True) -> str:
        python = local_name(name)
        if python in MODEL_GLOBALS or python in self.taken:
            python = f"{python}_"
        if not used:
            python = f"_{python}"
        if python in self.taken:
            raise GenerationError(
                f"{self.owner}: {name!r} would clash with another name as {python!r}; "
                "rename it"
            )
        self.taken.add(python)
        self.names[name] = python
        return python


def _statements(body: Iterable[ast.Stmt]) -> Iterator[ast.Stmt]:
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from _statements(stmt.then)
            yield from _statements(stmt.otherwise)


def _expressions(body: Iterable[ast.Stmt]) -> Iterator[ast.Expr]:
    for stmt in _statements(body):
        yield stmt.condition if isinstance(stmt, ast.If) else stmt.value


def bind_lets(body: tuple[ast.Stmt, ...], names: _Locals) -> None:
    read = {
        node.ref.name
        for expr in _expressions(body)
        for node in names_in(expr)
        if isinstance(node, ast.Name)
        and node.ref
        and node.ref.kind is ast.RefKind.LOCAL
    }
    for stmt in _statements(body):
        if isinstance(stmt, ast.Let):
            names.bind(stmt.name, used=stmt.name in read)


def emit_statements(
    body: tuple[ast.Stmt, ...], indent: int, lines: Lines, scope: Scope
) -> None:
    """Write an effect or init block as Python statements, in order."""
    if not body:
        lines.add(indent, "pass")
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            lines.statement(
                indent, f"{_target(stmt.target)} = ", translate(stmt.value, scope)
            )
        elif isinstance(stmt, ast.Let):
            name = scope.locals[stmt.name]
            lines.statement(indent, f"{name} = ", translate(stmt.value, scope))
        else:
            _emit_if(stmt, indent, lines, scope, "if")


def _target(target: str) -> str:
    return "result" if target == "result" else f"self.{attribute_name(target)}"


def _emit_if(stmt: ast.If, indent: int, lines: Lines, scope: Scope, word: str) -> None:
    condition = translate(stmt.condition, scope)
    then, otherwise = stmt.then, stmt.otherwise
    # A nested if without else is one if with both conditions, as linters ask.
    while not otherwise and len(then) == 1 and isinstance(then[0], ast.If):
        inner = then[0]
        if inner.otherwise:
            break
        condition = bool_op("and", condition, translate(inner.condition, scope))
        then = inner.then
    choice = _single_choice(then, otherwise) if word == "if" else None
    if choice is not None:
        target, value, other = choice
        chosen = ternary(translate(value, scope), condition, translate(other, scope))
        lines.statement(indent, f"{_target(target)} = ", chosen)
        return
    lines.statement(indent, f"{word} ", condition, ":")
    emit_statements(then, indent + 4, lines, scope)
    if len(otherwise) == 1 and isinstance(otherwise[0], ast.If):
        _emit_if(otherwise[0], indent, lines, scope, "elif")
    elif otherwise:
        lines.add(indent, "else:")
        emit_statements(otherwise, indent + 4, lines, scope)


def _single_choice(
    then: tuple[ast.Stmt, ...], otherwise: tuple[ast.Stmt, ...]
) -> tuple[str, ast.Expr, ast.Expr] | None:
    """``if c { x := a } else { x := b }`` is ``x = a if c else b``."""
    if len(then) != 1 or len(otherwise) != 1:
        return None
    first, second = then[0], otherwise[0]
    if (
        isinstance(first, ast.Assign)
        and isinstance(second, ast.Assign)
        and first.target == second.target
    ):
        return first.target, first.value, second.value
    return None


# --- operations -------------------------------------------------------------------


def uses_params(expr: ast.Expr) -> bool:
    return refers_to(expr, frozenset({ast.RefKind.PARAM}))


def uses_old(clauses: Iterable[ast.Clause]) -> bool:
    return any(isinstance(node, ast.Old) for c in clauses for node in names_in(c.expr))


_WORDS = {
    ast.OperationKind.OPERATION: "Operation",
    ast.OperationKind.QUERY: "Query",
    ast.OperationKind.ENVIRONMENT: "Environment action",
}


class OperationCode:
    """The model methods and the test rule of one operation, query or action."""

    def __init__(self, component: ast.Component, op: ast.Operation) -> None:
        self.component = component
        self.op = op
        self.method = attribute_name(op.name)
        self.owner = f"{component.name}.{op.name}"
        self.params = _Locals(self.owner, taken={"self", "pre", "result", "observed"})
        for param in op.params:
            self.params.bind(param.name)
        if op.effect is not None:
            bind_lets(op.effect, self.params)
        self.scope = Scope(state="self", locals=self.params.names)
        self.post_scope = Scope(state="self", old="pre", locals=self.params.names)

    @property
    def param_names(self) -> list[str]:
        return [self.params.names[p.name] for p in self.op.params]

    def _signature_args(self) -> list[PyExpr | Keyword]:
        args: list[PyExpr | Keyword] = [Atom("self")]
        for param in self.op.params:
            args.append(
                Atom(f"{self.params.names[param.name]}: {python_type(param.type)}")
            )
        if self.op.effect is None:
            args.append(Atom("*"))
            args.append(Atom("observed: Mapping[str, object]"))
            if self.op.result_type is not None:
                args.append(Atom("result: object = None"))
        return args

    def method_code(self) -> str:
        """Render the model method that performs the operation."""
        op = self.op
        lines = Lines()
        lines.add(4, self._def_line())
        lines.add(8, f'"""{self._docstring()}"""')

        enter = self._enter_call()
        if op.effect is None or uses_old(op.ensures) or has_step_safety(self.component):
            lines.statement(8, "pre = ", enter)
        else:
            lines.add(8, layout.statement("", enter, "", 8))

        if op.effect is None:
            self._adopt(lines)
        elif op.effect:
            emit_statements(op.effect, 8, lines, self.scope)
        self._checks(lines)

        if op.result_type is not None:
            lines.add(8, "return result")
        return lines.text()

    def _def_line(self) -> str:
        op = self.op
        if op.result_type is None:
            returns = "None"
        elif op.effect is None:
            returns = "object"  # whatever the implementation returned, checked
        else:
            returns = python_type(op.result_type)
        parameters = Call(self.method, tuple(self._signature_args()), parameters=True)
        return layout.statement("def ", parameters, f" -> {returns}:", 4)

    def _docstring(self) -> str:
        word = _WORDS[self.op.kind]
        if self.op.effect is None:
            return f"{word} {self.op.name}: adopts the observed post-state it checks."
        return f"{word} {self.op.name}."

    def _enter_call(self) -> Call:
        args: list[PyExpr | Keyword] = [
            string(self.op.name),
            _tuple(Atom(n) for n in self.param_names),
        ]
        if self.op.requires:
            args.append(
                Call(
                    f"self._sf_requires_{self.method}",
                    tuple(map(Atom, self.param_names)),
                )
            )
        return Call("self._sf_enter", tuple(args))

    def _adopt(self, lines: Lines) -> None:
        op = self.op
        if op.kind is ast.OperationKind.QUERY:
            may_change: PyExpr = _tuple(())
        elif op.modifies is None:
            may_change = Atom("None")
        else:
            may_change = _strings(op.modifies)
        lines.call(8, "self._sf_adopt", Atom("pre"), Atom("observed"), may_change)
        if op.result_type is not None:
            lines.call(
                8, "self._sf_check_result", Atom("result"), value_type(op.result_type)
            )

    def _checks(self, lines: Lines) -> None:
        op = self.op
        check_invariants = op.kind is not ast.OperationKind.QUERY or op.effect is None
        safety = has_safety(self.component)
        invariants = check_invariants and self.component.invariants
        if not op.ensures and not invariants and not safety:
            return
        lines.add(8, "if self._sf_checked:")
        for clause in op.ensures:
            args: list[PyExpr | Keyword] = [
                string(clause.id),
                translate(clause.expr, self.post_scope),
            ]
            if op.result_type is not None:
                args.append(Atom("result"))
            lines.call(12, "self._sf_ensure", *args)
        if check_invariants and self.component.invariants:
            lines.add(12, "self._sf_check_invariants()")
        if safety:
            pre = "pre" if has_step_safety(self.component) else "None"
            lines.add(12, f"self.{SAFETY_CHECK}({pre})")

    def requires_code(self) -> str | None:
        """Render the generator of the operation's requires, in order, or None."""
        return self._requirements(f"_sf_requires_{self.method}", self.op.requires, True)

    def enabled_code(self) -> str | None:
        """Render the caller obligations that do not depend on the arguments."""
        if not self.op.params:
            return None
        clauses = [
            c for c in self.op.requires if c.error is None and not uses_params(c.expr)
        ]
        return self._requirements(f"_sf_enabled_{self.method}", tuple(clauses), False)

    def _requirements(
        self, name: str, clauses: tuple[ast.Clause, ...], with_params: bool
    ) -> str | None:
        if not clauses:
            return None
        lines = Lines()
        args: list[PyExpr | Keyword] = [Atom("self")]
        if with_params:
            args.extend(
                Atom(f"{self.params.names[p.name]}: {python_type(p.type)}")
                for p in self.op.params
            )
        lines.add(
            4,
            layout.statement(
                "def ",
                Call(name, tuple(args), parameters=True),
                " -> Iterator[Requirement]:",
                4,
            ),
        )
        for clause in clauses:
            parts: list[PyExpr | Keyword] = [
                string(clause.id),
                translate(clause.expr, self.scope),
            ]
            if clause.error is not None:
                parts.append(string(clause.error))
            lines.statement(8, "yield ", Call("Requirement", tuple(parts)))
        return lines.text()

    def signature(self) -> PyExpr:
        """Build the runtime ``Signature`` of the operation."""
        op = self.op
        args: list[PyExpr | Keyword] = [
            string(op.name),
            string(self.method),
            string(op.kind.value),
        ]
        if op.params:
            params = [
                Call("Parameter", (string(p.name), value_type(p.type)))
                for p in op.params
            ]
            args.append(_tuple(params))
        if op.result_type is not None:
            args.append(Keyword("result", value_type(op.result_type)))
        if op.effect is None:
            args.append(Keyword("has_effect", Atom("False")))
            if op.modifies is not None:
                args.append(Keyword("modifies", _strings(op.modifies)))
        return Call("Signature", tuple(args))

    # --- the contract test rule ---

    def rule_code(self, rule_name: str) -> str:
        lines = Lines()
        lambda_ = Atom(f"lambda self: self.enabled({string(self.op.name).text})")
        lines.add(4, layout.statement("@", Call("precondition", (lambda_,)), "", 4))
        if self.op.params:
            lines.add(4, "@rule(data=data())")
            lines.add(4, f"def {rule_name}(self, data: DataObject) -> None:")
        else:
            lines.add(4, "@rule()")
            lines.add(4, f"def {rule_name}(self) -> None:")
        lines.add(8, f'"""{_WORDS[self.op.kind]} {self.op.name}."""')
        for param in self.op.params:
            lines.statement(8, f"{self.params.names[param.name]} = ", self._draw(param))
        step_args: list[PyExpr | Keyword] = [string(self.op.name)]
        step_args.extend(Atom(n) for n in self.param_names)
        lines.call(8, "self.step", *step_args)
        return lines.text()

    def _draw(self, param: ast.Param) -> PyExpr:
        name = string(param.name)
        if is_structured(param.type):
            # Identities come from the bundles, so steps reuse each other's.
            return Call("self.draw_param", (Atom("data"), string(self.op.name), name))
        if isinstance(param.type, BoolT):
            return Call("self.draw_bool", (Atom("data"), name))
        if isinstance(param.type, EnumT):
            return Call(
                "self.draw_member", (Atom("data"), name, _strings(param.type.members))
            )
        scope = Scope(state="self.model")
        usable = _state_expression
        subject = is_name(ast.RefKind.PARAM, param.name)
        strict = bounds_of(
            subject, (c for c in self.op.requires if c.error is None), usable, scope
        )
        loose = bounds_of(
            subject, (c for c in self.op.requires if c.error), usable, scope
        )
        args: list[PyExpr | Keyword] = [Atom("data"), name]
        args.extend(_bound_keywords(strict, ""))
        args.extend(_bound_keywords(loose, "error_"))
        return Call("self.draw_int", tuple(args))


def _state_expression(expr: ast.Expr) -> bool:
    """Return whether a bound can be evaluated before the call (no parameters)."""
    return not refers_to(expr, frozenset({ast.RefKind.PARAM, ast.RefKind.LOCAL}))


def _bound_keywords(bounds: Bounds, prefix: str) -> list[Keyword]:
    keywords = []
    if bounds.low:
        keywords.append(Keyword(f"{prefix}low", Sequence(tuple(bounds.low), "list")))
    if bounds.high:
        keywords.append(Keyword(f"{prefix}high", Sequence(tuple(bounds.high), "list")))
    return keywords


# --- the component ---------------------------------------------------------------


class ComponentCode:
    """All rendered parts of one component, for the two templates."""

    def __init__(self, component: ast.Component) -> None:
        check_types(component)
        check_names(component)
        self.component = component
        self.name = component.name
        self.snake = snake_case(component.name)
        self.model_class = f"{component.name}Model"
        self.contract_class = f"{component.name}Contract"
        self.operations = [OperationCode(component, op) for op in component.operations]

    # --- model ---

    def enum_types(self) -> list[str]:
        """Render the module-level types: enums, identities, then each record's
        frozen dataclass and type, records before the records that use them."""
        lines = Lines()
        for enum in self.component.enums:
            value = Call("enum_type", (string(enum.name), _strings(enum.members)))
            lines.statement(0, f"{enum_constant(enum.name)} = ", value)
        for identity in self.component.identities:
            value = Call("sf.identity_type", (string(identity.name),))
            lines.statement(0, f"{enum_constant(identity.name)} = ", value)
        for record in _records_in_order(self.component):
            lines.lines.extend(_record_lines(record))
        return lines.lines

    def class_attributes(self, spec_path: str) -> str:
        """Render the class attributes through which the runtime reads the spec."""
        c = self.component
        constants = [
            Call("Parameter", (string(k.name), value_type(k.type))) for k in c.consts
        ]
        variables = [
            Call(
                "Variable",
                (string(v.name), string(attribute_name(v.name)), value_type(v.type)),
            )
            for v in c.vars
        ]
        attributes: list[tuple[str, PyExpr]] = [
            ("_sf_component: ClassVar[str]", string(c.name)),
            ("_sf_spec: ClassVar[str]", string(spec_path)),
            ("_sf_constants: ClassVar[tuple[Parameter, ...]]", _tuple(constants)),
            ("_sf_variables: ClassVar[tuple[Variable, ...]]", _tuple(variables)),
            (
                "_sf_errors: ClassVar[tuple[str, ...]]",
                _strings(e.name for e in c.errors),
            ),
            (
                "_sf_operations: ClassVar[tuple[Signature, ...]]",
                _tuple(op.signature() for op in self.operations),
            ),
        ]
        lines = Lines()
        for target, value in attributes:
            lines.statement(4, f"{target} = ", value)
        return lines.text()

    def init_code(self) -> str:
        """Render ``__init__``: constants, their where clauses, then init."""
        c = self.component
        lines = Lines()
        lines.add(4, "def __init__(")
        for parameter in (
            "self,",
            "constants: Mapping[str, int],",
            "checked: bool = True,",
            "*,",
            "coverage: Coverage | None = None,",
        ):
            lines.add(8, parameter)
        lines.add(4, ") -> None:")
        lines.add(8, "super().__init__(constants, checked, coverage=coverage)")

        for const in c.consts:
            source = Atom(f"constants[{string(const.name).text}]")
            lines.statement(8, f"self.{attribute_name(const.name)} = ", source)
        scope = Scope(state="self")
        for const in c.consts:
            for clause in const.where:
                lines.call(
                    8,
                    "self._sf_where",
                    string(clause.id),
                    translate(clause.expr, scope),
                )

        if c.init is not None and c.init.body:
            names = _Locals(
                f"{c.name}.init", taken={"self", "constants", "checked", "coverage"}
            )
            bind_lets(c.init.body, names)
            emit_statements(
                c.init.body, 8, lines, Scope(state="self", locals=names.names)
            )
        if c.invariants or c.safety:
            lines.add(8, "if checked:")
        if c.invariants:
            lines.add(12, "self._sf_check_invariants()")
        if c.safety:
            lines.add(12, f"self.{SAFETY_CHECK}(None)")
        return lines.text()

    def define_codes(self) -> list[str]:
        codes = []
        for define in self.component.defines:
            lines = Lines()
            lines.add(4, "@property")
            getter = Call(attribute_name(define.name), (Atom("self"),), parameters=True)
            returns = f" -> {python_type(define.type)}:"
            lines.add(4, layout.statement("def ", getter, returns, 4))
            lines.add(8, f'"""Define {define.name}."""')
            lines.statement(8, "return ", translate(define.expr, Scope(state="self")))
            codes.append(lines.text())
        return codes

    def invariants_code(self) -> str | None:
        if not self.component.invariants:
            return None
        lines = Lines()
        lines.add(4, "def _sf_check_invariants(self) -> None:")
        for clause in self.component.invariants:
            lines.call(
                8,
                "self._sf_invariant",
                string(clause.id),
                translate(clause.expr, Scope()),
            )
        return lines.text()

    def model_methods(self, spec_path: str) -> list[str]:
        methods = [self.init_code(), *self.define_codes()]
        for op in self.operations:
            methods.append(op.method_code())
            for code in (op.requires_code(), op.enabled_code()):
                if code is not None:
                    methods.append(code)
        invariants = self.invariants_code()
        if invariants is not None:
            methods.append(invariants)
        safety = safety_code(self.component, self.model_class)
        if safety is not None:
            methods.append(safety)
        return methods

    def model_imports(self) -> list[str]:
        c = self.component
        runtime = {"Coverage", "Parameter", "SpecModel", "Variable", "Signature"}
        abc = {"Mapping"}
        types: list[Type | None] = [v.type for v in c.vars]
        types.extend(k.type for k in c.consts)
        for op in c.operations:
            types.extend(p.type for p in op.params)
            types.append(op.result_type)
            if op.requires:
                runtime.add("Requirement")
                abc.add("Iterator")
        # Structured types nest Bool and Int, and expressions build structured
        # values, so the imports follow from the rendered code itself.
        code = self._model_code()
        for name in ("BOOL", "INT"):
            if re.search(rf"\b{name}\b", code):
                runtime.add(name)
        if c.enums:
            runtime.add("enum_type")
        standard = []
        if "dataclasses." in code:
            standard.append("import dataclasses")
        lines = [
            *standard,
            import_line("collections.abc", abc),
            import_line("typing", {"ClassVar"}),
            "",
            import_line("specfirst.runtime", runtime),
        ]
        if re.search(r"\bsf\.", code):
            lines.append("from specfirst.runtime import values as sf")
        return lines

    def _model_code(self) -> str:
        """The rendered parts of the model that imports serve, for scanning."""
        return "\n".join(
            [*self.enum_types(), self.class_attributes(""), *self.model_methods("")]
        )

    # --- contract test ---

    def rule_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for op in self.operations:
            name = op.method
            while name in CONTRACT_RESERVED or name in names.values():
                name = f"{name}_"
            names[op.op.name] = name
        return names

    def identity_bundles(self) -> dict[str, str]:
        """The bundle attribute of each identity type that an argument draws."""
        found: dict[str, str] = {}
        for op in self.component.operations:
            for param in op.params:
                for inner in contained_types(param.type) if param.type else []:
                    if isinstance(inner, IdentityT) and inner.name not in found:
                        found[inner.name] = f"{snake_case(inner.name)}_identities"
        return found

    def _bundle_lines(self, lines: Lines) -> None:
        bundles = self.identity_bundles()
        if not bundles:
            return
        for type_name, attribute in bundles.items():
            lines.statement(4, f"{attribute} = ", Call("Bundle", (string(type_name),)))
        pairs = _tuple(_tuple((string(n), Atom(a))) for n, a in bundles.items())
        lines.statement(4, "IDENTITIES = ", pairs)
        lines.add(0, "")

    def identity_rule_codes(self, taken: Iterable[str]) -> list[str]:
        """For each identity type, an initialize rule that puts a first identity
        in its bundle (a draw from an empty bundle would discard the example)
        and a rule that adds more."""
        used = set(taken) | CONTRACT_RESERVED
        codes = []
        for type_name, attribute in self.identity_bundles().items():
            for decorator, verb, word in (
                ("initialize", "seed", "a first"),
                ("rule", "new", "another"),
            ):
                name = f"{verb}_{snake_case(type_name)}"
                while name in used:
                    name = f"{name}_"
                used.add(name)
                codes.append(
                    f"    @{decorator}(target={attribute})\n"
                    f"    def {name}(self) -> object:\n"
                    f'        """Create {word} {type_name} for steps to use."""\n'
                    f'        return self.new_identity("{type_name}")'
                )
        return codes

    def start_code(self) -> str:
        lines = Lines()
        self._bundle_lines(lines)
        lines.add(4, "@initialize(data=data())")
        lines.add(4, "def start(self, data: DataObject) -> None:")
        lines.add(
            8,
            '"""Choose the constants, then build the model and the implementation."""',
        )
        scope = Scope(state="self", constants='self.constants["{name}"]')
        earlier: set[str] = set()
        for const in self.component.consts:
            name = string(const.name)
            if is_structured(const.type):
                lines.call(8, "self.draw_constant", Atom("data"), name)
            elif isinstance(const.type, BoolT):
                values = _tuple((Atom("False"), Atom("True")))
                lines.call(8, "self.constant_of", Atom("data"), name, values)
            elif isinstance(const.type, EnumT):
                values = _strings(const.type.members)
                lines.call(8, "self.constant_of", Atom("data"), name, values)
            else:
                usable = _constants_among(frozenset(earlier))
                subject = is_name(ast.RefKind.CONST, const.name)
                found = bounds_of(subject, const.where, usable, scope)
                args: list[PyExpr | Keyword] = [Atom("data"), name]
                args.extend(_bound_keywords(found, ""))
                lines.call(8, "self.constant", *args)
            earlier.add(const.name)
        lines.add(8, "self.begin()")
        return lines.text()

    def rule_codes(self) -> list[str]:
        names = self.rule_names()
        if not self.operations:
            # Hypothesis needs a rule. With none to run, the test checks the
            # initial state against the model and the invariants.
            return [
                "    @rule()\n"
                "    def stay(self) -> None:\n"
                '        """The component has no operations: nothing changes."""'
            ]
        rules = [op.rule_code(names[op.op.name]) for op in self.operations]
        return [*rules, *self.identity_rule_codes(names.values())]

    def test_imports(self) -> str:
        names = {"ContractMachine", "DataObject", "data", "initialize", "invariant"}
        names |= {"rule", "run_contract"}
        if self.operations:
            names.add("precondition")
        if self.identity_bundles():
            names.add("Bundle")
        return import_line("specfirst.runtime", names)


def _constants_among(allowed: frozenset[str]) -> Callable[[ast.Expr], bool]:
    """Bounds of a constant may use literals and the constants drawn before it."""

    def usable(expr: ast.Expr) -> bool:
        for node in names_in(expr):
            if isinstance(node, ast.Old | ast.ResultRef):
                return False
            if isinstance(node, ast.Name):
                ref = node.ref
                if (
                    ref is None
                    or ref.kind is not ast.RefKind.CONST
                    or ref.name not in allowed
                ):
                    return False
        return True

    return usable


def _records_in_order(component: ast.Component) -> list[ast.RecordDecl]:
    """The records, each after the records its fields use (the checker forbids
    cycles)."""
    by_name = {r.name: r for r in component.records}
    done: list[ast.RecordDecl] = []
    placed: set[str] = set()

    def place(record: ast.RecordDecl) -> None:
        if record.name in placed:
            return
        placed.add(record.name)
        for field_decl in record.fields:
            for inner in contained_types(field_decl.type) if field_decl.type else []:
                if isinstance(inner, RecordT) and inner.name in by_name:
                    place(by_name[inner.name])
        done.append(record)

    for record in component.records:
        place(record)
    return done


def _record_lines(record: ast.RecordDecl) -> list[str]:
    """A record's frozen dataclass and its runtime type, after two blank lines."""
    lines = Lines()
    lines.lines.extend(["", ""])
    lines.add(0, "@dataclasses.dataclass(frozen=True)")
    lines.add(0, f"class {record.name}:")
    lines.add(4, f'"""Record {record.name}."""')
    lines.add(0, "")
    for field_decl in record.fields:
        lines.add(
            4, f"{attribute_name(field_decl.name)}: {python_type(field_decl.type)}"
        )
    lines.lines.extend(["", ""])
    fields = _tuple(_tuple((string(f.name), value_type(f.type))) for f in record.fields)
    value = Call("sf.record_type", (Atom(record.name), fields))
    lines.statement(0, f"{enum_constant(record.name)} = ", value)
    return lines.lines


def import_line(module: str, names: Iterable[str]) -> str:
    """``from module import a, b`` in isort's order (constants, classes, the rest)."""
    ordered = sorted(set(names), key=_import_order)
    flat = f"from {module} import {', '.join(ordered)}"
    if len(flat) <= layout.LINE_WIDTH:
        return flat
    body = "".join(f"    {name},\n" for name in ordered)
    return f"from {module} import (\n{body})"


def _import_order(name: str) -> tuple[int, str]:
    if name.isupper():
        return 0, name
    if name[:1].isupper():
        return 1, name
    return 2, name


__all__ = ["CONTRACT_RESERVED", "ComponentCode", "GenerationError", "snake_case"]
