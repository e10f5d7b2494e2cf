"""Small projects on disk for the gate's in-process tests."""

from __future__ import annotations

from pathlib import Path

from specfirst.gate import GateOptions, GateResult, run_gate
from specfirst.phases import Phase
from specfirst.project import Workspace, open_workspace
from specfirst.review import append_review, new_record, reviews_path
from verifier import VerifyOptions

SWITCH_SPEC = """\
// A switch: two positions, one operation to move between them each way.
component Switch {
  enum Position { Off, On }
  error AlreadyOn

  var position: Position
  var flips: Int

  init {
    position := Off
    flips := 0
  }

  invariant flips_counted: flips >= 0

  operation turn_on() {
    requires is_off: position == Off else AlreadyOn
    ensures lit: position == On
    effect {
      position := On
      flips := flips + 1
    }
  }

  operation turn_off() {
    requires is_on: position == On
    ensures dark: position == Off
    effect {
      position := Off
      flips := flips + 1
    }
  }

  query is_lit() -> Bool {
    ensures result == (position == On)
    effect { result := position == On }
  }
}
"""

MANIFEST = """\
[tool.specfirst]
specs = ["specs"]
phase = "{phase}"

[tool.specfirst.required]
components = ["Switch"{more}]
system = [{system}]

[tool.specfirst.reviews]
cycles = 2
reviewers = 2

[tool.specfirst.components.Switch]
implementation = ["impl/switch.py"]
"""


def write_project(
    root: Path,
    *,
    phase: str = "specifications",
    more: tuple[str, ...] = (),
    system: tuple[str, ...] = (),
    spec: str = SWITCH_SPEC,
) -> Path:
    """A project requiring Switch (and ``more``), whose spec is ``spec``."""
    (root / "specs").mkdir(parents=True)
    (root / "specs" / "switch.spec").write_text(spec, encoding="utf-8")
    extra = "".join(f', "{name}"' for name in more)
    listed = ", ".join(f'"{name}"' for name in system)
    text = MANIFEST.format(phase=phase, more=extra, system=listed)
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    return root


def approve(root: Path, spec: str, *reviewers: str) -> None:
    """Record one approving review of ``spec``'s current content per reviewer."""
    file = root / spec
    for reviewer in reviewers:
        record = new_record(file, spec, reviewer, "approve", "reads right")
        append_review(reviews_path(file), record)


def workspace(root: Path) -> Workspace:
    return open_workspace(root)


def gate(
    root: Path, phase: Phase | None = Phase.SPECIFICATIONS, keep_going: bool = False
) -> GateResult:
    """Run the gate in-process, solving without a cache."""
    options = GateOptions(VerifyOptions(timeout_ms=10_000, jobs=1, cache_dir=None))
    return run_gate(open_workspace(root), options, phase, keep_going)
