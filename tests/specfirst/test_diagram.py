from cli_support import REPO
from gate_support import SWITCH_SPEC

from spec_lang import load_source, load_spec
from specfirst.diagram import state_diagrams


def test_breaker_diagram_follows_its_effects() -> None:
    spec = load_spec(REPO / "specs" / "circuit_breaker.spec")
    (diagram,) = state_diagrams(spec.components[0])
    assert diagram.variable == "mode"
    assert diagram.initial == ("Closed",)
    assert set(diagram.transitions) == {
        ("Closed", "Open", "record_failure"),
        ("Open", "HalfOpen", "allow_request"),
        ("HalfOpen", "Closed", "record_success"),
        ("HalfOpen", "Open", "record_failure"),
    }


def test_mermaid_text_draws_each_transition() -> None:
    spec = load_spec(REPO / "specs" / "circuit_breaker.spec")
    (diagram,) = state_diagrams(spec.components[0])
    text = diagram.mermaid()
    assert text.startswith("stateDiagram-v2\n")
    assert "    [*] --> Closed\n" in text
    assert "    Open --> HalfOpen: allow_request\n" in text


def test_failing_requires_blocks_a_transition() -> None:
    # turn_on requires Off, so it never leaves On, and turn_off never leaves Off.
    component = load_source(SWITCH_SPEC, "switch.spec").components[0]
    (diagram,) = state_diagrams(component)
    assert set(diagram.transitions) == {
        ("Off", "On", "turn_on"),
        ("On", "Off", "turn_off"),
    }


def test_component_without_enum_state_is_one_state() -> None:
    spec = load_spec(REPO / "specs" / "rate_limiter.spec")
    (diagram,) = state_diagrams(spec.components[0])
    assert diagram.variable is None
    assert diagram.states == ("RateLimiter",)
    labels = {label for _, _, label in diagram.transitions}
    assert labels == {"try_acquire", "tick"}
