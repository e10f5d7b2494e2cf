"""A thread-safe configuration server: typed values under dotted paths.

Values live at the leaves of a tree of dotted paths (``"db.pool.size"``).
Every leaf is declared in a schema with its type and bounds before it can
hold a value, so a value that is stored has passed validation. A leaf is
never also a section: ``db.pool`` cannot be declared once ``db.pool.size``
is.

Every committed update is one change with its own version, one more than the
last, so no two changes collide even when they arrive in the same clock tick,
and the history lists them in the order they were applied. An update touching
several leaves (:meth:`ConfigServer.update`, :meth:`ConfigServer.replace`) is
validated as a whole and applied as one change, or rejected with nothing
changed. ``expected_version`` turns any update into a compare-and-set.

Subscribers of a path hear about every change that touches it: a change to a
leaf notifies the subscribers of the leaf and of each of its prefixes, and
replacing a section notifies the subscribers of the section, of its prefixes,
and of every path below it. Notifications are delivered in version order,
after the change is committed and outside the state lock; the call that made
the change returns once they are delivered, unless it was made from inside a
notification, in which case the delivery already under way delivers it next.

With a :class:`~reference_impl.config_server_store.ConfigStore`, the server
copies every declaration and committed change to the store under its lock,
and :meth:`ConfigServer.recover` rebuilds a crashed server from it. The
schema, the values, the version and the history come back. Subscriptions do
not, because their callbacks lived in the crashed process: subscribers
subscribe again and read what they missed from :meth:`ConfigServer.history`.
"""

from __future__ import annotations

import enum
import itertools
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from reference_impl._checks import require_int, require_positive_int
from reference_impl.clock import Clock, MonotonicClock
from reference_impl.config_server_store import ConfigStore

__all__ = [
    "AlreadyDeclaredError",
    "BoolField",
    "Change",
    "ChangeKind",
    "ConfigError",
    "ConfigServer",
    "ConfigSnapshot",
    "Field",
    "IntField",
    "InvalidBoundsError",
    "InvalidPathError",
    "NotSetError",
    "OutOfRangeError",
    "OutsideParentError",
    "Path",
    "PathConflictError",
    "PathLike",
    "PathValues",
    "StrField",
    "Subscription",
    "UnknownPathError",
    "VersionMismatchError",
    "WrongTypeError",
    "format_path",
    "parse_path",
]

logger = logging.getLogger(__name__)

Path = tuple[str, ...]
"""A path as its segments; ``()`` is the root, above every leaf."""

# The server has a method named ``set``, which would shadow the builtin in
# annotations inside the class.
_PathSet = set[Path]

PathLike = str | Sequence[str]
"""A dotted string (``"db.port"``, ``""`` for the root) or a sequence of segments."""

PathValues = Mapping[str, object] | Mapping[Path, object] | Mapping[PathLike, object]
"""New values by path, with the paths in any of the forms ``PathLike`` allows."""


# --- errors -------------------------------------------------------------------


class ConfigError(Exception):
    """Base class of the errors a configuration server raises for a rejected request."""


class InvalidPathError(ConfigError, ValueError):
    """A path that is malformed, or empty where a leaf is needed."""


class InvalidBoundsError(ConfigError, ValueError):
    """A field whose minimum is above its maximum, or whose limits are not ints."""


class AlreadyDeclaredError(ConfigError):
    """The leaf is declared already; a declaration cannot be changed."""


class PathConflictError(ConfigError):
    """The path lies above or below a declared leaf, so it cannot be a leaf."""


class UnknownPathError(ConfigError, KeyError):
    """No leaf is declared at the path."""

    def __str__(self) -> str:
        # KeyError would quote the whole message.
        return str(self.args[0])


class WrongTypeError(ConfigError, TypeError):
    """The value is not of the type its field declares."""


class OutOfRangeError(ConfigError, ValueError):
    """The value is of the right type but outside its field's bounds."""


