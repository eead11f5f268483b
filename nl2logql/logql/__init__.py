"""The LogQL language: parse, check, print, explain and compare queries."""

from nl2logql.logql.ast import kind
from nl2logql.logql.equivalence import canonical, equivalent
from nl2logql.logql.explain import explain
from nl2logql.logql.parser import parse, validate
from nl2logql.logql.printer import format, pretty

__all__ = ["parse", "validate", "format", "pretty", "explain", "equivalent", "canonical", "kind"]
