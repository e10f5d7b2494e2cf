"""The small runtime that generated reference models and contract tests import.

Generated models subclass :class:`SpecModel`; generated contract tests
subclass :class:`ContractMachine` and call :func:`run_contract`. The
Hypothesis decorators the tests use are re-exported here so that a generated
test imports from one place.
"""

from hypothesis.stateful import Bundle, initialize, invariant, precondition, rule
from hypothesis.strategies import DataObject
from hypothesis.strategies import data as data

from specfirst.runtime.binding import (
    MAX_EXAMPLES_ENV,
    ROOT_ENV,
    STEP_COUNT_ENV,
    TARGET_ENV,
    Binding,
    ModelAdapter,
    Target,
    adapter_problems,
    bind,
    selected_target,
)
from specfirst.runtime.contract import ContractMachine, Outcome, int_range, run_contract
from specfirst.runtime.coverage import COVERAGE_ENV, RECORDER, Coverage
from specfirst.runtime.errors import (
    BindingError,
    ConstantsRejected,
    ContractMismatch,
    ContractViolation,
    ModelError,
    PreconditionViolated,
)
from specfirst.runtime.model import (
    Parameter,
    Requirement,
    Signature,
    SpecModel,
    Variable,
)
from specfirst.runtime.values import BOOL, INT, ValueType, enum_type

__all__ = [
    "BOOL",
    "COVERAGE_ENV",
    "INT",
    "MAX_EXAMPLES_ENV",
    "RECORDER",
    "ROOT_ENV",
    "STEP_COUNT_ENV",
    "TARGET_ENV",
    "Binding",
    "BindingError",
    "Bundle",
    "ConstantsRejected",
    "ContractMachine",
    "ContractMismatch",
    "ContractViolation",
    "Coverage",
    "DataObject",
    "ModelAdapter",
    "ModelError",
    "Outcome",
    "Parameter",
    "PreconditionViolated",
    "Requirement",
    "Signature",
    "SpecModel",
    "Target",
    "ValueType",
    "Variable",
    "adapter_problems",
    "bind",
    "data",
    "enum_type",
    "initialize",
    "int_range",
    "invariant",
    "precondition",
    "rule",
    "run_contract",
    "selected_target",
]
