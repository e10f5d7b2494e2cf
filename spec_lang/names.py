"""Rules for the names a spec may declare, fixed by the code generated from it.

Generated models and tests use ``_sf_`` names and dunder names for
themselves, adapters carry the adapter protocol's members next to one
method per operation, and every component's files are named after the
snake case of its name. The checker rejects spec names that would collide
with any of these, so that ``check`` reports them with their place.
"""

from __future__ import annotations

# Members the generated tests read from an adapter (docs/adapters.md, "The
# adapter protocol") and the public members of the runtime's ModelAdapter,
# which replaces the adapter under SPECFIRST_TARGET=model, each with what
# it does. An operation, query or environment action with one of these names
# would be shadowed by the member, or be mistaken for it.
ADAPTER_MEMBERS: dict[str, str] = {
    "close": "is called when an example ends",
    "crash": "crashes the implementation in the fault test",
    "crash_during_operations": "allows the fault test to crash mid-operation",
    "errors": "maps implementation exceptions to spec errors",
    "model": "holds the reference model under SPECFIRST_TARGET=model",
    "observe": "reports the implementation's state after every step",
    "partition": "selects an independent part for the concurrency test",
    "recover": "brings the implementation back after crash()",
    "supports": "tells which operations the reference model can run",
}


GENERATED_PREFIX = "_sf_"


def is_generated_name(name: str) -> bool:
    """Whether ``name`` is reserved for generated code: ``_sf_...`` or a dunder."""
    dunder = name.startswith("__") and name.endswith("__")
    return name.startswith(GENERATED_PREFIX) or dunder


def snake_case(name: str) -> str:
    """``CircuitBreaker`` -> ``circuit_breaker``; the form of generated file names.

    >>> snake_case("HTTPServer2Pool")
    'httpserver2_pool'
    """
    out: list[str] = []
    for i, char in enumerate(name):
        if char.isupper() and i and (name[i - 1].islower() or name[i - 1].isdigit()):
            out.append("_")
        out.append(char.lower())
    return "".join(out)
