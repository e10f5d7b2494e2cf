"""Structured expressions with known values, shared by the encoding and codegen tests.

Each expression is closed (it reads no state), so its value is what the
spec's semantics gives it: the verifier's Python evaluator computes it, Z3
must prove it, and the generated model must return it.
"""

from __future__ import annotations

DECLS = """\
  enum Mode { On, Off }
  record R { a: Int, b: Set[Int] }
"""

EXPRESSIONS = [
    # sets
    "insert({1}, 2)",
    "insert({1}, 1)",
    "remove({1, 2}, 2)",
    "remove({1}, 5)",
    "union({1, 2}, {2, 3})",
    "intersect({1, 2}, {2, 3})",
    "difference({1, 2}, {2, 3})",
    "subset({1}, {1, 2})",
    "subset({1, 3}, {1, 2})",
    "size({1, 2, 2})",
    "size(union({1}, insert({2}, 1)))",
    "3 in {1, 3}",
    "3 not in {1}",
    "{x in {1, 2, 3} | x > 1}",
    "{k in {1: 2, 3: 4} | k > 1}",
    # maps
    "put({1: 2}, 1, 5)",
    "put({1: 2}, 3, 4)",
    "delete({1: 2, 3: 4}, 1)",
    "delete({1: 2}, 7)",
    "get({1: 2}, 1, 0)",
    "get({1: 2}, 5, 0)",
    "domain({1: 2, 3: 4})",
    "size({1: 2, 3: 4})",
    "size(put({1: 2}, 1, 3))",
    "size(delete({1: 2}, 1))",
    "{1: 2}[1]",
    "1 in {1: 2}",
    "2 in {1: 2}",
    # sequences
    "append([1], 2)",
    "[1, 2, 3][1]",
    "first([4, 5])",
    "last([4, 5])",
    "rest([4, 5, 6])",
    "rest([7])",
    "size([1, 1])",
    "2 in [1, 2]",
    "3 in [1, 2]",
    "[1, 2] == [1, 2]",
    "[1, 2] != [2, 1]",
    "rest(append([1], 2))",
    # options
    "some(3) == some(3)",
    "some(3) == some(4)",
    "is_some(some(1))",
    "is_none(if true then none else some(1))",
    "value(some(4))",
    # records
    "(R { a: 1, b: {2} }).a",
    "(R { a: 1, b: {2} }).b",
    "R { a: 1, b: {2} } with { a: 5 }",
    "(R { a: 1, b: {} } with { b: {3} }) == R { a: 1, b: {3} }",
    # quantifiers
    "forall x in {1, 2} :: x > 0",
    "exists x in {1, 2} :: x > 1",
    "exists x in {1, 2} :: x > 2",
    "forall i in 0..3 :: i < 4",
    "exists i in 1..0 :: true",
    "forall x in [1, 2] :: x > 1",
    "exists x in [1, 2] :: x > 1",
    "forall k in {1: 2} :: k == 1",
    "forall m: Mode :: m == On or m == Off",
    "exists b: Bool :: b",
]
