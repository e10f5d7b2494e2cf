"""The consoles, exit codes and input errors that every command shares."""

from __future__ import annotations

from rich.console import Console

stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


class InputError(Exception):
    """A usage or input error: exit status 2 with this message."""


def choose_format(value: str, allowed: tuple[str, ...]) -> str:
    """Return ``value`` when it is one of ``allowed``.

    Raises:
        InputError: naming the formats there are.
    """
    if value not in allowed:
        names = ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
        raise InputError(f"--format must be {names}, got {value!r}")
    return value