class OutsideParentError(ConfigError, ValueError):
    """A replacement names a leaf that is not under the section it replaces."""


class NotSetError(ConfigError):
    """The leaf has no value, so there is nothing to unset."""


class VersionMismatchError(ConfigError):
    """A compare-and-set update found a different version than it expected.

    Attributes:
        expected: the version the caller expected.
        actual: the version the server was at.
    """

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"expected configuration version {expected}, but it is at {actual}"
        )
        self.expected = expected
        self.actual = actual


# --- paths --------------------------------------------------------------------


def parse_path(path: PathLike) -> Path:
    """Return the segments of ``path``.

    >>> parse_path("db.pool.size")
    ('db', 'pool', 'size')
    >>> parse_path("")
    ()

    Raises:
        InvalidPathError: if a segment is empty, contains a dot or whitespace,
            or is not a str.
    """
    segments = tuple(path.split(".")) if isinstance(path, str) else tuple(path)
    if segments == ("",):
        return ()
    for segment in segments:
        if not isinstance(segment, str) or not segment:
            raise InvalidPathError(f"path {path!r} has an empty or non-str segment")
        if "." in segment or any(char.isspace() for char in segment):
            raise InvalidPathError(
                f"path {path!r} has segment {segment!r}, which contains a dot or "
                "whitespace"
            )
    return segments


def format_path(path: Path) -> str:
    """Return ``path`` as a dotted string; the root is ``""``."""
    return ".".join(path)


def _is_prefix(prefix: Path, path: Path) -> bool:
    return path[: len(prefix)] == prefix


def _related(topic: Path, path: Path) -> bool:
    return _is_prefix(topic, path) or _is_prefix(path, topic)


def _proper_prefixes(path: Path) -> Iterator[Path]:
    return (path[:n] for n in range(len(path)))


# --- fields -------------------------------------------------------------------


@dataclass(frozen=True)
class IntField:
    """An integer leaf, optionally bounded (both bounds inclusive).

    Raises:
        InvalidBoundsError: if a bound is not an int or ``minimum > maximum``.
    """

    minimum: int | None = None
    maximum: int | None = None

    def __post_init__(self) -> None:
        for name in ("minimum", "maximum"):
            bound = getattr(self, name)
            if bound is not None and (
                isinstance(bound, bool) or not isinstance(bound, int)
            ):
                raise InvalidBoundsError(
                    f"{name} must be an int or None, got {bound!r}"
                )
        if (
            self.minimum is not None
            and self.maximum is not None
            and self.minimum > self.maximum
        ):
            raise InvalidBoundsError(
                f"minimum ({self.minimum}) must not be above maximum ({self.maximum})"
            )

    def check_type(self, path: Path, value: object) -> None:
        """Raise WrongTypeError unless ``value`` is an int (a bool is not)."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise WrongTypeError(_wrong_type(path, "an int", value))

    def check_range(self, path: Path, value: object) -> None:
        """Raise OutOfRangeError unless ``value`` is within the bounds."""
        assert isinstance(value, int)
        low, high = self.minimum, self.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            raise OutOfRangeError(
                f"{format_path(path)}: {value} is outside [{low}, {high}]"
            )


@dataclass(frozen=True)
class BoolField:
    """A boolean leaf."""

    def check_type(self, path: Path, value: object) -> None:
        """Raise WrongTypeError unless ``value`` is a bool."""
        if not isinstance(value, bool):
            raise WrongTypeError(_wrong_type(path, "a bool", value))

    def check_range(self, path: Path, value: object) -> None:
        """Accept every bool: a boolean field has no bounds."""


@dataclass(frozen=True)
class StrField:
    """A string leaf, optionally limited in length or to a set of choices.

    Raises:
        InvalidBoundsError: if ``max_length`` is below 0 or not an int.
    """

    choices: frozenset[str] | None = None
    max_length: int | None = None

    def __post_init__(self) -> None:
        length = self.max_length
        if length is not None and (
            isinstance(length, bool) or not isinstance(length, int) or length < 0
        ):
            raise InvalidBoundsError(
                f"max_length must be None or an int of at least 0, got {length!r}"
            )
        if self.choices is not None:
            object.__setattr__(self, "choices", frozenset(self.choices))

    def check_type(self, path: Path, value: object) -> None:
        """Raise WrongTypeError unless ``value`` is a str."""
        if not isinstance(value, str):
            raise WrongTypeError(_wrong_type(path, "a str", value))

    def check_range(self, path: Path, value: object) -> None:
        """Raise OutOfRangeError if ``value`` is too long or not a choice."""
        assert isinstance(value, str)
        if self.max_length is not None and len(value) > self.max_length:
            raise OutOfRangeError(
                f"{format_path(path)}: {len(value)} characters is longer than "
                f"{self.max_length}"
            )
        if self.choices is not None and value not in self.choices:
            raise OutOfRangeError(
                f"{format_path(path)}: {value!r} is not one of {sorted(self.choices)}"
            )


Field = IntField | BoolField | StrField
"""The declaration of one leaf's type and bounds."""


