"""The error the generator raises for a checked spec it cannot turn into code."""

from __future__ import annotations


class GenerationError(Exception):
    """A checked spec that cannot be turned into code. The message gives the reason.

    Attributes:
        problems: one line per problem found, ``file:line:col: ...`` where
            the problem has a place; the message joins them.
    """

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)
