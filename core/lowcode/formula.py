"""Formulas of calculated fields: `amount * probability / 100`, `round(价格 * 数量, 2)`.

A small recursive-descent parser turns the text into a tree of tuples; `evaluate` walks it with
Decimal arithmetic. Nothing is ever passed to `eval`. A formula that reads an empty field is empty
(as a spreadsheet leaves a total blank rather than guess 0), unless it says what an empty field
counts as: `default(probability, 0)`. Function names are read in any case (`ROUND`, `round`).
Grammar:

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("+" | "-") unary | atom
    atom       := number | name | name "(" expression ("," expression)* ")" | "(" expression ")"
"""
from __future__ import annotations

import decimal
import re

from flask_babel import gettext as _

MAX_LENGTH = 500
MAX_DEPTH = 40
FUNCTIONS = {"round": (1, 2), "abs": (1, 1), "min": (1, 20), "max": (1, 20), "default": (2, 2)}
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([^\W\d]\w*)|(\*\*|[-+*/(),])|(\S))")


class FormulaError(ValueError):
    """A formula that cannot be used; the message is for the admin."""


def _tokens(text: str) -> list[tuple[str, str]]:
    found = []
    for number, name, operator, other in _TOKEN.findall(text):
        if other:
            raise FormulaError(_("The formula cannot contain %(char)s.", char=other))
        if operator == "**":
            raise FormulaError(_("The formula cannot contain %(char)s.", char="**"))
        found.append(("number", number) if number else ("name", name) if name else ("op", operator))
    return found


class _Parser:
    def __init__(self, text: str):
        if len(text) > MAX_LENGTH:
            raise FormulaError(_("The formula is longer than %(count)d characters.", count=MAX_LENGTH))
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0

    def peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def take(self, value: str | None = None):
        token = self.peek()
        if value is not None and token[1] != value:
            shown = token[1] or _("the end")
            raise FormulaError(_("Expected %(expected)s but found %(found)s.", expected=value, found=shown))
        self.at += 1
        return token

    def parse(self):
        if not self.tokens:
            raise FormulaError(_("The formula is empty."))
        tree = self.expression()
        if self.peek()[0] != "end":
            raise FormulaError(_("Unexpected %(found)s.", found=self.peek()[1]))
        return tree

    def expression(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(_("The formula is nested too deeply."))
        tree = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            tree = (self.take()[1], tree, self.term())
        self.depth -= 1
        return tree

    def term(self):
        tree = self.unary()
        while self.peek() in (("op", "*"), ("op", "/")):
            tree = (self.take()[1], tree, self.unary())
        return tree

    def unary(self):
        if self.peek() in (("op", "-"), ("op", "+")):
            sign = self.take()[1]
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise FormulaError(_("The formula is nested too deeply."))
            operand = self.unary()
            self.depth -= 1
            return ("neg", operand) if sign == "-" else operand
        return self.atom()

    def atom(self):
        kind, value = self.take()
        if kind == "number":
            return ("num", decimal.Decimal(value))
        if kind == "name" and self.peek() == ("op", "("):
            if value.lower() in FUNCTIONS:
                value = value.lower()
            if value not in FUNCTIONS:
                raise FormulaError(_("There is no function called %(name)s.", name=value))
            self.take("(")
            arguments = [self.expression()]
            while self.peek() == ("op", ","):
                self.take(",")
                arguments.append(self.expression())
            self.take(")")
            low, high = FUNCTIONS[value]
            if not low <= len(arguments) <= high:
                raise FormulaError(_("%(name)s takes %(low)d to %(high)d values.", name=value, low=low, high=high))
            return ("call", value, arguments)
        if kind == "name":
            return ("field", value)
        if (kind, value) == ("op", "("):
            tree = self.expression()
            self.take(")")
            return tree
        raise FormulaError(_("Unexpected %(found)s.", found=value or _("the end")))


def parse(text: str):
    """The formula's tree; raises FormulaError with a message an admin understands."""
    return _Parser(text or "").parse()


def references(tree) -> set[str]:
    """The field keys a formula reads."""
    kind = tree[0]
    if kind == "field":
        return {tree[1]}
    if kind == "num":
        return set()
    if kind == "neg":
        return references(tree[1])
    if kind == "call":
        return set().union(*(references(argument) for argument in tree[2]))
    return references(tree[1]) | references(tree[2])


def evaluate(tree, values: dict) -> decimal.Decimal | None:
    """Work the formula out. No value (None) when it reads an empty field outside `default`,
    divides by 0, or the number grows past what Decimal holds."""
    try:
        with decimal.localcontext() as context:
            context.traps[decimal.DivisionByZero] = True
            context.traps[decimal.InvalidOperation] = True
            context.traps[decimal.Overflow] = True
            return _evaluate(tree, values)
    except (decimal.DivisionByZero, decimal.InvalidOperation, decimal.Overflow, _NoValue):
        return None


class _NoValue(Exception):
    """An empty value: the formula reads a field nobody filled in (or one that is not a number)."""


def _number(value) -> decimal.Decimal:
    if value is None or value == "" or isinstance(value, bool):
        raise _NoValue
    try:
        number = decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError):
        raise _NoValue from None
    if not number.is_finite():
        raise _NoValue
    return number


def _evaluate(tree, values):
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "field":
        return _number(values.get(tree[1]))
    if kind == "neg":
        return -_evaluate(tree[1], values)
    if kind == "call" and tree[1] == "default":
        try:
            return _evaluate(tree[2][0], values)
        except _NoValue:  # only an empty value: 1 / 0 stays empty whatever the default
            return _evaluate(tree[2][1], values)
    if kind == "call":
        arguments = [_evaluate(argument, values) for argument in tree[2]]
        name = tree[1]
        if name == "round":
            places = int(arguments[1]) if len(arguments) > 1 else 0
            if not -10 <= places <= 10:
                raise _NoValue
            # half away from zero, as a spreadsheet rounds (2.345 -> 2.35), not to even
            return arguments[0].quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)
        if name == "abs":
            return abs(arguments[0])
        return min(arguments) if name == "min" else max(arguments)
    left, right = _evaluate(tree[1], values), _evaluate(tree[2], values)
    if kind == "+":
        return left + right
    if kind == "-":
        return left - right
    if kind == "*":
        return left * right
    if right == 0:
        raise decimal.DivisionByZero
    return left / right


def evaluation_order(formulas: dict[str, object], numeric: set[str]) -> list[str]:
    """The calculated fields in an order where each comes after the ones it reads.

    `formulas` maps each calculated field to its parsed tree; `numeric` holds every other field a
    formula may read. Raises FormulaError for an unknown field or a loop.
    """
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(key: str, trail: list[str]):
        if state.get(key) == "done":
            return
        if state.get(key) == "visiting":
            loop = " → ".join(trail[trail.index(key):] + [key])
            raise FormulaError(_("These formulas depend on each other in a loop: %(loop)s.", loop=loop))
        state[key] = "visiting"
        for name in sorted(references(formulas[key])):
            if name in formulas:
                visit(name, trail + [key])
            elif name not in numeric:
                raise FormulaError(_("The formula uses %(name)s, which is not a number field of this form.", name=name))
        state[key] = "done"
        order.append(key)

    for key in formulas:
        visit(key, [])
    return order
