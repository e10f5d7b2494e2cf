"""Tests of the configuration server: schema, updates, history, subscriptions."""

from __future__ import annotations

import logging
import threading

import pytest

from reference_impl.clock import ManualClock
from reference_impl.config_server import (
    AlreadyDeclaredError,
    BoolField,
    Change,
    ChangeKind,
    ConfigError,
    ConfigServer,
    Field,
    IntField,
    InvalidBoundsError,
    InvalidPathError,
    NotSetError,
    OutOfRangeError,
    OutsideParentError,
    PathConflictError,
    StrField,
    UnknownPathError,
    VersionMismatchError,
    WrongTypeError,
    format_path,
    parse_path,
)
from reference_impl.config_server_store import MemoryConfigStore

SCHEMA: dict[str, Field] = {
    "db.host": StrField(max_length=20),
    "db.port": IntField(minimum=1, maximum=65535),
    "db.pool.size": IntField(minimum=1, maximum=100),
    "debug": BoolField(),
    "log.level": StrField(choices=frozenset({"debug", "info", "error"})),
}


def make_server(history_limit: int | None = None) -> tuple[ConfigServer, ManualClock]:
    clock = ManualClock()
    return ConfigServer(SCHEMA, clock=clock, history_limit=history_limit), clock


class Recorder:
    """A subscriber callback that keeps the versions it receives."""

    def __init__(self) -> None:
        self.versions: list[int] = []

    def __call__(self, change: Change) -> None:
        self.versions.append(change.version)


def subscribe(server: ConfigServer, topic: str) -> Recorder:
    recorder = Recorder()
    server.subscribe(topic, recorder)
    return recorder


# Paths


def test_parse_dotted_path() -> None:
    assert parse_path("db.pool.size") == ("db", "pool", "size")


def test_parse_segments() -> None:
    assert parse_path(["db", "port"]) == ("db", "port")


def test_parse_root() -> None:
    assert parse_path("") == ()


def test_format_path_round_trips() -> None:
    assert format_path(parse_path("a.b")) == "a.b"


@pytest.mark.parametrize("path", ["a..b", ".a", "a.", "a b", ["a", ""], ["a.b"]])
def test_malformed_paths_are_rejected(path: str | list[str]) -> None:
    with pytest.raises(InvalidPathError):
        parse_path(path)


# Schema


def test_declared_field_is_returned() -> None:
    server, _ = make_server()
    assert server.field("db.port") == IntField(minimum=1, maximum=65535)


def test_declare_twice_is_refused() -> None:
    server, _ = make_server()
    with pytest.raises(AlreadyDeclaredError):
        server.declare("db.port", IntField())


def test_leaf_below_leaf_is_refused() -> None:
    server, _ = make_server()
    with pytest.raises(PathConflictError, match=r"db\.port"):
        server.declare("db.port.extra", IntField())


def test_leaf_above_leaves_is_refused() -> None:
    server, _ = make_server()
    with pytest.raises(PathConflictError):
        server.declare("db.pool", IntField())


def test_root_cannot_be_a_leaf() -> None:
    server, _ = make_server()
    with pytest.raises(InvalidPathError, match="root"):
        server.declare("", IntField())


def test_sibling_leaf_is_fine() -> None:
    server, _ = make_server()
    server.declare("db.user", StrField())
    assert server.field("db.user") == StrField()


def test_inverted_bounds_are_rejected() -> None:
    with pytest.raises(InvalidBoundsError, match="minimum"):
        IntField(minimum=3, maximum=2)


def test_non_field_is_rejected() -> None:
    server, _ = make_server()
    with pytest.raises(TypeError, match="field must be"):
        server.declare("x", int)  # type: ignore[arg-type]


def test_unknown_field_lookup() -> None:
    server, _ = make_server()
    with pytest.raises(UnknownPathError, match="nope"):
        server.field("nope")


# Values


def test_unset_leaf_reads_default() -> None:
    server, _ = make_server()
    assert server.get("db.port") is None
    assert server.get("db.port", 5432) == 5432


def test_set_then_get() -> None:
    server, _ = make_server()
    server.set("db.port", 5432)
    assert server.get("db.port") == 5432


def test_undeclared_path_is_refused() -> None:
    server, _ = make_server()
    with pytest.raises(UnknownPathError):
        server.set("db.name", "x")
    with pytest.raises(UnknownPathError):
        server.get("db.name")


