"""Encode checked expressions as Z3 terms.

Arithmetic follows Python, not SMT-LIB: ``/`` is floor division and ``%``
takes the sign of the divisor. SMT-LIB's ``div`` is Euclidean (the remainder
is never negative), which agrees with floor division only for a positive
divisor, so a negative divisor is flipped onto the positive side:
``a / b == If(b > 0, a div b, (-a) div (-b))`` and ``a % b == a - b * (a / b)``.

Every partial operation the encoder meets (``/``, ``%``, ``m[k]``, ``q[i]``,
``first``, ``last``, ``value``) is recorded as a ``PartialSite`` with the
condition that makes it defined and the path condition under which it is
evaluated, so the catalog can ask whether it can be undefined there.

Structured values follow ``verifier.vocabulary``. A quantifier binds a fresh
constant ``bound!x!n`` and abstracts it, so a site inside the body keeps the
constant free: the ``defined`` query then asks for some element at which the
body is undefined. Quantifiers over an enum or ``Bool`` are expanded into a
conjunction or disjunction, which keeps them exact.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import z3

from spec_lang import ast
from spec_lang.types import (
    BoolT,
    EnumT,
    MapT,
    OptionT,
    RecordT,
    SeqT,
    SetT,
    Type,
)
from verifier.vocabulary import EncodingError, SequenceSort, Vocabulary

Path = tuple[z3.BoolRef, ...]

# Why an encoding is incomplete, as the obligation's ``incomplete`` names it.
SIZES = "sizes of sets or maps are axiomatised by facts about their terms"
QUANTIFIERS = "z3 decides quantifiers by instantiation, which is incomplete"
SEQUENCES = (
    "a sequence is an array, free past its length inside other values, where "
    "equality compares those positions too"
)
LAMBDAS = "a set filter or a map's domain is a lambda term, decided by instantiation"


@dataclass(frozen=True)
class Scope:
    """The meaning of each name at the point where an expression is evaluated.

    ``state`` is the current state: the post-state in an ensures, the
    pre-state in a requires, the latest assignments inside an effect.
    ``old`` is the pre-state, only in an ensures. ``bound`` maps the
    variables of the quantifiers around the expression to their constants.
    """

    constants: Mapping[str, z3.ExprRef]
    state: Mapping[str, z3.ExprRef]
    old: Mapping[str, z3.ExprRef] | None = None
    arguments: Mapping[str, z3.ExprRef] = field(default_factory=dict)
    locals: Mapping[str, z3.ExprRef] = field(default_factory=dict)
    result: z3.ExprRef | None = None
    bound: Mapping[str, z3.ExprRef] = field(default_factory=dict)


@dataclass(frozen=True)
class PartialSite:
    """A partial operation, the condition that makes it defined, and the path
    condition under which it is evaluated."""

    span: ast.Span
    defined: z3.BoolRef
    condition: Path
    what: str  # for messages: "the divisor is not zero", ...


def floor_div(a: z3.ArithRef, b: z3.ArithRef) -> z3.ArithRef:
    return z3.If(b > 0, a / b, (-a) / (-b))


def python_mod(a: z3.ArithRef, b: z3.ArithRef) -> z3.ArithRef:
    return a - b * floor_div(a, b)


def conjunction(vocab: Vocabulary, terms: Path) -> z3.BoolRef:
    if not terms:
        return vocab.true()
    if len(terms) == 1:
        return terms[0]
    return z3.And(*terms)


def _typed(expr: ast.Expr) -> Type:
    if expr.type is None:
        raise EncodingError(
            f"{expr.span}: expression has no type; is the spec checked?"
        )
    return expr.type


class ExprEncoder:
    """Encoder of one component's expressions, collecting partial sites as it goes.

    ``incomplete`` collects the reasons (``SIZES``, ``QUANTIFIERS``,
    ``LAMBDAS``) why the terms built so far leave Z3 incomplete.
    """

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.defines = {d.name: d for d in vocab.component.defines}
        self.sites: list[PartialSite] = []
        self.incomplete: set[str] = set()
        self._expanding: list[str] = []
        self._fresh = 0
        self._domains: dict[int, z3.ArrayRef] = {}
        # Each map domain built, by the id of its lambda term: the map it reads.
        self.domain_maps: dict[int, tuple[z3.ArrayRef, Type, Type]] = {}

    def encode(self, expr: ast.Expr, scope: Scope, path: Path = ()) -> z3.ExprRef:
        handler = _HANDLERS.get(type(expr))
        if handler is None:
            raise EncodingError(
                f"no encoding for expression node {type(expr).__name__}"
            )
        return handler(self, expr, scope, path)

    def _site(self, span: ast.Span, defined: z3.BoolRef, path: Path, what: str) -> None:
        self.sites.append(PartialSite(span, defined, path, what))

    def fresh(self, name: str, sort: z3.SortRef) -> z3.ExprRef:
        """A constant for a bound variable, numbered so that names never clash."""
        self._fresh += 1
        return z3.Const(f"bound!{name}!{self._fresh}", sort)

    # --- atoms ---

    def _int(self, expr: ast.IntLit, scope: Scope, path: Path) -> z3.ExprRef:
        return self.vocab.int(expr.value)

    def _bool(self, expr: ast.BoolLit, scope: Scope, path: Path) -> z3.ExprRef:
        return self.vocab.bool(expr.value)

    def _result(self, expr: ast.ResultRef, scope: Scope, path: Path) -> z3.ExprRef:
        if scope.result is None:
            raise EncodingError(f"{expr.span}: result read where there is none")
        return scope.result

    def _qualified(self, expr: ast.Qualified, scope: Scope, path: Path) -> z3.ExprRef:
        return self.vocab.member(expr.qualifier, expr.member)

    def _name(self, expr: ast.Name, scope: Scope, path: Path) -> z3.ExprRef:
        ref = expr.ref
        if ref is None:
            raise EncodingError(f"{expr.span}: name {expr.id!r} is not resolved")
        if ref.kind is ast.RefKind.ENUM_MEMBER:
            return self.vocab.member(ref.owner, ref.name)
        if ref.kind is ast.RefKind.DEFINE:
            return self._define(ref.name, expr.span, scope, path)
        table = {
            ast.RefKind.CONST: scope.constants,
            ast.RefKind.VAR: scope.state,
            ast.RefKind.PARAM: scope.arguments,
            ast.RefKind.LOCAL: scope.locals,
            ast.RefKind.BOUND: scope.bound,
        }[ref.kind]
        if ref.name not in table:
            kind = ref.kind.value
            raise EncodingError(f"{expr.span}: {kind} {ref.name!r} has no value here")
        return table[ref.name]

    def _define(
        self, name: str, span: ast.Span, scope: Scope, path: Path
    ) -> z3.ExprRef:
        # A define is inlined and so read in the scope's current state: the
        # post-state in an ensures, the pre-state under old(). The variables
        # of quantifiers around its use are not visible in it.
        if name not in self.defines:
            raise EncodingError(f"{span}: unknown define {name!r}")
        if name in self._expanding:
            raise EncodingError(f"{span}: define {name!r} refers to itself")
        self._expanding.append(name)
        try:
            return self.encode(self.defines[name].expr, replace(scope, bound={}), path)
        finally:
            self._expanding.pop()

    # --- compound expressions ---

    def _old(self, expr: ast.Old, scope: Scope, path: Path) -> z3.ExprRef:
        if scope.old is None:
            raise EncodingError(f"{expr.span}: old() where there is no pre-state")
        return self.encode(expr.operand, replace(scope, state=scope.old), path)

    def _unary(self, expr: ast.Unary, scope: Scope, path: Path) -> z3.ExprRef:
        operand = self.encode(expr.operand, scope, path)
        if expr.op == "not":
            return z3.Not(operand)
        if expr.op == "-":
            return -operand
        raise EncodingError(f"{expr.span}: unknown unary operator {expr.op!r}")

    def _if(self, expr: ast.IfThenElse, scope: Scope, path: Path) -> z3.ExprRef:
        condition = self.encode(expr.condition, scope, path)
        then = self.encode(expr.then, scope, (*path, condition))
        otherwise = self.encode(expr.otherwise, scope, (*path, z3.Not(condition)))
        return z3.If(condition, then, otherwise)

    def _binary(self, expr: ast.Binary, scope: Scope, path: Path) -> z3.ExprRef:
        if expr.op in ("in", "not in"):
            element = self.encode(expr.left, scope, path)
            found = self.membership(expr.right, element, scope, path)
            return found if expr.op == "in" else z3.Not(found)
        left = self.encode(expr.left, scope, path)
        # The right operand of a connective is evaluated only when the left
        # one leaves the value open, so its partial sites are guarded by the left.
        guard = _RIGHT_GUARDS.get(expr.op)
        right_path = path if guard is None else (*path, guard(left))
        right = self.encode(expr.right, scope, right_path)
        if expr.op in ("/", "%"):
            self._site(expr.span, right != 0, path, "the divisor is not zero")
        if expr.op in ("==", "!=") and isinstance(expr.left.type, SeqT):
            same = self.same_sequence(left, right, expr.left.type)
            return same if expr.op == "==" else z3.Not(same)
        operator = _BINARY.get(expr.op)
        if operator is None:
            raise EncodingError(f"{expr.span}: unknown binary operator {expr.op!r}")
        return operator(left, right)

    # --- collections ---

    def membership(
        self, collection: ast.Expr, element: z3.ExprRef, scope: Scope, path: Path
    ) -> z3.BoolRef:
        """``element in collection``: a set's element, a map's key, a sequence's."""
        if isinstance(collection, ast.Call) and collection.function == "domain":
            table = self.encode(collection.args[0], scope, path)
            value_type = _map_type(collection.args[0]).value
            return self.vocab.option(value_type).is_some(z3.Select(table, element))
        if isinstance(collection, ast.SetFilter):
            inside = self.membership(collection.domain, element, scope, path)
            inner = replace(scope, bound={**scope.bound, collection.variable: element})
            condition = self.encode(collection.condition, inner, (*path, inside))
            return z3.And(inside, condition)
        container = self.encode(collection, scope, path)
        kind = _typed(collection)
        if isinstance(kind, SetT):
            return z3.Select(container, element)
        if isinstance(kind, MapT):
            return self.vocab.option(kind.value).is_some(z3.Select(container, element))
        if isinstance(kind, SeqT):
            return self._in_sequence(container, kind, element)
        raise EncodingError(f"{collection.span}: membership in {kind}")

    def _in_sequence(
        self, sequence: z3.ExprRef, kind: SeqT, element: z3.ExprRef
    ) -> z3.BoolRef:
        seq = self.vocab.sequence(kind.element)
        position = self.fresh("position", z3.IntSort(ctx=self.vocab.ctx))
        inside = z3.And(position >= 0, position < seq.length(sequence))
        self.incomplete.add(QUANTIFIERS)
        return z3.Exists(
            [position], z3.And(inside, seq.items(sequence)[position] == element)
        )

    def _none(self, expr: ast.NoneLit, scope: Scope, path: Path) -> z3.ExprRef:
        kind = _typed(expr)
        if not isinstance(kind, OptionT):
            raise EncodingError(f"{expr.span}: none of type {kind}")
        return self.vocab.option(kind.element).none

    def _set_lit(self, expr: ast.SetLit, scope: Scope, path: Path) -> z3.ExprRef:
        kind = _typed(expr)
        if not isinstance(kind, SetT):
            raise EncodingError(f"{expr.span}: set literal of type {kind}")
        result: z3.ExprRef = self.vocab.empty_set(kind.element)
        for element in expr.elements:
            result = z3.Store(result, self.encode(element, scope, path), True)
        return result

    def _map_lit(self, expr: ast.MapLit, scope: Scope, path: Path) -> z3.ExprRef:
        kind = _typed(expr)
        if not isinstance(kind, MapT):
            raise EncodingError(f"{expr.span}: map literal of type {kind}")
        option = self.vocab.option(kind.value)
        result: z3.ExprRef = self.vocab.empty_map(kind.key, kind.value)
        for entry in expr.entries:
            key = self.encode(entry.key, scope, path)
            value = self.encode(entry.value, scope, path)
            result = z3.Store(result, key, option.some(value))
        return result

    def _seq_lit(self, expr: ast.SeqLit, scope: Scope, path: Path) -> z3.ExprRef:
        kind = _typed(expr)
        if not isinstance(kind, SeqT):
            raise EncodingError(f"{expr.span}: sequence literal of type {kind}")
        seq = self.vocab.sequence(kind.element)
        items: z3.ExprRef = z3.K(z3.IntSort(ctx=self.vocab.ctx), seq.filler)
        for position, element in enumerate(expr.elements):
            items = z3.Store(items, position, self.encode(element, scope, path))
        return seq.make(len(expr.elements), items)

    def _index(self, expr: ast.Index, scope: Scope, path: Path) -> z3.ExprRef:
        container = self.encode(expr.operand, scope, path)
        index = self.encode(expr.index, scope, path)
        kind = _typed(expr.operand)
        if isinstance(kind, MapT):
            option = self.vocab.option(kind.value)
            entry = z3.Select(container, index)
            self._site(expr.span, option.is_some(entry), path, "the key is in the map")
            return option.value(entry)
        if isinstance(kind, SeqT):
            seq = self.vocab.sequence(kind.element)
            inside = z3.And(index >= 0, index < seq.length(container))
            self._site(expr.span, inside, path, "the index is within the sequence")
            return seq.items(container)[index]
        raise EncodingError(f"{expr.span}: indexing a {kind}")

    # --- records ---

    def _record_lit(self, expr: ast.RecordLit, scope: Scope, path: Path) -> z3.ExprRef:
        record = self.vocab.record(expr.record)
        given = {f.name: self.encode(f.value, scope, path) for f in expr.fields}
        missing = [f for f in record.fields if f not in given]
        if missing:
            raise EncodingError(f"{expr.span}: record without {', '.join(missing)}")
        return record.constructor(*(given[f] for f in record.fields))

    def _field(self, expr: ast.Field, scope: Scope, path: Path) -> z3.ExprRef:
        operand = self.encode(expr.operand, scope, path)
        record = self.vocab.record(_record_name(expr.operand))
        return record.accessors[expr.name](operand)

    def _with(self, expr: ast.With, scope: Scope, path: Path) -> z3.ExprRef:
        operand = self.encode(expr.operand, scope, path)
        record = self.vocab.record(_record_name(expr.operand))
        given = {f.name: self.encode(f.value, scope, path) for f in expr.fields}
        values = [given.get(f, record.accessors[f](operand)) for f in record.fields]
        return record.constructor(*values)

    # --- quantifiers and set filters ---

    def _quantifier(self, expr: ast.Quantifier, scope: Scope, path: Path) -> z3.ExprRef:
        bound_type = expr.variable_type
        if bound_type is None:
            raise EncodingError(f"{expr.span}: quantifier variable has no type")
        if expr.type_expr is not None and isinstance(bound_type, EnumT | BoolT):
            return self._expanded(expr, bound_type, scope, path)
        if expr.domain is not None and isinstance(_typed(expr.domain), SeqT):
            return self._over_sequence(expr, scope, path)
        variable = self.fresh(expr.variable, self.vocab.sort(bound_type))
        if expr.domain is not None:
            guard = self.membership(expr.domain, variable, scope, path)
        elif expr.low is not None and expr.high is not None:
            low = self.encode(expr.low, scope, path)
            high = self.encode(expr.high, scope, path)
            guard = z3.And(low <= variable, variable <= high)
        else:
            guard = self.vocab.true()
        inner = replace(scope, bound={**scope.bound, expr.variable: variable})
        body = self.encode(expr.body, inner, (*path, guard))
        self.incomplete.add(QUANTIFIERS)
        if expr.quantifier == "forall":
            return z3.ForAll([variable], z3.Implies(guard, body))
        return z3.Exists([variable], z3.And(guard, body))

    def _over_sequence(
        self, expr: ast.Quantifier, scope: Scope, path: Path
    ) -> z3.ExprRef:
        assert expr.domain is not None
        kind = _typed(expr.domain)
        assert isinstance(kind, SeqT)
        seq = self.vocab.sequence(kind.element)
        sequence = self.encode(expr.domain, scope, path)
        position = self.fresh(f"{expr.variable}_index", z3.IntSort(ctx=self.vocab.ctx))
        guard = z3.And(position >= 0, position < seq.length(sequence))
        element = seq.items(sequence)[position]
        inner = replace(scope, bound={**scope.bound, expr.variable: element})
        body = self.encode(expr.body, inner, (*path, guard))
        self.incomplete.add(QUANTIFIERS)
        if expr.quantifier == "forall":
            return z3.ForAll([position], z3.Implies(guard, body))
        return z3.Exists([position], z3.And(guard, body))

    def _expanded(
        self, expr: ast.Quantifier, bound_type: EnumT | BoolT, scope: Scope, path: Path
    ) -> z3.ExprRef:
        values = self.vocab.universe(bound_type) or []
        parts = []
        for value in values:
            inner = replace(scope, bound={**scope.bound, expr.variable: value})
            parts.append(self.encode(expr.body, inner, path))
        return z3.And(*parts) if expr.quantifier == "forall" else z3.Or(*parts)

    def _set_filter(self, expr: ast.SetFilter, scope: Scope, path: Path) -> z3.ExprRef:
        if expr.variable_type is None:
            raise EncodingError(f"{expr.span}: set filter variable has no type")
        variable = self.fresh(expr.variable, self.vocab.sort(expr.variable_type))
        inside = self.membership(expr.domain, variable, scope, path)
        inner = replace(scope, bound={**scope.bound, expr.variable: variable})
        condition = self.encode(expr.condition, inner, (*path, inside))
        self.incomplete.add(LAMBDAS)
        return z3.Lambda([variable], z3.And(inside, condition))

    def domain(self, table: z3.ArrayRef, key: Type, value: Type) -> z3.ArrayRef:
        """The keys of a map, as a set; one term per map, so facts can find it."""
        cached = self._domains.get(table.get_id())
        if cached is not None:
            return cached
        variable = self.fresh("key", self.vocab.sort(key))
        option = self.vocab.option(value)
        keys = z3.Lambda([variable], option.is_some(z3.Select(table, variable)))
        self._domains[table.get_id()] = keys
        self.domain_maps[keys.get_id()] = (table, key, value)
        self.incomplete.add(LAMBDAS)
        return keys

    def size(self, container: z3.ExprRef, kind: Type) -> z3.ArithRef:
        """The size of a set, a map or a sequence."""
        if isinstance(kind, SeqT):
            length: z3.ArithRef = self.vocab.sequence(kind.element).length(container)
            return length
        if isinstance(kind, MapT):
            return self._map_size(container, kind)
        if isinstance(kind, SetT):
            return self._set_size(container, kind.element)
        raise EncodingError(f"size of a {kind}")

    def _map_size(self, table: z3.ArrayRef, kind: MapT) -> z3.ArithRef:
        # A map's size is its own function rather than the size of its keys
        # as a lambda set: ``post!m == put(pre!m, k, v)`` then carries over to
        # the sizes by congruence, which a lambda over ``post!m`` would not.
        values = self.vocab.universe(kind.key)
        option = self.vocab.option(kind.value)
        if values is not None:
            present = [z3.If(option.is_some(z3.Select(table, v)), 1, 0) for v in values]
            return z3.Sum(present)
        self.incomplete.add(SIZES)
        return self.vocab.map_card(kind.key, kind.value)(table)

    def _set_size(self, items: z3.ArrayRef, element: Type) -> z3.ArithRef:
        # A set over finitely many values (an enum, or identities in a bounded
        # vocabulary) has its exact size as a sum; other sizes are a function
        # that only the facts of verifier.cardinality constrain.
        values = self.vocab.universe(element)
        if values is not None:
            return z3.Sum([z3.If(z3.Select(items, v), 1, 0) for v in values])
        self.incomplete.add(SIZES)
        return self.vocab.card(element)(items)

    # --- calls of built-in functions ---

    def _call(self, expr: ast.Call, scope: Scope, path: Path) -> z3.ExprRef:
        argument = expr.args[0] if expr.args else None
        if (
            expr.function == "size"
            and isinstance(argument, ast.Call)
            and argument.function == "domain"
        ):
            # size(domain(m)) is size(m), without building the lambda.
            table = self.encode(argument.args[0], scope, path)
            return self.size(table, _map_type(argument.args[0]))
        if expr.function == "domain":
            table = self.encode(expr.args[0], scope, path)
            kind = _map_type(expr.args[0])
            return self.domain(table, kind.key, kind.value)
        args = [self.encode(a, scope, path) for a in expr.args]
        handler = _CALLS.get(expr.function)
        if handler is None:
            raise EncodingError(
                f"{expr.span}: unknown function {expr.function}/{len(args)}"
            )
        return handler(self, expr, args, path)

    def _size_call(
        self, expr: ast.Call, args: list[z3.ExprRef], path: Path
    ) -> z3.ExprRef:
        return self.size(args[0], _typed(expr.args[0]))

    def _get(self, expr: ast.Call, args: list[z3.ExprRef], path: Path) -> z3.ExprRef:
        option = self.vocab.option(_map_type(expr.args[0]).value)
        entry = z3.Select(args[0], args[1])
        return z3.If(option.is_some(entry), option.value(entry), args[2])

    def _put(self, expr: ast.Call, args: list[z3.ExprRef], path: Path) -> z3.ExprRef:
        option = self.vocab.option(_map_type(expr.args[0]).value)
        return z3.Store(args[0], args[1], option.some(args[2]))

    def _delete(self, expr: ast.Call, args: list[z3.ExprRef], path: Path) -> z3.ExprRef:
        option = self.vocab.option(_map_type(expr.args[0]).value)
        return z3.Store(args[0], args[1], option.none)

    def same_sequence(
        self, left: z3.ExprRef, right: z3.ExprRef, kind: SeqT
    ) -> z3.BoolRef:
        """Compare two sequences as the spec does: same length, same positions below it.

        Two sequences the encoding builds are equal as terms exactly then,
        but an input sequence may hold anything past its length, so a spec
        comparison looks only at the positions that count.
        """
        seq = self.vocab.sequence(kind.element)
        return z3.And(
            seq.length(left) == seq.length(right),
            self._visible(left, seq) == self._visible(right, seq),
        )

    def _visible(self, sequence: z3.ExprRef, seq: SequenceSort) -> z3.ExprRef:
        position = self.fresh("position", z3.IntSort(ctx=self.vocab.ctx))
        inside = z3.And(position >= 0, position < seq.length(sequence))
        self.incomplete.add(LAMBDAS)
        return z3.Lambda(
            [position], z3.If(inside, seq.items(sequence)[position], seq.filler)
        )

    def _sequence_of(self, expr: ast.Expr) -> SequenceSort:
        kind = _typed(expr)
        if not isinstance(kind, SeqT):
            raise EncodingError(f"{expr.span}: expected a sequence, got {kind}")
        return self.vocab.sequence(kind.element)

    def _append(self, expr: ast.Call, args: list[z3.ExprRef], path: Path) -> z3.ExprRef:
        seq = self._sequence_of(expr.args[0])
        sequence, element = args
        length = seq.length(sequence)
        return seq.make(length + 1, z3.Store(seq.items(sequence), length, element))

    def _first(self, expr: ast.Call, args: list[z3.ExprRef], path: Path) -> z3.ExprRef:
        seq = self._sequence_of(expr.args[0])
        sequence = args[0]
        nonempty = seq.length(sequence) > 0
        self._site(expr.span, nonempty, path, "the sequence is not empty")
        return seq.items(sequence)[0]

    def _last(self, expr: ast.Call, args: list[z3.ExprRef], path: Path) -> z3.ExprRef:
        seq = self._sequence_of(expr.args[0])
        sequence = args[0]
        length = seq.length(sequence)
        self._site(expr.span, length > 0, path, "the sequence is not empty")
        return seq.items(sequence)[length - 1]

    def _rest(self, expr: ast.Call, args: list[z3.ExprRef], path: Path) -> z3.ExprRef:
        # Shifted left by one position, with the filler past the new end, so
        # rest([]) is [].
        seq = self._sequence_of(expr.args[0])
        sequence = args[0]
        length = seq.length(sequence)
        items = seq.items(sequence)
        position = self.fresh("position", z3.IntSort(ctx=self.vocab.ctx))
        inside = z3.And(position >= 0, position < length - 1)
        shifted = z3.Lambda([position], z3.If(inside, items[position + 1], seq.filler))
        self.incomplete.add(LAMBDAS)
        return seq.make(z3.If(length > 0, length - 1, 0), shifted)

    def _option_call(
        self, expr: ast.Call, args: list[z3.ExprRef], path: Path
    ) -> z3.ExprRef:
        kind = _typed(expr) if expr.function == "some" else _typed(expr.args[0])
        if not isinstance(kind, OptionT):
            raise EncodingError(f"{expr.span}: {expr.function} of a {kind}")
        option = self.vocab.option(kind.element)
        if expr.function == "some":
            return option.some(args[0])
        if expr.function == "is_some":
            return option.is_some(args[0])
        if expr.function == "is_none":
            return z3.Not(option.is_some(args[0]))
        self._site(expr.span, option.is_some(args[0]), path, "the option is some")
        return option.value(args[0])


