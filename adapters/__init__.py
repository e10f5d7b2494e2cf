"""Adapters between generated contract tests and the reference components.

An adapter wraps one implementation behind the operations of its spec. Its
constructor takes the spec's constants by name. It has one method per
operation, query and environment action, named and typed as in the spec, so
an enum result is the member's name as the spec spells it. Its ``errors``
attribute maps exception classes to the spec's error names, and ``observe``
returns the implementation's state under the spec's variable names.
"""

from adapters.circuit_breaker import CircuitBreakerAdapter
from adapters.config_server import ConfigServerAdapter
from adapters.coordination import (
    BarrierAdapter,
    CountersAdapter,
    LeaderElectionAdapter,
    LeaseLockAdapter,
    QuorumVoteAdapter,
)
from adapters.event_store import EventStoreAdapter
from adapters.process_registry import ProcessRegistryAdapter
from adapters.rate_limiter import RateLimiterAdapter
from adapters.resource_manager import ResourceManagerAdapter
from adapters.telemetry import TelemetryServiceAdapter

__all__ = [
    "BarrierAdapter",
    "CircuitBreakerAdapter",
    "ConfigServerAdapter",
    "CountersAdapter",
    "EventStoreAdapter",
    "LeaderElectionAdapter",
    "LeaseLockAdapter",
    "ProcessRegistryAdapter",
    "QuorumVoteAdapter",
    "RateLimiterAdapter",
    "ResourceManagerAdapter",
    "TelemetryServiceAdapter",
]