@pytest.mark.parametrize(
    ("path", "value"),
    [("db.port", "5432"), ("db.port", True), ("debug", 1), ("db.host", 3)],
)
def test_wrong_type_is_refused(path: str, value: object) -> None:
    server, _ = make_server()
    with pytest.raises(WrongTypeError):
        server.set(path, value)


@pytest.mark.parametrize(
    ("path", "value"),
    [("db.port", 0), ("db.port", 65536), ("db.host", "x" * 21), ("log.level", "warn")],
)
def test_out_of_range_is_refused(path: str, value: object) -> None:
    server, _ = make_server()
    with pytest.raises(OutOfRangeError):
        server.set(path, value)


def test_bounds_are_inclusive() -> None:
    server, _ = make_server()
    server.set("db.port", 1)
    server.set("db.port", 65535)
    assert server.get("db.port") == 65535


def test_refused_update_changes_nothing() -> None:
    server, _ = make_server()
    server.set("db.port", 5432)
    with pytest.raises(OutOfRangeError):
        server.set("db.port", 0)
    assert server.get("db.port") == 5432
    assert server.version == 1


def test_unset_removes_value() -> None:
    server, _ = make_server()
    server.set("debug", True)
    change = server.unset("debug")
    assert server.get("debug") is None
    assert change.removed == {("debug",)}


def test_unset_of_unset_leaf_is_refused() -> None:
    server, _ = make_server()
    with pytest.raises(NotSetError):
        server.unset("debug")


def test_get_tree_lists_section() -> None:
    server, _ = make_server()
    server.set("db.port", 5432)
    server.set("db.pool.size", 4)
    server.set("debug", False)
    assert server.get_tree("db") == {"db.pool.size": 4, "db.port": 5432}


def test_errors_share_base_class() -> None:
    for error in (UnknownPathError, WrongTypeError, OutOfRangeError, NotSetError):
        assert issubclass(error, ConfigError)


# Versions and history


def test_each_change_gets_next_version() -> None:
    server, _ = make_server()
    versions = [
        server.set("db.port", 1).version,
        server.set("debug", True).version,
        server.unset("debug").version,
    ]
    assert versions == [1, 2, 3]
    assert server.version == 3


def test_changes_in_one_tick_get_distinct_versions() -> None:
    server, _ = make_server()
    first = server.set("db.port", 1)
    second = server.set("db.port", 2)
    assert first.at == second.at
    assert first.version != second.version


def test_history_lists_changes_in_order() -> None:
    server, clock = make_server()
    server.set("db.port", 1)
    clock.advance(5)
    server.set("debug", True)
    history = server.history()
    assert [(c.version, c.path, c.at) for c in history] == [
        (1, ("db", "port"), 0),
        (2, ("debug",), 5),
    ]


def test_history_since_version() -> None:
    server, _ = make_server()
    for port in (1, 2, 3):
        server.set("db.port", port)
    assert [c.version for c in server.history(since=1)] == [2, 3]


def test_history_limit_keeps_latest() -> None:
    server, _ = make_server(history_limit=2)
    for port in (1, 2, 3):
        server.set("db.port", port)
    assert [c.version for c in server.history()] == [2, 3]
    assert server.version == 3


def test_expected_version_allows_matching_update() -> None:
    server, _ = make_server()
    server.set("db.port", 1)
    assert server.set("db.port", 2, expected_version=1).version == 2


def test_expected_version_refuses_stale_update() -> None:
    server, _ = make_server()
    server.set("db.port", 1)
    with pytest.raises(VersionMismatchError) as caught:
        server.set("db.port", 2, expected_version=0)
    assert (caught.value.expected, caught.value.actual) == (0, 1)
    assert server.get("db.port") == 1


# Atomic updates


def test_update_sets_all_leaves_in_one_change() -> None:
    server, _ = make_server()
    change = server.update({"db.port": 5432, "db.host": "h", "debug": True})
    assert change.version == 1
    assert change.kind is ChangeKind.UPDATE
    assert change.path == ()
    assert server.get_tree() == {"db.host": "h", "db.port": 5432, "debug": True}


def test_update_with_one_bad_value_changes_nothing() -> None:
    server, _ = make_server()
    with pytest.raises(OutOfRangeError):
        server.update({"db.port": 5432, "db.pool.size": 0})
    assert server.get_tree() == {}
    assert server.version == 0


def test_update_reports_type_errors_before_range_errors() -> None:
    server, _ = make_server()
    with pytest.raises(WrongTypeError):
        server.update({"db.port": 0, "debug": "yes"})


def test_empty_update_is_refused() -> None:
    server, _ = make_server()
    with pytest.raises(InvalidPathError):
        server.update({})


