"""The error the generator raises for a checked spec it cannot turn into code."""

from __future__ import annotations


class GenerationError(Exception):
    """A checked spec that cannot be turned into code. The message gives the reason."""
