"""A registry of live processes (threads, asyncio tasks, OS processes) in namespaces.

Each entry contains a process handle, metadata checked against a
:class:`MetadataSchema`, and registration and heartbeat times from an
injected monotonic clock. Lookups cost the same at any registry size, and a
dead process is removed by a scheduled liveness sweep or a death notice.
The transitions are those of ``specs/process_registry.spec``.
"""

from reference_impl.process_registry.monitor import LivenessMonitor
from reference_impl.process_registry.processes import (
    OsProcess,
    Process,
    ProcessId,
    SubprocessProcess,
    TaskProcess,
    ThreadProcess,
)
from reference_impl.process_registry.registry import (
    AlreadyRegisteredError,
    NotRegisteredError,
    ProcessNotAliveError,
    ProcessRegistry,
    ProcessRegistryError,
    Registration,
)
from reference_impl.process_registry.schema import (
    Field,
    InvalidMetadataError,
    MetadataSchema,
)

__all__ = [
    "AlreadyRegisteredError",
    "Field",
    "InvalidMetadataError",
    "LivenessMonitor",
    "MetadataSchema",
    "NotRegisteredError",
    "OsProcess",
    "Process",
    "ProcessId",
    "ProcessNotAliveError",
    "ProcessRegistry",
    "ProcessRegistryError",
    "Registration",
    "SubprocessProcess",
    "TaskProcess",
    "ThreadProcess",
]