def test_replace_clears_unnamed_leaves_of_section() -> None:
    server, _ = make_server()
    server.update({"db.port": 5432, "db.host": "h", "db.pool.size": 4, "debug": True})
    change = server.replace("db", {"db.port": 6000})
    assert server.get_tree() == {"db.port": 6000, "debug": True}
    assert change.removed == {("db", "host"), ("db", "pool", "size")}
    assert change.path == ("db",)


def test_replace_with_nothing_clears_section() -> None:
    server, _ = make_server()
    server.update({"db.port": 5432, "debug": True})
    server.replace("db", {})
    assert server.get_tree() == {"debug": True}


def test_replace_outside_parent_is_refused() -> None:
    server, _ = make_server()
    with pytest.raises(OutsideParentError):
        server.replace("db", {"debug": True})
    assert server.version == 0


def test_replace_with_bad_value_changes_nothing() -> None:
    server, _ = make_server()
    server.set("db.port", 5432)
    with pytest.raises(WrongTypeError):
        server.replace("db", {"db.host": 1})
    assert server.get("db.port") == 5432


# Subscriptions


def test_leaf_subscriber_is_notified() -> None:
    server, _ = make_server()
    port = subscribe(server, "db.port")
    server.set("db.port", 1)
    assert port.versions == [1]


def test_prefix_subscribers_are_notified() -> None:
    server, _ = make_server()
    db = subscribe(server, "db")
    root = subscribe(server, "")
    server.set("db.pool.size", 3)
    assert db.versions == [1]
    assert root.versions == [1]


def test_unrelated_subscriber_is_not_notified() -> None:
    server, _ = make_server()
    log = subscribe(server, "log")
    sibling = subscribe(server, "db.host")
    server.set("db.port", 1)
    assert log.versions == []
    assert sibling.versions == []


def test_replacing_parent_notifies_descendants() -> None:
    server, _ = make_server()
    size = subscribe(server, "db.pool.size")
    host = subscribe(server, "db.host")
    server.replace("db", {"db.port": 1})
    assert size.versions == [1]
    assert host.versions == [1]


def test_update_notifies_each_touched_branch_once() -> None:
    server, _ = make_server()
    db = subscribe(server, "db")
    debug = subscribe(server, "debug")
    server.update({"db.port": 1, "db.host": "h", "debug": True})
    assert db.versions == [1]
    assert debug.versions == [1]


def test_notification_carries_change() -> None:
    server, _ = make_server()
    got: list[Change] = []
    server.subscribe("db", got.append)
    server.set("db.port", 7)
    assert got[0].values == {("db", "port"): 7}
    assert got[0].kind is ChangeKind.SET


def test_cancelled_subscription_is_silent() -> None:
    server, _ = make_server()
    recorder = Recorder()
    subscription = server.subscribe("db", recorder)
    subscription.cancel()
    server.set("db.port", 1)
    assert recorder.versions == []
    assert not subscription.active
    assert server.subscriptions() == ()


def test_subscribing_to_undeclared_path_is_fine() -> None:
    server, _ = make_server()
    later = subscribe(server, "cache.size")
    server.declare("cache.size", IntField())
    server.set("cache.size", 1)
    assert later.versions == [1]


def test_failing_subscriber_does_not_stop_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, _ = make_server()

    def broken(change: Change) -> None:
        raise RuntimeError("subscriber bug")

    server.subscribe("db", broken)
    after = subscribe(server, "db")
    with caplog.at_level(logging.ERROR):
        server.set("db.port", 1)
    assert after.versions == [1]
    assert server.get("db.port") == 1
    assert "failed on change 1" in caplog.text


def test_change_made_in_callback_arrives_in_order() -> None:
    server, _ = make_server()

    def cascade(change: Change) -> None:
        if change.version == 1:
            server.set("db.pool.size", 2)

    server.subscribe("db.port", cascade)
    later = subscribe(server, "")
    server.set("db.port", 1)
    assert later.versions == [1, 2]
    assert server.get("db.pool.size") == 2


def test_subscribers_of_lists_related_topics() -> None:
    server, _ = make_server()
    root = server.subscribe("", Recorder())
    db = server.subscribe("db", Recorder())
    below = server.subscribe("db.pool.size", Recorder())
    server.subscribe("log", Recorder())
    assert server.subscribers_of("db.pool") == (root, db, below)


def test_subscribers_of_skips_cancelled() -> None:
    server, _ = make_server()
    subscription = server.subscribe("db", Recorder())
    subscription.cancel()
    assert server.subscribers_of("db.port") == ()


