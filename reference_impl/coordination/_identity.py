"""Argument checks shared by the coordination primitives."""

from __future__ import annotations

from collections.abc import Hashable

from reference_impl.coordination.liveness import Liveness, always_alive

__all__ = ["require_identity", "require_liveness"]


def require_identity(name: str, value: object) -> Hashable:
    """Return ``value`` if it can identify a holder, node, party or voter.

    Identities are compared with ``==`` and kept as dict keys, so they must be
    hashable; ``None`` is rejected because the primitives use it for "nobody".

    Raises:
        TypeError: if ``value`` is None or unhashable.
    """
    if value is None:
        raise TypeError(f"{name} must be an identity, got None")
    try:
        hash(value)
    except TypeError:
        raise TypeError(
            f"{name} must be hashable to serve as an identity, got {value!r}"
        ) from None
    return value


def require_liveness(name: str, probe: Liveness | None) -> Liveness:
    """Return ``probe``, or :func:`always_alive` when it is None.

    Raises:
        TypeError: if ``probe`` is not callable.
    """
    if probe is None:
        return always_alive
    if not callable(probe):
        raise TypeError(f"{name} must be a callable returning bool, got {probe!r}")
    return probe
