"""Every error a user of nl2logql can see, in one hierarchy.

The CLI and the UI catch :class:`Nl2LogQLError` and show ``str(error)``: a one-line
reason, or for query errors the offending line with a caret under the spot.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class Nl2LogQLError(Exception):
    """Base class: anything that is the user's input or environment, not our bug."""


@dataclass
class QueryError(Nl2LogQLError):
    """A query that Loki would reject. Positions are 1-based; ``pos`` is a 0-based offset."""

    message: str
    query: str = ""
    line: int = 1
    column: int = 1
    pos: int = 0
    end: int | None = None
    expected: list[str] = field(default_factory=list)
    kind = "error"

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)

    @property
    def offending(self) -> str:
        """The text the error points at (one token's worth, on its line)."""
        if not self.query:
            return ""
        end = self.end if self.end is not None and self.end > self.pos else self.pos + 1
        return self.query[self.pos : end].split("\n", 1)[0]

    def snippet(self) -> str:
        """The source line and a caret under the column."""
        lines = self.query.split("\n")
        if not (1 <= self.line <= len(lines)):
            return ""
        source = lines[self.line - 1]
        width = max(1, len(self.offending)) if self.end is not None else 1
        return f"{source}\n{' ' * (self.column - 1)}{'^' * width}"

    def headline(self) -> str:
        return f"{self.kind} at line {self.line}, column {self.column}: {self.message}"

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "pos": self.pos,
            "offending": self.offending,
            "expected": list(self.expected),
        }

    def __str__(self) -> str:
        snippet = self.snippet()
        return f"{self.headline()}\n{snippet}" if snippet else self.headline()


class LogQLSyntaxError(QueryError):
    """The text is not LogQL: the grammar does not accept it."""

    kind = "syntax error"


class LogQLSemanticError(QueryError):
    """The text parses but Loki rejects it after parsing (bad regexp, unwrap rules, ...)."""

    kind = "semantic error"


class ExecutionError(Nl2LogQLError):
    """A valid query that cannot be run here (unsupported template function, limits)."""


class ArgumentError(Nl2LogQLError):
    """An argument refused before any work: too long, control characters, out of range
    (the MCP tools' inputs)."""


class DataError(Nl2LogQLError):
    """Input data we cannot read: a malformed file, an unknown timestamp format."""


class BackendError(Nl2LogQLError):
    """A backend (a Loki server, an endpoint) failed or cannot be reached."""


class PatternsUnavailable(BackendError):
    """A Loki that does not serve ``/loki/api/v1/patterns`` (no pattern ingester)."""


class ModelError(Nl2LogQLError):
    """A model cannot be loaded or converted: a missing path, a broken adapter."""
