"""Generated models check the safety properties after init and every step."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_support import model_of

from specfirst.runtime import ContractViolation

SPEC = """\
component Gauge {
  const limit: Int where limit >= 1
  var level: Int

  init { level := 0 }

  operation raise_by(n: Int) {
    requires n >= 0
    effect { level := level + n }
  }

  operation drop() {
    effect { level := level - 1 }
  }

  always within_limit: level <= limit
  always never_falls: level >= old(level)
}
"""


@pytest.fixture
def gauge(tmp_path: Path) -> type:
    return model_of(SPEC, tmp_path)


def test_step_that_keeps_the_properties_passes(gauge: type) -> None:
    model = gauge({"limit": 3})
    model.raise_by(2)
    assert model.level == 2


def test_state_property_failure_names_the_property(gauge: type) -> None:
    model = gauge({"limit": 3})
    with pytest.raises(ContractViolation) as failure:
        model.raise_by(4)
    assert failure.value.clause_id == "Gauge.always.within_limit"


def test_step_property_reads_the_state_before(gauge: type) -> None:
    model = gauge({"limit": 3})
    with pytest.raises(ContractViolation) as failure:
        model.drop()
    assert failure.value.clause_id == "Gauge.always.never_falls"


def test_unchecked_model_does_not_check_properties(gauge: type) -> None:
    model = gauge({"limit": 3}, checked=False)
    model.drop()
    assert model.level == -1
