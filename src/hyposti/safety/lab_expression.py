"""Reads admiral's CTCAE lab-grading fragments (R `case_when` branches) without running R.

The fragments in admiral's ``ncictcaev5.json`` (pharmaverse/admiral, ``derive_var_atoxgr_dir``)
use a small grammar, parsed here into a tree and evaluated with R's three-valued logic (NA):

    fragment := branch ("," branch)*
    branch   := expr "~" (STRING | "NA_character_")
    expr     := and ("|" and)*
    and      := not ("&" not)*
    not      := "!" not | compare               (R: "!" binds looser than comparisons)
    compare  := sum (("<" | "<=" | ">" | ">=" | "==") sum | "%in%" NAME)?
    sum      := product (("+" | "-") product)*
    product  := unary (("*" | "/") unary)*
    unary    := "-" unary | NUMBER | NAME | NAME "(" args ")" | "(" expr ")"

Only the functions ``signif`` and ``is.na`` and the names of :data:`VARIABLES` are accepted;
anything else is refused when the table is loaded, so no expression can do more than compare
numbers.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Union

from hyposti.errors import DataError

#: Variables the fragments may read: analysis value, normal range, baseline, baseline normal-range
#: indicator, percent change from baseline, and admiral's two options.
VARIABLES = frozenset(
    {"AVAL", "ANRLO", "ANRHI", "BASE", "BNRIND", "PCHG", "signif_dig", "high_indicator"}
)
_FUNCTIONS = {"signif": 2, "is.na": 1}

Value = Union[float, str, bool, None]  # None is R's NA  # noqa: UP007
#: A compiled expression: its value in an environment of variables.
Test = Callable[[Mapping[str, Value]], Value]

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<str>\"[^\"]*\")|(?P<name>[A-Za-z_][A-Za-z0-9_.]*)"
    r"|(?P<op>%in%|<=|>=|==|!=|[<>!&|~,()+\-*/]))"
)


@dataclass(frozen=True)
class Node:
    """One node of a parsed expression: an operator with operands, a literal or a name."""

    kind: str
    args: tuple[Node, ...] = ()
    value: float | str | None = None


@dataclass(frozen=True)
class Branch:
    """``condition ~ outcome``: outcome is the grade ("0".."4") or None for NA_character_.

    ``test`` is ``condition`` compiled once, when the branch is made (see :func:`compile_node`).
    """

    condition: Node
    outcome: str | None
    source: str
    test: Test = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Frozen: the compiled test is derived from the condition, set once here.
        object.__setattr__(self, "test", compile_node(self.condition))

    def __reduce__(self) -> tuple[type[Branch], tuple[Node, str | None, str]]:
        # A compiled test cannot be pickled: a copy is rebuilt from the parsed branch.
        return Branch, (self.condition, self.outcome, self.source)


def _tokens(text: str, where: str) -> tuple[list[str], list[int]]:
    pos, out, starts = 0, [], []
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise DataError(where, None, None, f"cannot read {text[pos:]!r} in {text!r}")
        group = match.lastgroup or "op"
        out.append(match.group(group))
        starts.append(match.start(group))
        pos = match.end()
    starts.append(len(text))
    return out, starts


class _Parser:
    def __init__(self, text: str, where: str) -> None:
        self.text = text
        self.where = where
        self.tokens, self.starts = _tokens(text, where)
        self.pos = 0

    def fail(self, rule: str) -> DataError:
        return DataError(self.where, None, None, f"{rule} in {self.text!r}")

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise self.fail(f"expected {expected or 'more input'}, found {token!r}")
        self.pos += 1
        return token

    def fragment(self) -> list[Branch]:
        branches = []
        while True:
            start = self.pos
            condition = self.expr()
            self.take("~")
            token = self.take()
            if token == "NA_character_":
                outcome = None
            elif token.startswith('"'):
                outcome = token.strip('"')
            else:
                raise self.fail(f"a branch must yield a string or NA_character_, not {token!r}")
            source = self.text[self.starts[start] : self.starts[self.pos]].rstrip(" ,")
            branches.append(Branch(condition, outcome, " ".join(source.split())))
            if self.peek() is None:
                return branches
            self.take(",")

    def expr(self) -> Node:
        node = self.conjunction()
        while self.peek() == "|":
            self.take()
            node = Node("|", (node, self.conjunction()))
        return node

    def conjunction(self) -> Node:
        node = self.negation()
        while self.peek() == "&":
            self.take()
            node = Node("&", (node, self.negation()))
        return node

    def negation(self) -> Node:
        if self.peek() == "!":
            self.take()
            return Node("!", (self.negation(),))
        return self.compare()

    def compare(self) -> Node:
        left = self.sum()
        op = self.peek()
        if op in ("<", "<=", ">", ">=", "==", "!="):
            self.take()
            return Node(op, (left, self.sum()))
        if op == "%in%":
            self.take()
            name = self.take()
            if name not in VARIABLES:
                raise self.fail(f"unknown name {name!r}")
            return Node("%in%", (left, Node("name", value=name)))
        return left

    def sum(self) -> Node:
        node = self.product()
        while self.peek() in ("+", "-"):
            op = self.take()
            node = Node(op, (node, self.product()))
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()
            node = Node(op, (node, self.unary()))
        return node

    def unary(self) -> Node:
        token = self.take()
        if token == "-":
            return Node("neg", (self.unary(),))
        if token == "(":
            node = self.expr()
            self.take(")")
            return node
        if token[0].isdigit() or token[0] == ".":
            return Node("num", value=float(token))
        if token in _FUNCTIONS:
            self.take("(")
            args = [self.expr()]
            while self.peek() == ",":
                self.take()
                args.append(self.expr())
            self.take(")")
            if len(args) != _FUNCTIONS[token]:
                raise self.fail(f"{token}() takes {_FUNCTIONS[token]} argument(s)")
            return Node(token, tuple(args))
        if token in VARIABLES:
            return Node("name", value=token)
        raise self.fail(f"unknown name {token!r}")


def parse_fragment(text: str, where: str) -> list[Branch]:
    """Parse one ``GRADE_n_CODE`` fragment; refuse anything outside the grammar above."""
    return _Parser(text, where).fragment()


def _signif(x: float, digits: float) -> float:
    """R's signif(): round to ``digits`` significant digits."""
    if x == 0 or not math.isfinite(x):
        return x
    return _significant(x, int(digits))


