"""The reserved adapter names cover what the runtime reads from an adapter."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import specfirst.runtime
from spec_lang.names import ADAPTER_MEMBERS, is_generated_name, snake_case
from specfirst.runtime.binding import ModelAdapter

RUNTIME = Path(specfirst.runtime.__file__).parent
# Matches calls such as getattr(self._implementation, "close", None).
_ADAPTER_READ = re.compile(
    r"getattr\(\s*(?:self\.)?_?(?:adapter|implementation|part)\w*,\s*\"(\w+)\""
)


def test_members_read_from_adapters_are_reserved() -> None:
    read = {
        name
        for path in RUNTIME.glob("*.py")
        for name in _ADAPTER_READ.findall(path.read_text(encoding="utf-8"))
    }
    assert {"observe", "close", "errors", "partition"} <= read
    unreserved = {n for n in read - set(ADAPTER_MEMBERS) if not is_generated_name(n)}
    assert unreserved == set()


def test_model_adapter_members_are_reserved() -> None:
    methods = {name for name in vars(ModelAdapter) if not name.startswith("_")}
    init = inspect.getsource(ModelAdapter.__init__)
    attributes = set(re.findall(r"self\.([a-z]\w*)\s*(?::[^=]*)?=", init))
    assert {"model", "errors", "observe", "supports"} <= methods | attributes
    assert (methods | attributes) - set(ADAPTER_MEMBERS) == set()


def test_generated_names() -> None:
    assert is_generated_name("_sf_state")
    assert is_generated_name("__init__")
    assert not is_generated_name("_private")
    assert not is_generated_name("__mangled")


def test_snake_case_of_component_names() -> None:
    assert snake_case("CircuitBreaker") == "circuit_breaker"
    assert snake_case("HTTPServer2Pool") == "httpserver2_pool"
    assert snake_case("Counter") == snake_case("COUNTER")
    assert snake_case("FooBar") == snake_case("Foo_Bar")
