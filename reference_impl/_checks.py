"""Argument checks shared by the components and clocks."""

from __future__ import annotations

__all__ = ["require_int", "require_positive_int"]


def require_int(name: str, value: object) -> int:
    """Return ``value`` if it is an int, for arguments counted in whole units.

    Raises:
        TypeError: if ``value`` is not an int. A bool is rejected too: it is an
            int subclass, but ``True`` as a count is a caller's mistake.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    return value


def require_positive_int(name: str, value: object) -> int:
    """Return ``value`` if it is an int of at least 1.

    Raises:
        TypeError: if ``value`` is not an int.
        ValueError: if ``value`` is less than 1.
    """
    number = require_int(name, value)
    if number < 1:
        raise ValueError(f"{name} must be at least 1, got {number}")
    return number
