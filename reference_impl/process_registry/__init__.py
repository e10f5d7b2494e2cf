"""A registry of live processes (threads, asyncio tasks, OS processes) in namespaces.

Each entry contains a process handle, metadata checked against a
:class:`MetadataSchema`, and registration and heartbeat times from an
injected monotonic clock. Lookups cost the same at any registry size, and a
dead process is removed by a scheduled liveness sweep or a death notice.
A registry that writes to a backup can be rebuilt after a crash from that
backup and the live processes.
The transitions are those of ``specs/process_registry.spec``.
"""

from reference_impl.process_registry.backup import (
    BackupContents,
    BackupEntry,
    MemoryBackup,
    RegistryBackup,
)
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
    "BackupContents",
    "BackupEntry",
    "Field",
    "InvalidMetadataError",
    "LivenessMonitor",
    "MemoryBackup",
    "MetadataSchema",
    "NotRegisteredError",
    "OsProcess",
    "Process",
    "ProcessId",
    "ProcessNotAliveError",
    "ProcessRegistry",
    "ProcessRegistryError",
    "Registration",
    "RegistryBackup",
    "SubprocessProcess",
    "TaskProcess",
    "ThreadProcess",
]
