"""The generated files of a small spec match the golden copies byte for byte.

Set SPECFIRST_UPDATE_GOLDEN=1 to rewrite the golden copies after an
intended change to the generator, then review the diff. The copies end in
``.golden`` so that pytest does not collect the generated test among ours.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from codegen_support import REPO

from codegen import render_component
from spec_lang import load_spec

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
SPEC = HERE / "specs" / "counter.spec"
UPDATE = os.environ.get("SPECFIRST_UPDATE_GOLDEN") == "1"


def rendered() -> dict[str, str]:
    spec = load_spec(SPEC)
    return render_component(spec.components[0], spec, root=REPO)


@pytest.mark.parametrize("name", sorted(rendered()))
def test_generated_file_matches_golden_copy(name: str) -> None:
    text = rendered()[name]
    golden = GOLDEN / f"{name}.golden"
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), (
        f"no golden copy {golden}; run with SPECFIRST_UPDATE_GOLDEN=1"
    )
    assert text == golden.read_text(encoding="utf-8")


def test_golden_copies_have_no_strays() -> None:
    names = sorted(p.name.removesuffix(".golden") for p in GOLDEN.glob("*.golden"))
    assert names == sorted(rendered())
