"""Helpers shared by the spec language tests: a spec using every node kind, a walker."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from spec_lang import ast

# Every declaration, clause, statement, type and expression form, once at least.
EVERY_NODE_SPEC = """\
component Store {
  const capacity: Int where positive: capacity >= 1 where capacity <= 1_000
  const strict: Bool
  enum Mode { Idle, Busy, }
  error Full, Empty
  var size: Int[0..capacity]
  var mode: Mode
  var flag: Bool
  define room: Int = capacity - size
  define busy: Bool = mode == Mode.Busy

  init {
    size := 0
    let start = Idle
    mode := start
    if strict { flag := true } else { flag := false }
  }

  invariant idle_when_empty: size == 0 implies mode == Idle
  invariant !flag || flag

  always grows_by_put: size > old(size) implies mode == Busy
  eventually busy_soon: mode == Busy within 2
  leadsto mode == Idle ~> busy within 3
  fairness weak wake, put
  failure crash {
    keeps size, mode
    ensures kept: size == old(size)
    within 100 ms
  }

  operation put(n: Int[1..capacity], force: Bool) -> Int[0..capacity] {
    requires n >= 1
    requires room_left: n <= room else Full
    ensures grows: size == old(size) + n
    ensures result == size and -result <= 0
    effect {
      let total = size + n
      if total > capacity {
        size := capacity
      } else if force {
        size := total
      } else {
        size := min(total, max(capacity, abs(-total)))
      }
      mode := Busy
      result := size
    }
  }

  operation take(n: Int) {
    requires enough: size >= n else Empty
    ensures size == old(size) - n
    modifies size, mode
  }

  query level() -> Int {
    ensures result == (if busy then size else size * 1 / 1 % (capacity + 1))
    effect { result := size }
  }

  environment wake() {
    requires not busy
    ensures busy iff mode != Idle
    effect { mode := Busy }
  }
}
"""


# Every form of structured state: identities, records, collections, options,
# quantifiers and set filters, and each built-in function once at least.
STRUCTURED_SPEC = """\
component Registry {
  identity Pid, Namespace
  record Entry { pid: Pid, namespace: Namespace, since: Int, tags: Set[Int], }
  enum Health { Alive, Dead }
  error Full, Missing
  const capacity: Int where capacity >= 1

  var entries: Map[Namespace, Map[Pid, Entry]]
  var live: Set[Pid]
  var log: Seq[Pid]
  var latest: Option[Pid]
  var now: Int

  define count: Int = size(live)

  init {
    entries := {}
    live := {}
    log := []
    latest := none
    now := 0
  }

  invariant keyed: forall ns in entries :: forall p in entries[ns] ::
    entries[ns][p].pid == p and entries[ns][p].namespace == ns
  invariant live_registered: forall p in live :: exists ns in domain(entries) ::
    p in entries[ns]
  invariant logged: forall i in 0..size(log) - 1 :: log[i] in live
  invariant latest_logged: is_some(latest) implies value(latest) == last(log)
  invariant no_stray: {p in live | p not in live} == {}
  invariant forall h: Health :: h == Alive or h == Dead

  operation register(ns: Namespace, p: Pid) -> Entry {
    requires room: count < capacity else Full
    requires fresh: p not in live else Full
    ensures registered: p in live and result == entries[ns][p]
    ensures appended: log == append(old(log), p)
    effect {
      let entry = Entry { pid: p, namespace: ns, since: now, tags: {1, 2} }
      entries := put(entries, ns, put(get(entries, ns, {}), p, entry))
      live := insert(live, p)
      log := append(log, p)
      latest := some(p)
      result := entry
    }
  }

  operation touch(ns: Namespace, p: Pid) {
    requires known: ns in entries and p in entries[ns] else Missing
    effect {
      let old_entry = entries[ns][p]
      if (Entry { pid: p, namespace: ns, since: now, tags: {} }) != old_entry {
        entries := put(entries, ns, put(entries[ns], p, old_entry with { since: now }))
      }
    }
  }

  query members(ns: Namespace) -> Set[Pid] {
    ensures subset(result, union(live, difference(live, intersect(live, {}))))
    effect { result := if ns in entries then domain(entries[ns]) else {} }
  }

  query history() -> Seq[Pid] {
    ensures is_none(latest) implies result == []
    effect {
      if size(log) >= 2 and first(log) != last(log) {
        result := rest(log)
      } else {
        result := log
      }
    }
  }

  query counts() -> Map[Int, Int] {
    effect { result := delete({1: size(remove(live, first(log))), 2: count}, 3) }
  }
}
"""


def _is_node(value: object) -> bool:
    return type(value) in _NODE_KINDS


def component(*members: str, name: str = "C") -> str:
    """Spec text of one component with member ``i`` on line ``i + 2``, at column 3."""
    return f"component {name} {{\n" + "".join(f"  {m}\n" for m in members) + "}\n"


def children(node: object) -> Iterator[object]:
    """The AST nodes directly inside ``node``, in field order; types are not nodes."""
    assert dataclasses.is_dataclass(node) and not isinstance(node, type)
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        values = value if isinstance(value, tuple) else (value,)
        yield from (item for item in values if _is_node(item))


def walk(root: object) -> Iterator[object]:
    """Every AST node under ``root`` (a node or a tuple of them), depth first."""
    stack = list(reversed(root)) if isinstance(root, tuple) else [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(children(node))))


def node_kinds() -> set[type]:
    """Every AST node class: the dataclasses of ``spec_lang.ast`` that carry a span."""
    return {
        value
        for value in vars(ast).values()
        if isinstance(value, type)
        and dataclasses.is_dataclass(value)
        and value.__module__ == ast.__name__
        and value not in (ast.Span, ast.Ref)
    }


EXPRESSION_KINDS = (
    ast.IntLit,
    ast.BoolLit,
    ast.Name,
    ast.Qualified,
    ast.ResultRef,
    ast.Old,
    ast.Unary,
    ast.Binary,
    ast.IfThenElse,
    ast.Call,
    ast.NoneLit,
    ast.SetLit,
    ast.MapLit,
    ast.SeqLit,
    ast.RecordLit,
    ast.Field,
    ast.With,
    ast.Index,
    ast.Quantifier,
    ast.SetFilter,
)


_NODE_KINDS = node_kinds()
