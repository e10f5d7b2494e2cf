"""Schemas that process metadata is validated against before it is stored."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["Field", "InvalidMetadataError", "MetadataSchema"]

# The value types a field may declare. Metadata is meant to be small, flat
# and comparable, so nested containers are left out on purpose.
_FIELD_TYPES: tuple[type, ...] = (str, int, float, bool)


class InvalidMetadataError(ValueError):
    """Metadata does not conform to the registry's schema.

    Attributes:
        problems: one message per field that failed, in field-name order.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid metadata: " + "; ".join(self.problems))


@dataclass(frozen=True)
class Field:
    """The constraints on one metadata field.

    Attributes:
        type: the value's type, one of ``str``, ``int``, ``float`` and
            ``bool``. A ``float`` field also accepts an ``int``, and no
            numeric field accepts a ``bool``.
        required: whether the field must be present.
        minimum: the smallest value a numeric field accepts, if any.
        maximum: the largest value a numeric field accepts, if any.
        choices: the only values the field accepts, if given.
    """

    type: type
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    choices: frozenset[object] | None = None

    def __post_init__(self) -> None:
        if self.type not in _FIELD_TYPES:
            names = ", ".join(t.__name__ for t in _FIELD_TYPES)
            raise ValueError(f"field type must be one of {names}, got {self.type!r}")
        numeric = self.type in (int, float)
        bounded = self.minimum is not None or self.maximum is not None
        if bounded and not numeric:
            raise ValueError(
                f"minimum and maximum apply to int and float fields, not "
                f"{self.type.__name__}"
            )
        if (
            self.minimum is not None
            and self.maximum is not None
            and self.minimum > self.maximum
        ):
            raise ValueError(
                f"minimum {self.minimum!r} is greater than maximum {self.maximum!r}"
            )
        if self.choices is not None and not self.choices:
            raise ValueError("choices must not be empty; omit it to accept any value")

    def problem(self, name: str, value: object) -> str | None:
        """Return why ``value`` is invalid for the field ``name``, or None."""
        if not self._has_type(value):
            return (
                f"{name} must be a {self.type.__name__}, got {value!r} "
                f"({type(value).__name__})"
            )
        if self.choices is not None and value not in self.choices:
            allowed = ", ".join(sorted(map(repr, self.choices)))
            return f"{name} must be one of {allowed}, got {value!r}"
        if isinstance(value, int | float):
            return self._range_problem(name, value)
        return None

    def _has_type(self, value: object) -> bool:
        if isinstance(value, bool):
            return self.type is bool
        if self.type is float:
            return isinstance(value, int | float) and math.isfinite(value)
        return isinstance(value, self.type)

    def _range_problem(self, name: str, value: float) -> str | None:
        if self.minimum is not None and value < self.minimum:
            return f"{name} must be at least {self.minimum!r}, got {value!r}"
        if self.maximum is not None and value > self.maximum:
            return f"{name} must be at most {self.maximum!r}, got {value!r}"
        return None


class MetadataSchema:
    """The fields that process metadata may and must carry.

    Args:
        fields: each field's name and constraints.
        allow_extra: whether metadata may carry fields the schema does not
            name. They are stored unchecked, so they must still be of one of
            the field types.

    Raises:
        ValueError: if a field name is not a non-empty str.
    """

    def __init__(
        self, fields: Mapping[str, Field], *, allow_extra: bool = False
    ) -> None:
        for name in fields:
            if not isinstance(name, str) or not name:
                raise ValueError(f"field names must be non-empty str, got {name!r}")
        self._fields = dict(fields)
        self._allow_extra = allow_extra

    @property
    def fields(self) -> Mapping[str, Field]:
        """The declared fields by name."""
        return MappingProxyType(self._fields)

    @property
    def allow_extra(self) -> bool:
        """Whether fields the schema does not name are accepted."""
        return self._allow_extra

    def validate(self, metadata: Mapping[str, object]) -> Mapping[str, object]:
        """Check ``metadata`` and return a read-only copy of it.

        The copy is taken before checking, so a caller that changes its dict
        afterwards cannot change what was validated and stored.

        Raises:
            TypeError: if ``metadata`` is not a mapping.
            InvalidMetadataError: listing every field that is missing, of the
                wrong type, out of range or not declared.
        """
        if not isinstance(metadata, Mapping):
            raise TypeError(
                f"metadata must be a mapping of field name to value, got "
                f"{type(metadata).__name__}"
            )
        copy = dict(metadata)
        problems = [
            problem
            for name in sorted(set(self._fields) | set(copy), key=str)
            if (problem := self._problem(name, copy)) is not None
        ]
        if problems:
            raise InvalidMetadataError(problems)
        return MappingProxyType(copy)

    def _problem(self, name: object, metadata: Mapping[str, object]) -> str | None:
        field = self._fields.get(name) if isinstance(name, str) else None
        if field is None:
            return self._extra_problem(name, metadata[name])  # type: ignore[index]
        if name not in metadata:
            return f"{name} is required but missing" if field.required else None
        return field.problem(str(name), metadata[str(name)])

    def _extra_problem(self, name: object, value: object) -> str | None:
        if not self._allow_extra:
            declared = ", ".join(sorted(self._fields)) or "none"
            return f"{name!r} is not a declared field (declared: {declared})"
        if not isinstance(name, str) or not name:
            return f"extra field names must be non-empty str, got {name!r}"
        if not isinstance(value, _FIELD_TYPES):
            return (
                f"{name} must be a str, int, float or bool, got {type(value).__name__}"
            )
        return None
