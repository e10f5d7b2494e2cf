"""Small sequential models and a hand-made history builder for the checker tests."""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence

from specfirst.runtime.contract import Outcome
from specfirst.runtime.history import History, Operation


def op(
    client: int,
    name: str,
    args: tuple[object, ...],
    call: int,
    ret: int | None,
    value: object = None,
    error: str | None = None,
    key: Hashable = None,
) -> Operation:
    """An operation on a made-up clock; ``ret=None`` makes it pending."""
    outcome = None if ret is None else Outcome(value=value, error=error)
    return Operation(client, name, args, call, ret, outcome, key)


class Register:
    """One integer cell: ``write(v)``, ``read() -> v``, ``cas(old, new) -> bool``."""

    def initial(self) -> int:
        return 0

    def step(self, state: int, operation: Operation) -> int | None:
        outcome = operation.outcome
        if operation.name == "write":
            return int(operation.args[0])  # type: ignore[call-overload]
        if operation.name == "read":
            return state if outcome is None or outcome.value == state else None
        if operation.name == "cas":
            swapped = state == operation.args[0]
            if outcome is not None and outcome.value != swapped:
                return None
            return int(operation.args[1]) if swapped else state  # type: ignore[call-overload]
        raise KeyError(operation.name)

    def fingerprint(self, state: int) -> Hashable:
        return state

    def describe(self, state: int) -> str:
        return f"value {state}"

    def reads_only(self, operation: Operation) -> bool:
        return operation.name == "read"


class Counter:
    """A counter: ``add()`` returns the new value, ``get()`` the current one."""

    def initial(self) -> int:
        return 0

    def step(self, state: int, operation: Operation) -> int | None:
        outcome = operation.outcome
        after = state + 1 if operation.name == "add" else state
        if outcome is None or outcome.value == after:
            return after
        return None

    def fingerprint(self, state: int) -> Hashable:
        return state

    def describe(self, state: int) -> str:
        return f"count {state}"


def brute_force(history: History, model: Register) -> bool:
    """Whether some order of the history explains it, by trying every order.

    Pending operations may be left out or placed anywhere after their call.
    Only for histories of a handful of operations.
    """
    ops = list(history)
    done = [o for o in ops if o.ret is not None]
    pending = [o for o in ops if o.ret is None]
    for count in range(len(pending) + 1):
        for chosen in itertools.combinations(pending, count):
            for order in itertools.permutations([*done, *chosen]):
                if _respects_time(order) and _explains(order, model):
                    return True
    return False


def _respects_time(order: Sequence[Operation]) -> bool:
    for i, earlier in enumerate(order):
        for later in order[i + 1 :]:
            if later.ret is not None and later.ret < earlier.call:
                return False
    return True


def _explains(order: Sequence[Operation], model: Register) -> bool:
    state: int | None = model.initial()
    for operation in order:
        assert state is not None
        state = model.step(state, operation)
        if state is None:
            return False
    return True
