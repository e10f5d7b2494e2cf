"""Exceptions of reference models and contract tests, one per party at fault."""

from __future__ import annotations


class ModelError(Exception):
    """The operation returned one of the spec's named errors and changed nothing.

    Attributes:
        error: the error's name, as the spec declares it.
    """

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class PreconditionViolated(Exception):
    """The caller broke its obligation: a ``requires`` without ``else`` was false."""

    def __init__(self, clause_id: str, details: str = "") -> None:
        message = f"{clause_id} does not hold" + (f": {details}" if details else "")
        super().__init__(message)
        self.clause_id = clause_id


class ContractViolation(AssertionError):
    """A postcondition, invariant or frame condition failed in a checked step."""

    def __init__(self, clause_id: str, details: str) -> None:
        super().__init__(f"{clause_id} failed: {details}")
        self.clause_id = clause_id
        self.details = details


class ConstantsRejected(ValueError):
    """The constants break a ``where`` clause, or are missing or not integers."""

    def __init__(self, clause_id: str, details: str) -> None:
        super().__init__(f"{clause_id}: {details}")
        self.clause_id = clause_id
        self.details = details


class ContractMismatch(AssertionError):
    """The implementation did something other than the reference model.

    Attributes:
        example: the constants and calls of the failing run (a
            ``FailingExample``), or None when a replay of the calls would
            not repeat the run.
    """

    def __init__(self, message: str, example: object = None) -> None:
        super().__init__(message)
        self.example = example


class BindingError(Exception):
    """A contract test cannot reach its implementation: no config, adapter or method.

    The message names the component and the config key to fix.
    """