def test_rejects_non_callable_callback() -> None:
    server, _ = make_server()
    with pytest.raises(TypeError, match="callback must be callable"):
        server.subscribe("db", None)  # type: ignore[arg-type]


# Threads


def test_concurrent_writers_get_distinct_consecutive_versions() -> None:
    threads_count = 8
    writes = 200
    server = ConfigServer(history_limit=None)
    for index in range(threads_count):
        server.declare(f"w{index}.count", IntField())
    root = subscribe(server, "")
    versions: list[list[int]] = [[] for _ in range(threads_count)]

    def write(index: int) -> None:
        for count in range(writes):
            versions[index].append(server.set(f"w{index}.count", count).version)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = threads_count * writes
    everything = sorted(v for per_thread in versions for v in per_thread)
    assert everything == list(range(1, total + 1))
    assert [c.version for c in server.history()] == list(range(1, total + 1))
    assert root.versions == list(range(1, total + 1))
    assert server.get_tree() == {
        f"w{i}.count": writes - 1 for i in range(threads_count)
    }


def test_readers_never_see_half_a_replace() -> None:
    server = ConfigServer({"pair.a": IntField(), "pair.b": IntField()})
    server.update({"pair.a": 0, "pair.b": 0})
    torn: list[dict[str, object]] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            tree = server.get_tree("pair")
            if tree["pair.a"] != tree["pair.b"]:
                torn.append(tree)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    for n in range(1, 2000):
        server.replace("pair", {"pair.a": n, "pair.b": n})
    stop.set()
    for reader in readers:
        reader.join()
    assert torn == []


# Crash recovery


def make_stored_server(
    history_limit: int | None = None,
) -> tuple[ConfigServer, ManualClock, MemoryConfigStore]:
    clock = ManualClock()
    store = MemoryConfigStore(history_limit)
    server = ConfigServer(SCHEMA, clock=clock, history_limit=history_limit, store=store)
    return server, clock, store


def recover(
    store: MemoryConfigStore, clock: ManualClock, history_limit: int | None = None
) -> ConfigServer:
    return ConfigServer.recover(store, clock=clock, history_limit=history_limit)


def test_recovery_restores_state() -> None:
    server, clock, store = make_stored_server()
    server.set("db.port", 5432)
    clock.advance(3)
    server.update({"db.host": "primary", "debug": True})
    server.unset("debug")
    server.replace("db.pool", {"db.pool.size": 8})
    recovered = recover(store, clock)
    assert recovered.snapshot() == server.snapshot()


def test_recovery_never_reuses_versions() -> None:
    server, clock, store = make_stored_server()
    server.set("db.port", 1)
    server.set("db.port", 2)
    recovered = recover(store, clock)
    assert recovered.version == 2
    assert recovered.set("db.port", 3).version == 3
    with pytest.raises(VersionMismatchError):
        recovered.set("db.port", 4, expected_version=2)


def test_recovered_schema_still_validates() -> None:
    _, clock, store = make_stored_server()
    recovered = recover(store, clock)
    with pytest.raises(OutOfRangeError):
        recovered.set("db.port", 0)
    with pytest.raises(PathConflictError):
        recovered.declare("db.pool", IntField())
    assert recovered.get_tree("db") == {}


def test_recovery_keeps_history_limit() -> None:
    server, clock, store = make_stored_server(history_limit=2)
    for port in (1, 2, 3):
        server.set("db.port", port)
    recovered = recover(store, clock, history_limit=2)
    assert [c.version for c in recovered.history()] == [2, 3]
    assert recovered.version == 3


def test_recovery_drops_subscriptions() -> None:
    server, clock, store = make_stored_server()
    subscribe(server, "db")
    recovered = recover(store, clock)
    assert recovered.subscriptions() == ()
    again = subscribe(recovered, "db")
    recovered.set("db.port", 9)
    assert again.versions == [1]


def test_recovered_server_keeps_storing() -> None:
    server, clock, store = make_stored_server()
    server.set("db.port", 1)
    first = recover(store, clock)
    first.declare("cache.size", IntField(minimum=0))
    first.set("cache.size", 64)
    second = recover(store, clock)
    assert second.snapshot() == first.snapshot()
    assert second.get("cache.size") == 64


def test_store_matches_server_under_threads() -> None:
    server, clock, store = make_stored_server()

    def write(port: int) -> None:
        for _ in range(100):
            server.set("db.port", port)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recovered = recover(store, clock)
    assert recovered.snapshot() == server.snapshot()
    assert recovered.version == 400