@lru_cache(maxsize=1024)
def _significant(x: float, digits: int) -> float:
    # Memoised: one graded value passes through signif() in branch after branch, and formatting
    # a float to 15 digits is most of a branch's cost. Only finite non-zero values come here, so
    # equal keys are the same number (0.0 and -0.0, equal as keys, never do).
    return float(f"{x:.{digits}g}")


def _truth(value: Value) -> bool | None:
    return None if value is None else bool(value)


#: The binary operators of the grammar: Python's own, applied to the operands' values.
_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def compile_node(node: Node) -> Test:
    """``node`` as a function of the variables, with R semantics: NA (None) propagates through
    arithmetic and comparisons, ``&``/``|``/``!`` follow R's three-valued logic.

    The tree is walked once here rather than at every evaluation: the lab grader evaluates the
    same few hundred parsed branches for every value it grades.
    """
    kind = node.kind
    if kind == "num":
        number = node.value
        return lambda env: number
    if kind == "name":
        name = str(node.value)
        return lambda env: env.get(name)
    args = tuple(compile_node(a) for a in node.args)
    if kind == "is.na":
        (inner,) = args
        return lambda env: inner(env) is None
    if kind in ("|", "&"):
        return _connective(kind, *args)
    if kind == "!":
        (inner,) = args

        def negation(env: Mapping[str, Value]) -> Value:
            value = _truth(inner(env))
            return None if value is None else not value

        return negation
    if kind == "%in%":
        left, right = args
        # R: NA %in% "HIGH" is FALSE, never NA.
        return lambda env: left(env) == right(env)
    if kind == "neg":
        (inner,) = args

        def negative(env: Mapping[str, Value]) -> Value:
            value = inner(env)
            return None if value is None else -value  # type: ignore[operator]

        return negative
    left, right = args
    apply = _signif if kind == "signif" else _BINARY[kind]

    def binary(env: Mapping[str, Value]) -> Value:
        a, b = left(env), right(env)
        if a is None or b is None:
            return None
        result: Value = apply(a, b)  # type: ignore[arg-type]
        return result

    return binary


def _connective(kind: str, left: Test, right: Test) -> Test:
    # Both operands are always evaluated, as R's vectorised & and | do.
    decisive = kind == "|"

    def connective(env: Mapping[str, Value]) -> Value:
        a, b = _truth(left(env)), _truth(right(env))
        if a is decisive or b is decisive:
            return decisive
        return None if a is None or b is None else not decisive

    return connective


def first_true(branches: Sequence[Branch], env: Mapping[str, Value]) -> Branch | None:
    """R ``case_when``: the first branch whose condition is TRUE (NA counts as not TRUE)."""
    for branch in branches:
        if branch.test(env) is True:
            return branch
    return None