def _wrong_type(path: Path, expected: str, value: object) -> str:
    return (
        f"{format_path(path)} must be {expected}, got {value!r} "
        f"({type(value).__name__})"
    )


# --- changes and subscriptions -----------------------------------------------


class ChangeKind(enum.Enum):
    """The kind of update that made a change."""

    SET = "set"
    UNSET = "unset"
    REPLACE = "replace"
    UPDATE = "update"


@dataclass(frozen=True)
class Change:
    """One committed update.

    Attributes:
        version: the server's version after the change; versions count the
            changes from 1, so each is unique.
        kind: the update that made the change.
        path: the leaf set or unset, the section replaced, or for an update
            of several leaves the longest path above all of them.
        at: the clock reading when the change was committed.
        values: the new value of each leaf the change set.
        removed: the leaves the change left without a value.
    """

    version: int
    kind: ChangeKind
    path: Path
    at: int
    values: Mapping[Path, object]
    removed: frozenset[Path]


Callback = Callable[[Change], None]


class Subscription:
    """A subscriber's registration for the changes that touch ``topic``.

    Returned by :meth:`ConfigServer.subscribe`; cancel it to stop the
    notifications.
    """

    def __init__(
        self, server: ConfigServer, topic: Path, callback: Callback, order: int
    ) -> None:
        self._server = server
        self._callback = callback
        self.topic: Path = topic
        self.order = order  # subscribers of one change are notified in this order
        self.active = True

    def cancel(self) -> None:
        """Stop notifications; a notification being delivered may still arrive."""
        self._server._cancel(self)

    def __repr__(self) -> str:
        state = "active" if self.active else "cancelled"
        return f"Subscription({format_path(self.topic)!r}, {state})"


@dataclass(frozen=True)
class ConfigSnapshot:
    """The state of a configuration server at one instant.

    Attributes:
        schema: the field of every declared leaf.
        values: the value of every leaf that has one.
        version: the number of changes committed.
        history: the retained changes, oldest first.
        now: the clock reading at which the snapshot was taken.
    """

    schema: dict[Path, Field]
    values: dict[Path, object]
    version: int
    history: tuple[Change, ...]
    now: int


@dataclass
class _Plan:
    # A validated update, not yet applied: what to set and what to remove.
    kind: ChangeKind
    path: Path
    scope: tuple[Path, ...]
    values: dict[Path, object] = field(default_factory=dict)
    removed: set[Path] = field(default_factory=set)


# --- the server ---------------------------------------------------------------


