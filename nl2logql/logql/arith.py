"""Binary operators on two numbers, with Prometheus semantics (shared by literal folding
in the checks and by the engine)."""

from __future__ import annotations

import math


def apply_binary(op: str, left: float, right: float, return_bool: bool = False) -> float | None:
    """``left op right``; a comparison without ``bool`` returns ``left`` or ``None`` (dropped)."""
    if op in COMPARISONS:
        holds = COMPARISONS[op](left, right)
        if return_bool:
            return 1.0 if holds else 0.0
        return left if holds else None
    return ARITHMETIC[op](left, right)


def _div(a: float, b: float) -> float:
    # Loki guards division by zero with NaN (Prometheus would give ±Inf).
    return math.nan if b == 0 else a / b


def _mod(a: float, b: float) -> float:
    if b == 0 or math.isinf(a):
        return math.nan
    return math.fmod(a, b)


def _pow(a: float, b: float) -> float:
    try:
        return math.pow(a, b)
    except (OverflowError, ValueError):
        return math.inf if a > 0 else math.nan


ARITHMETIC = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _div,
    "%": _mod,
    "^": _pow,
}

COMPARISONS = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}
