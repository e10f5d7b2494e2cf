"""The signatures of the built-in functions, and how a call's types are matched.

A signature is written with type variables, ``insert(Set[T], T) -> Set[T]``.
Matching a call binds the variables from the arguments whose types are known
and from the type the context expects. An argument such as ``{}`` or ``none``
then gets its type from the others: in ``put(m, k, {})`` the empty literal is
the map's value type.
"""

from __future__ import annotations

from spec_lang.types import (
    BOOL,
    INT,
    MapT,
    OptionT,
    SeqT,
    SetT,
    Type,
)

# A type pattern: "Int", "Bool", a type variable ("T", "K", "V"), or a
# constructor applied to patterns, such as ("Set", "T").
Pattern = str | tuple[str, "Pattern"] | tuple[str, "Pattern", "Pattern"]

_SET_T: Pattern = ("Set", "T")
_MAP_KV: Pattern = ("Map", "K", "V")
_SEQ_T: Pattern = ("Seq", "T")
_OPTION_T: Pattern = ("Option", "T")

# Each function: its parameter patterns and its result pattern. ``size``
# takes any collection and is matched apart (see ``COLLECTION_FUNCTIONS``).
SIGNATURES: dict[str, tuple[tuple[Pattern, ...], Pattern]] = {
    "min": (("Int", "Int"), "Int"),
    "max": (("Int", "Int"), "Int"),
    "abs": (("Int",), "Int"),
    "insert": ((_SET_T, "T"), _SET_T),
    "remove": ((_SET_T, "T"), _SET_T),
    "union": ((_SET_T, _SET_T), _SET_T),
    "intersect": ((_SET_T, _SET_T), _SET_T),
    "difference": ((_SET_T, _SET_T), _SET_T),
    "subset": ((_SET_T, _SET_T), "Bool"),
    "domain": ((_MAP_KV,), ("Set", "K")),
    "get": ((_MAP_KV, "K", "V"), "V"),
    "put": ((_MAP_KV, "K", "V"), _MAP_KV),
    "delete": ((_MAP_KV, "K"), _MAP_KV),
    "append": ((_SEQ_T, "T"), _SEQ_T),
    "first": ((_SEQ_T,), "T"),
    "last": ((_SEQ_T,), "T"),
    "rest": ((_SEQ_T,), _SEQ_T),
    "some": (("T",), _OPTION_T),
    "is_some": ((_OPTION_T,), "Bool"),
    "is_none": ((_OPTION_T,), "Bool"),
    "value": ((_OPTION_T,), "T"),
}

# Functions that take any one collection (a set, a map or a sequence).
COLLECTION_FUNCTIONS: dict[str, Type] = {"size": INT}

Bindings = dict[str, Type]


def describe(pattern: Pattern) -> str:
    """Write a pattern as the language writes types: ``Map[K, V]``."""
    if isinstance(pattern, str):
        return pattern
    name, *args = pattern
    return f"{name}[{', '.join(describe(a) for a in args)}]"


def signature_text(function: str) -> str:
    """``insert(Set[T], T) -> Set[T]``, for messages and the docs."""
    if function in COLLECTION_FUNCTIONS:
        return f"{function}(a set, a map or a sequence) -> Int"
    params, result = SIGNATURES[function]
    shown = ", ".join(describe(p) for p in params)
    return f"{function}({shown}) -> {describe(result)}"


def unify(pattern: Pattern, actual: Type, bindings: Bindings) -> bool:
    """Match ``actual`` against ``pattern``, extending ``bindings``; False on clash."""
    if pattern == "Int":
        return actual == INT
    if pattern == "Bool":
        return actual == BOOL
    if isinstance(pattern, str):
        bound = bindings.get(pattern)
        if bound is None:
            bindings[pattern] = actual
            return True
        return bound == actual
    name, *args = pattern
    parts = _parts(name, actual)
    if parts is None or len(parts) != len(args):
        return False
    return all(unify(p, a, bindings) for p, a in zip(args, parts, strict=True))


def instantiate(pattern: Pattern, bindings: Bindings) -> Type | None:
    """The type ``pattern`` means under ``bindings``; None if a variable is free."""
    if pattern == "Int":
        return INT
    if pattern == "Bool":
        return BOOL
    if isinstance(pattern, str):
        return bindings.get(pattern)
    name, *args = pattern
    parts = [instantiate(a, bindings) for a in args]
    if any(p is None for p in parts):
        return None
    known = [p for p in parts if p is not None]
    if name == "Set":
        return SetT(known[0])
    if name == "Seq":
        return SeqT(known[0])
    if name == "Option":
        return OptionT(known[0])
    return MapT(known[0], known[1])


def _parts(name: str, actual: Type) -> tuple[Type, ...] | None:
    if name == "Set" and isinstance(actual, SetT):
        return (actual.element,)
    if name == "Seq" and isinstance(actual, SeqT):
        return (actual.element,)
    if name == "Option" and isinstance(actual, OptionT):
        return (actual.element,)
    if name == "Map" and isinstance(actual, MapT):
        return (actual.key, actual.value)
    return None
