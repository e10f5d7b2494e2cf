"""Named non-negative counters with atomic increment, decrement and swap.

Each operation reads and writes one counter under one lock, so increments
from any number of threads add up exactly. A counter that is at 0 is not
stored: memory grows with the counters that hold a value, not with every
name ever used.

Counters given a store (:mod:`reference_impl.coordination.store`) write each
change to it, and :meth:`Counters.recover` rebuilds them after a crash: a
counter must not go back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable

from reference_impl._checks import require_int
from reference_impl.coordination._identity import require_identity
from reference_impl.coordination.store import KeyedStore

__all__ = ["CounterError", "CounterUnderflowError", "Counters", "InvalidAmountError"]

logger = logging.getLogger(__name__)


class CounterError(Exception):
    """Base class of the errors a counter raises for a rejected update."""


class InvalidAmountError(CounterError, ValueError):
    """An increment or decrement below 1, or a swap to a negative value."""


class CounterUnderflowError(CounterError):
    """A decrement would take the counter below 0.

    Attributes:
        key: the counter.
        value: its value, which the decrement left unchanged.
        amount: the decrement asked for.
    """

    def __init__(self, key: Hashable, value: int, amount: int) -> None:
        super().__init__(
            f"counter {key!r} is at {value}, so it cannot be decremented by {amount}"
        )
        self.key = key
        self.value = value
        self.amount = amount


class Counters:
    """A family of counters, each starting at 0, guarded by one lock.

    Args:
        store: where every change is saved, one entry per counter above 0,
            so that :meth:`recover` can rebuild the counters after a crash.
            It should start empty.
    """

    def __init__(self, *, store: KeyedStore[Hashable, int] | None = None) -> None:
        self._lock = threading.Lock()
        self._values: dict[Hashable, int] = {}
        self._store = store

    @classmethod
    def recover(cls, store: KeyedStore[Hashable, int]) -> Counters:
        """Rebuild crashed counters from their store.

        Every counter comes back with the value the crashed counters last
        saved, so no counter goes back and no update is lost. The new
        counters keep writing to ``store``.

        Raises:
            ValueError: if the store contains a value that is not an int above 0.
        """
        counters = cls(store=store)
        for key, value in store.contents().items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"the store contains {value!r} for counter {key!r}; "
                    f"stored counters must be ints above 0"
                )
            counters._values[key] = value
        logger.info("recovered %d counters", len(counters._values))
        return counters

    def increment(self, key: Hashable, by: int = 1) -> int:
        """Add ``by`` to counter ``key`` and return its new value.

        Raises:
            InvalidAmountError: if ``by`` is less than 1.
            TypeError: if ``key`` is unhashable or ``by`` is not an int.
        """
        amount = _require_amount("by", by)
        require_identity("key", key)
        with self._lock:
            value = self._values.get(key, 0) + amount
            self._store_value(key, value)
            return value

    def decrement(self, key: Hashable, by: int = 1) -> int:
        """Subtract ``by`` from counter ``key`` and return its new value.

        Raises:
            InvalidAmountError: if ``by`` is less than 1.
            CounterUnderflowError: if the counter is below ``by``; it is left
                unchanged.
            TypeError: if ``key`` is unhashable or ``by`` is not an int.
        """
        amount = _require_amount("by", by)
        require_identity("key", key)
        with self._lock:
            current = self._values.get(key, 0)
            if current < amount:
                raise CounterUnderflowError(key, current, amount)
            self._store_value(key, current - amount)
            return current - amount

    def compare_and_set(self, key: Hashable, expected: int, new: int) -> bool:
        """Set counter ``key`` to ``new`` if it is ``expected`` now.

        Returns:
            Whether the counter was ``expected`` and now is ``new``.

        Raises:
            InvalidAmountError: if ``new`` is negative.
            TypeError: if ``key`` is unhashable or a value is not an int.
        """
        require_int("expected", expected)
        require_int("new", new)
        if new < 0:
            raise InvalidAmountError(f"new must be at least 0, got {new}")
        require_identity("key", key)
        with self._lock:
            if self._values.get(key, 0) != expected:
                return False
            self._store_value(key, new)
            return True

    def value(self, key: Hashable) -> int:
        """Return counter ``key``'s value, 0 if it was never changed."""
        require_identity("key", key)
        with self._lock:
            return self._values.get(key, 0)

    def reset(self, key: Hashable) -> int:
        """Set counter ``key`` back to 0 and return the value it had."""
        require_identity("key", key)
        with self._lock:
            value = self._values.get(key, 0)
            self._store_value(key, 0)
            return value

    def snapshot(self) -> dict[Hashable, int]:
        """Return every counter that is above 0, read atomically."""
        with self._lock:
            return dict(self._values)

    def _store_value(self, key: Hashable, value: int) -> None:
        # The caller holds the lock, so the store receives changes in order.
        if value == 0:
            self._values.pop(key, None)
            if self._store is not None:
                self._store.delete(key)
        else:
            self._values[key] = value
            if self._store is not None:
                self._store.put(key, value)


def _require_amount(name: str, value: object) -> int:
    amount = require_int(name, value)
    if amount < 1:
        raise InvalidAmountError(f"{name} must be at least 1, got {amount}")
    return amount