class ConfigServer:
    """Typed configuration with validated, versioned updates and subscriptions.

    Reads and writes of the state take one lock, so every reader sees whole
    changes. Lookups are dict lookups: their cost does not grow with the
    number of leaves.

    Args:
        schema: leaves to declare at once, by path.
        clock: the source of monotonic readings for change times. The default
            is a :class:`~reference_impl.clock.MonotonicClock` in milliseconds.
        history_limit: how many recent changes :meth:`history` keeps, or None
            to keep them all.
        name: a label for log records and error messages.
        store: where every declaration and committed change is copied, to
            recover the server after a crash; none by default.

    Raises:
        TypeError: if ``history_limit`` is not an int.
        ValueError: if ``history_limit`` is less than 1.
        ConfigError: if the schema's paths are malformed or conflict.
    """

    def __init__(
        self,
        schema: Mapping[str, Field] | None = None,
        *,
        clock: Clock | None = None,
        history_limit: int | None = 1000,
        name: str = "config",
        store: ConfigStore | None = None,
    ) -> None:
        if history_limit is not None:
            require_positive_int("history_limit", history_limit)
        self._clock: Clock = clock if clock is not None else MonotonicClock()
        self._name = name
        self._lock = threading.Lock()
        self._schema: dict[Path, Field] = {}
        # Every proper prefix of a declared leaf, with the leaves below it.
        self._leaves_under: dict[Path, _PathSet] = {}
        self._values: dict[Path, object] = {}
        self._version = 0
        self._history: deque[Change] = deque(maxlen=history_limit)
        self._by_topic: dict[Path, set[Subscription]] = {}
        # Every proper prefix of a subscribed topic, with the subscriptions below.
        self._subscriptions_under: dict[Path, set[Subscription]] = {}
        self._outbox: deque[tuple[Change, tuple[Subscription, ...]]] = deque()
        self._delivery_lock = threading.Lock()
        self._delivering = threading.local()
        self._order = itertools.count()
        self._store = store
        for path, declared in (schema or {}).items():
            self.declare(path, declared)

    @classmethod
    def recover(
        cls,
        store: ConfigStore,
        *,
        clock: Clock | None = None,
        history_limit: int | None = 1000,
        name: str = "config",
    ) -> ConfigServer:
        """Rebuild a crashed server from the store it wrote to.

        The schema, the values, the version and the retained history come
        back, so the next change gets the next version. No subscription
        comes back: a subscriber subscribes again and reads the changes
        after the last version it saw from :meth:`history`. The new server
        keeps writing to ``store``.

        Args:
            store: the store the crashed server wrote to.
            clock, history_limit, name: as for the constructor.
        """
        server = cls(clock=clock, history_limit=history_limit, name=name)
        stored = store.contents()
        for leaf, declared in stored.schema.items():
            server._add_leaf(leaf, declared)
        server._values = dict(stored.values)
        server._version = stored.version
        server._history.extend(stored.history)
        server._store = store
        logger.info(
            "%r: recovered %d leaves, %d values and version %d from the store",
            name,
            len(stored.schema),
            len(stored.values),
            stored.version,
        )
        return server

    # --- schema ---

    def declare(self, path: PathLike, declared: Field) -> None:
        """Declare the leaf at ``path`` with its field.

        Raises:
            InvalidPathError: if ``path`` is malformed or the root.
            AlreadyDeclaredError: if the leaf is declared already.
            PathConflictError: if a declared leaf lies above or below ``path``.
            TypeError: if ``declared`` is not a field.
        """
        if not isinstance(declared, IntField | BoolField | StrField):
            raise TypeError(
                f"field must be an IntField, BoolField or StrField, got {declared!r}"
            )
        leaf = _require_leaf(path)
        with self._lock:
            if leaf in self._schema:
                raise AlreadyDeclaredError(f"{format_path(leaf)} is declared already")
            conflict = self._conflict(leaf)
            if conflict is not None:
                raise PathConflictError(
                    f"{format_path(leaf)} cannot be a leaf: {format_path(conflict)} "
                    "is declared as a leaf and one lies inside the other"
                )
            self._add_leaf(leaf, declared)
            if self._store is not None:
                self._store.declare(leaf, declared)

    def field(self, path: PathLike) -> Field:
        """Return the field declared for the leaf at ``path``.

        Raises:
            UnknownPathError: if no leaf is declared there.
        """
        leaf = parse_path(path)
        with self._lock:
            return self._field(leaf)

    # --- reads ---

    def get(self, path: PathLike, default: object = None) -> object:
        """Return the value at the leaf ``path``, or ``default`` if it has none.

        Raises:
            UnknownPathError: if no leaf is declared at ``path``.
        """
        leaf = parse_path(path)
        with self._lock:
            self._field(leaf)
            return self._values.get(leaf, default)

    def get_tree(self, prefix: PathLike = "") -> dict[str, object]:
        """Return the values of the leaves at or below ``prefix``, by dotted path."""
        section = parse_path(prefix)
        with self._lock:
            return {
                format_path(leaf): self._values[leaf]
                for leaf in sorted(self._leaves_at(section))
                if leaf in self._values
            }

    @property
    def version(self) -> int:
        """The number of changes committed so far."""
        with self._lock:
            return self._version

    def history(self, since: int = 0) -> tuple[Change, ...]:
        """Return the retained changes with a version above ``since``, in order."""
        require_int("since", since)
        with self._lock:
            return tuple(c for c in self._history if c.version > since)

    def snapshot(self) -> ConfigSnapshot:
        """Return the schema, the values, the version and the history atomically."""
        with self._lock:
            return ConfigSnapshot(
                schema=dict(self._schema),
                values=dict(self._values),
                version=self._version,
                history=tuple(self._history),
                now=self._clock.now(),
            )

    # --- writes ---

    def set(
        self, path: PathLike, value: object, *, expected_version: int | None = None
    ) -> Change:
        """Set the leaf at ``path`` to ``value``.

        Args:
            path: a declared leaf.
            value: a value its field accepts.
            expected_version: if given, the change is made only if the server
                is at this version.

        Returns:
            The committed change.

        Raises:
            UnknownPathError: if no leaf is declared at ``path``.
            WrongTypeError: if ``value`` is not of the field's type.
            OutOfRangeError: if ``value`` is outside the field's bounds.
            VersionMismatchError: if ``expected_version`` is not the version.
        """
        leaf = parse_path(path)
        with self._lock:
            self._check_values({leaf: value})
            self._check_version(expected_version)
            plan = _Plan(ChangeKind.SET, leaf, (leaf,), values={leaf: value})
            change = self._commit(plan)
        self._deliver()
        return change

    def unset(self, path: PathLike, *, expected_version: int | None = None) -> Change:
        """Remove the value of the leaf at ``path``.

        Raises:
            UnknownPathError: if no leaf is declared at ``path``.
            NotSetError: if the leaf holds no value.
            VersionMismatchError: if ``expected_version`` is not the version.
        """
        leaf = parse_path(path)
        with self._lock:
            self._field(leaf)
            if leaf not in self._values:
                raise NotSetError(f"{format_path(leaf)} has no value to unset")
            self._check_version(expected_version)
            plan = _Plan(ChangeKind.UNSET, leaf, (leaf,), removed={leaf})
            change = self._commit(plan)
        self._deliver()
        return change

    def update(
        self, values: PathValues, *, expected_version: int | None = None
    ) -> Change:
        """Set several leaves at once, as one change, or none of them.

        Raises:
            InvalidPathError: if ``values`` is empty.
            UnknownPathError, WrongTypeError, OutOfRangeError: as :meth:`set`,
                for the first leaf that fails; nothing is changed.
            VersionMismatchError: if ``expected_version`` is not the version.
        """
        leaves = _parse_keys(values)
        if not leaves:
            raise InvalidPathError("update needs at least one leaf")
        with self._lock:
            self._check_values(leaves)
            self._check_version(expected_version)
            common = _common_prefix(list(leaves))
            plan = _Plan(ChangeKind.UPDATE, common, tuple(leaves), values=leaves)
            change = self._commit(plan)
        self._deliver()
        return change

    def replace(
        self,
        parent: PathLike,
        values: PathValues,
        *,
        expected_version: int | None = None,
    ) -> Change:
        """Replace everything at or below ``parent`` with ``values``, as one change.

        Leaves below ``parent`` that ``values`` does not name are left without
        a value; ``replace(parent, {})`` clears the section. Leaves elsewhere
        are untouched.

        Args:
            parent: the section (or leaf, or ``""`` for everything) to replace.
            values: the new values, by path; every path must be at or below
                ``parent``.
            expected_version: if given, the change is made only if the server
                is at this version.

        Returns:
            The committed change. Its path is ``parent``.

        Raises:
            OutsideParentError: if a path in ``values`` is not under ``parent``.
            UnknownPathError, WrongTypeError, OutOfRangeError: as :meth:`set`;
                nothing is changed.
            VersionMismatchError: if ``expected_version`` is not the version.
        """
        section = parse_path(parent)
        leaves = _parse_keys(values)
        outside = [leaf for leaf in leaves if not _is_prefix(section, leaf)]
        if outside:
            raise OutsideParentError(
                f"{format_path(outside[0])} is not under {format_path(section)!r}"
            )
        with self._lock:
            self._check_values(leaves)
            self._check_version(expected_version)
            plan = _Plan(ChangeKind.REPLACE, section, (section,), values=leaves)
            plan.removed = {
                leaf
                for leaf in self._leaves_at(section)
                if leaf in self._values and leaf not in leaves
            }
            change = self._commit(plan)
        self._deliver()
        return change

    # --- subscriptions ---

    def subscribe(self, topic: PathLike, callback: Callback) -> Subscription:
        """Call ``callback`` with every change that touches ``topic``.

        A change touches a topic if it sets or unsets a leaf at, above or
        below it, or replaces a section at, above or below it. The topic
        need not be declared: subscribing to a section, to the root
        (``""``), or to a leaf yet to be declared are all fine.

        Callbacks run in version order, one at a time, outside the state
        lock, so they may read and write the server. An exception from a
        callback is logged and does not stop the others.

        Raises:
            InvalidPathError: if ``topic`` is malformed.
            TypeError: if ``callback`` is not callable.
        """
        if not callable(callback):
            raise TypeError(f"callback must be callable, got {callback!r}")
        path = parse_path(topic)
        with self._lock:
            subscription = Subscription(self, path, callback, next(self._order))
            self._by_topic.setdefault(path, set()).add(subscription)
            for prefix in _proper_prefixes(path):
                self._subscriptions_under.setdefault(prefix, set()).add(subscription)
        return subscription

    def subscribers_of(self, path: PathLike) -> tuple[Subscription, ...]:
        """Return the active subscriptions that a change at ``path`` notifies.

        They are those whose topic lies at, above or below ``path``, in the
        order they were made, as an update's notifications are sent.

        Raises:
            InvalidPathError: if ``path`` is malformed.
        """
        target = parse_path(path)
        with self._lock:
            return self._audience((target,))

    def subscriptions(self) -> tuple[Subscription, ...]:
        """Return the active subscriptions."""
        with self._lock:
            return tuple(s for group in self._by_topic.values() for s in group)

    def _cancel(self, subscription: Subscription) -> None:
        with self._lock:
            if not subscription.active:
                return
            subscription.active = False
            path = subscription.topic
            _discard(self._by_topic, path, subscription)
            for prefix in _proper_prefixes(path):
                _discard(self._subscriptions_under, prefix, subscription)

    # --- internals (the caller holds the lock unless a comment states otherwise) ---

    def _add_leaf(self, leaf: Path, declared: Field) -> None:
        self._schema[leaf] = declared
        for prefix in _proper_prefixes(leaf):
            self._leaves_under.setdefault(prefix, set()).add(leaf)

    def _field(self, leaf: Path) -> Field:
        declared = self._schema.get(leaf)
        if declared is None:
            raise UnknownPathError(f"no leaf is declared at {format_path(leaf)!r}")
        return declared

    def _conflict(self, leaf: Path) -> Path | None:
        for prefix in _proper_prefixes(leaf):
            if prefix in self._schema:
                return prefix
        below = self._leaves_under.get(leaf)
        return min(below) if below else None

    def _leaves_at(self, section: Path) -> _PathSet:
        if section in self._schema:
            return {section}
        return self._leaves_under.get(section, _PathSet())

    def _check_values(self, values: Mapping[Path, object]) -> None:
        # Every leaf is checked for each kind of mistake before the next kind,
        # so the error reported does not depend on the order of the mapping.
        fields = {leaf: self._field(leaf) for leaf in values}
        for leaf, value in values.items():
            fields[leaf].check_type(leaf, value)
        for leaf, value in values.items():
            fields[leaf].check_range(leaf, value)

    def _check_version(self, expected: int | None) -> None:
        if expected is not None and require_int("expected_version", expected) != (
            self._version
        ):
            raise VersionMismatchError(expected, self._version)

    def _commit(self, plan: _Plan) -> Change:
        self._version += 1
        for leaf in plan.removed:
            del self._values[leaf]
        self._values.update(plan.values)
        change = Change(
            version=self._version,
            kind=plan.kind,
            path=plan.path,
            at=self._clock.now(),
            values=MappingProxyType(dict(plan.values)),
            removed=frozenset(plan.removed),
        )
        self._history.append(change)
        if self._store is not None:
            self._store.commit(change)
        audience = self._audience(plan.scope)
        if audience:
            self._outbox.append((change, audience))
        return change

    def _audience(self, scope: Iterable[Path]) -> tuple[Subscription, ...]:
        found: set[Subscription] = set()
        for path in scope:
            for prefix in (*_proper_prefixes(path), path):
                found.update(self._by_topic.get(prefix, ()))
            found.update(self._subscriptions_under.get(path, ()))
        return tuple(sorted(found, key=lambda s: s.order))

    def _deliver(self) -> None:
        # Called without the lock. Changes leave the outbox in version order,
        # and only the thread holding the delivery lock takes them out, so
        # every subscriber sees them in version order.
        if getattr(self._delivering, "active", False):
            return  # a callback's own change: the delivery under way sends it
        with self._delivery_lock:
            self._delivering.active = True
            try:
                while True:
                    with self._lock:
                        if not self._outbox:
                            return
                        change, audience = self._outbox.popleft()
                    for subscription in audience:
                        if subscription.active:
                            self._notify(subscription, change)
            finally:
                self._delivering.active = False

    def _notify(self, subscription: Subscription, change: Change) -> None:
        try:
            subscription._callback(change)
        except Exception:
            logger.exception(
                "%r: subscriber of %r failed on change %d",
                self._name,
                format_path(subscription.topic),
                change.version,
            )


def _require_leaf(path: PathLike) -> Path:
    leaf = parse_path(path)
    if not leaf:
        raise InvalidPathError("the root cannot be a leaf; name a path like 'a.b'")
    return leaf


def _parse_keys(values: PathValues) -> dict[Path, object]:
    leaves: dict[Path, object] = {}
    for key, value in values.items():
        leaf = parse_path(key)
        if leaf in leaves:
            raise InvalidPathError(f"{format_path(leaf)!r} is named twice")
        leaves[leaf] = value
    return leaves


def _common_prefix(paths: list[Path]) -> Path:
    shortest, longest = min(paths), max(paths)
    size = 0
    while size < len(shortest) and shortest[size] == longest[size]:
        size += 1
    return shortest[:size]


def _discard(
    index: dict[Path, set[Subscription]], path: Path, item: Subscription
) -> None:
    group = index.get(path)
    if group is not None:
        group.discard(item)
        if not group:
            del index[path]
