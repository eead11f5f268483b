"""Commands that work on LogQL text alone: validate, format, explain."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import click

from nl2logql.commands.common import InputError
from nl2logql.errors import DataError, Nl2LogQLError, QueryError
from nl2logql.logql import ast
from nl2logql.logql.parser import parse
from nl2logql.logql.printer import format_ast
from nl2logql.logql.printer import pretty as pretty_print


def _read_query(query: str) -> str:
    """The QUERY argument; ``-`` reads it from stdin (handy for multi-line queries)."""
    return sys.stdin.read() if query == "-" else query


# ---- validate ----------------------------------------------------------------------------

@dataclass
class _Checked:
    line: int | None  # in the file; None for the QUERY argument
    query: str
    expr: ast.Expr | None = None
    error: Nl2LogQLError | None = None

    def to_dict(self) -> dict:
        if isinstance(self.error, QueryError):
            error = self.error.to_dict()
        else:
            error = None if self.error is None else {"kind": "data error", "message": str(self.error)}
        return {"line": self.line, "query": self.query, "valid": self.error is None,
                "kind": None if self.expr is None else ast.kind(self.expr),
                "formatted": None if self.expr is None else format_ast(self.expr),
                "error": error}


def _check(line: int | None, query: str) -> _Checked:
    try:
        return _Checked(line, query, expr=parse(query))
    except QueryError as error:
        return _Checked(line, query, error=error)


def _file_queries(path: str) -> Iterator[tuple[int, str | DataError]]:
    """(line number, query) per query line: plain LogQL, or JSONL with a ``logql`` field."""
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as file:
                text = file.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise InputError(f"cannot read {path}: {reason}") from None
    jsonl = path.endswith(".jsonl")
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        record = _json_record(stripped)
        if record is not None:
            yield number, record
        elif jsonl:
            yield number, DataError('not a JSON object with a "logql" string field')
        else:
            yield number, stripped


def _json_record(line: str) -> str | None:
    # A LogQL query starts with "{" too, so only a JSON object with "logql" counts.
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if isinstance(record, dict) and isinstance(record.get("logql"), str):
        return record["logql"]
    return None


def _report(checked: _Checked, where: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(checked.to_dict()))
    elif checked.error is None:
        click.echo(f"ok  {ast.kind(checked.expr)}  {format_ast(checked.expr)}")
    else:
        click.echo(f"{where}{checked.error}")


@click.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "path", metavar="FILE",
              help="One query per line (# comments and blank lines skipped), or JSONL with a "
                   '"logql" field; - reads stdin.')
@click.option("--json", "as_json", is_flag=True, help="One JSON object per query.")
@click.pass_context
def validate(ctx: click.Context, query: str | None, path: str | None, as_json: bool) -> None:
    """Check that QUERY (or each query in FILE) is LogQL that Loki accepts.

    Prints "ok  <log|metric>  <query>" or the error with a caret under the spot.
    Exit status 1 when any query is invalid.

    \b
    Examples:
      nl2logql validate '{app="api"} |= "error"'
      nl2logql validate -f queries.txt --json
    """
    if (query is None) == (path is None):
        raise click.UsageError("give a QUERY or -f FILE (one of them)")
    if path is None:
        results = [_check(None, _read_query(query))]
        _report(results[0], "", as_json)
    else:
        results = []
        for line, item in _file_queries(path):
            checked = _Checked(line, "", error=item) if isinstance(item, DataError) else _check(line, item)
            _report(checked, f"{path}:{line}: ", as_json)
            results.append(checked)
        invalid = sum(1 for r in results if r.error is not None)
        click.echo(f"{len(results) - invalid} valid, {invalid} invalid", err=True)
    if any(r.error is not None for r in results):
        ctx.exit(1)


# ---- format and explain ------------------------------------------------------------------

@click.command(name="format")
@click.argument("query")
@click.option("--pretty", is_flag=True, help="Indent: one stage per line, aggregations nested.")
def format_command(query: str, pretty: bool) -> None:
    """Print QUERY in canonical form (- reads it from stdin).

    \b
    Examples:
      nl2logql format 'sum(rate({app="api"}|="error"[5m]))by(host)'
      nl2logql format --pretty 'sum by (host) (rate({app="api"} |= "error" [5m]))'
    """
    expr = parse(_read_query(query))
    click.echo(pretty_print(expr) if pretty else format_ast(expr))


@click.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help='{"query", "kind", "steps": [{"text", "fragment", "kind"}]}')
def explain(query: str, as_json: bool) -> None:
    """Explain QUERY step by step in plain English, in the order Loki runs it.

    \b
    Example:
      nl2logql explain 'sum by (host) (count_over_time({app="api"} |= "error" [5m]))'
    """
    from nl2logql.logql.explain import explain as explain_steps
    from nl2logql.logql.explain import explain_text

    text = _read_query(query)
    if not as_json:
        click.echo(explain_text(text))
        return
    steps = [step.to_dict() for step in explain_steps(text)]
    click.echo(json.dumps({"query": text, "kind": ast.kind(parse(text)), "steps": steps}, indent=2))

COMMANDS = [validate, format_command, explain]
