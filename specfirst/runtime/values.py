"""The types of spec values in the runtime: booleans, integers and enum member names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ValueType:
    """``Bool``, ``Int`` or an enum, whose values are its member names as str."""

    name: str
    members: tuple[str, ...] = ()

    def conforms(self, value: object) -> bool:
        """Return whether ``value`` is of this type. ``True`` is not an ``Int``."""
        if self.name == "Bool":
            return isinstance(value, bool)
        if self.name == "Int":
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(value, str) and value in self.members

    def describe(self) -> str:
        if self.members:
            return f"{self.name} (one of {', '.join(map(repr, self.members))})"
        return self.name


BOOL = ValueType("Bool")
INT = ValueType("Int")


def enum_type(name: str, members: tuple[str, ...]) -> ValueType:
    return ValueType(name, members)
