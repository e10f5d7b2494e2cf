"""Solve functions for pool workers that misbehave on chosen obligations.

Workers import these by name, so they live in a module of their own.
"""

from __future__ import annotations

import os
import time

from verifier.obligation import Obligation
from verifier.outcome import Limits, Outcome
from verifier.solve import solve_obligation

# Obligation ids that make the worker hang, as Z3 does when it never reaches
# a cancellation point, or exit without sending a result.
HANG = "Slow.hang"
DIE = "Slow.die"


def solve_or_misbehave(obligation: Obligation, limits: Limits) -> Outcome:
    """Hang or exit on the chosen ids; solve every other obligation."""
    if obligation.id == HANG:
        time.sleep(3600)
    if obligation.id == DIE:
        os._exit(3)
    return solve_obligation(obligation, limits)