def _map_type(expr: ast.Expr) -> MapT:
    kind = _typed(expr)
    if not isinstance(kind, MapT):
        raise EncodingError(f"{expr.span}: expected a map, got {kind}")
    return kind


def _record_name(expr: ast.Expr) -> str:
    kind = _typed(expr)
    if not isinstance(kind, RecordT):
        raise EncodingError(f"{expr.span}: expected a record, got {kind}")
    return kind.name


def _min(a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
    return z3.If(a <= b, a, b)


def _max(a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
    return z3.If(a >= b, a, b)


def _pure(
    function: Callable[..., z3.ExprRef],
) -> Callable[[ExprEncoder, ast.Call, list[z3.ExprRef], Path], z3.ExprRef]:
    """A call handler for a total function of the encoded arguments."""

    def handler(
        encoder: ExprEncoder, expr: ast.Call, args: list[z3.ExprRef], path: Path
    ) -> z3.ExprRef:
        return function(*args)

    return handler


_CALLS: dict[
    str, Callable[[ExprEncoder, ast.Call, list[z3.ExprRef], Path], z3.ExprRef]
] = {
    "min": _pure(_min),
    "max": _pure(_max),
    "abs": _pure(lambda a: z3.If(a >= 0, a, -a)),
    "size": ExprEncoder._size_call,
    "insert": _pure(lambda s, x: z3.Store(s, x, True)),
    "remove": _pure(lambda s, x: z3.Store(s, x, False)),
    "union": _pure(z3.SetUnion),
    "intersect": _pure(z3.SetIntersect),
    "difference": _pure(z3.SetDifference),
    "subset": _pure(z3.IsSubset),
    "get": ExprEncoder._get,
    "put": ExprEncoder._put,
    "delete": ExprEncoder._delete,
    "append": ExprEncoder._append,
    "first": ExprEncoder._first,
    "last": ExprEncoder._last,
    "rest": ExprEncoder._rest,
    "some": ExprEncoder._option_call,
    "is_some": ExprEncoder._option_call,
    "is_none": ExprEncoder._option_call,
    "value": ExprEncoder._option_call,
}

_RIGHT_GUARDS: dict[str, Callable[[z3.ExprRef], z3.BoolRef]] = {
    "and": lambda left: left,
    "implies": lambda left: left,
    "or": lambda left: z3.Not(left),
}

_BINARY: dict[str, Callable[[z3.ExprRef, z3.ExprRef], z3.ExprRef]] = {
    "iff": lambda a, b: a == b,
    "implies": z3.Implies,
    "or": lambda a, b: z3.Or(a, b),
    "and": lambda a, b: z3.And(a, b),
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": floor_div,
    "%": python_mod,
}

# Each handler takes its own node type, which a precise Callable cannot express.
_HANDLERS: dict[type, Callable[..., z3.ExprRef]] = {
    ast.IntLit: ExprEncoder._int,
    ast.BoolLit: ExprEncoder._bool,
    ast.Name: ExprEncoder._name,
    ast.Qualified: ExprEncoder._qualified,
    ast.ResultRef: ExprEncoder._result,
    ast.Old: ExprEncoder._old,
    ast.Unary: ExprEncoder._unary,
    ast.Binary: ExprEncoder._binary,
    ast.IfThenElse: ExprEncoder._if,
    ast.Call: ExprEncoder._call,
    ast.NoneLit: ExprEncoder._none,
    ast.SetLit: ExprEncoder._set_lit,
    ast.MapLit: ExprEncoder._map_lit,
    ast.SeqLit: ExprEncoder._seq_lit,
    ast.Index: ExprEncoder._index,
    ast.RecordLit: ExprEncoder._record_lit,
    ast.Field: ExprEncoder._field,
    ast.With: ExprEncoder._with,
    ast.Quantifier: ExprEncoder._quantifier,
    ast.SetFilter: ExprEncoder._set_filter,
}
