"""``nl2logql query``: run LogQL on the sample store, your log files, or a Loki."""

from __future__ import annotations

import json

import click

from nl2logql.commands.common import InputError
from nl2logql.commands.sources import open_backend, source_options
from nl2logql.logql.ast import kind
from nl2logql.logql.parser import parse
from nl2logql.logql.units import parse_duration
from nl2logql.timeutil import format_time, parse_time

DEFAULT_LIMIT = 100


@click.command()
@click.argument("logql")
@source_options
@click.option("--time", "at", metavar="T", help="Instant query time (metric queries).")
@click.option("--start", metavar="T", help="Range start: RFC 3339, Unix s or ns, now-1h.")
@click.option("--end", metavar="T", help="Range end (default: now; the sample store's clock).")
@click.option("--since", metavar="DURATION", help="Range start as a duration before --end, e.g. 1h.")
@click.option("--step", metavar="DURATION", help="Evaluate a metric query every DURATION (a range query).")
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help=f"Most log lines to return (default {DEFAULT_LIMIT}; 0: no limit).")
@click.option("--forward", is_flag=True, help="Oldest log lines first (default: newest first).")
@click.option("--output", "-o", type=click.Choice(["table", "json", "raw"]), default="table",
              show_default=True, help="json prints Loki's response body exactly.")
@click.option("--trace", is_flag=True, help="For a log query: how many lines survive each stage.")
def query(logql, source, at, start, end, since, step, limit, forward, output, trace):
    """Run a LogQL query and print the result.

    Metric queries run as an instant query (or a range query with --step); log queries
    return lines over a range. On the sample store "now" is the store's clock
    (2025-01-01T00:00:01Z), so `--since 1h` means the last hour of the samples.

    \b
    Examples:
      nl2logql query 'sum by (application) (count_over_time({service_name="openssh"} |= "Failed password" [30d]))'
      nl2logql query '{application="hdfs"} |= "Exception"' --limit 5
      nl2logql query 'rate({application="hdfs"}[1h])' --since 6h --step 1h -o json
      nl2logql query '{app="api"} | json | status >= 500' --logs 'logs/*.log' --label app=api
    """
    expr = parse(logql)
    backend = open_backend(source)
    now = backend.default_time()
    end_ns = _time(end, now, "--end") if end else None
    start_ns = _time(start, now, "--start") if start else None
    if since:
        start_ns = (end_ns or now) - _duration(since, "--since")
    step_ns = _duration(step, "--step") if step else None
    if step_ns is not None and step_ns <= 0:
        raise InputError("--step must be a positive duration, e.g. 1m")
    direction = "forward" if forward else "backward"

    if kind(expr) == "log":
        if limit is None:
            limit = DEFAULT_LIMIT
        data = backend.query_range(logql, start=start_ns, end=end_ns, limit=limit or None,
                                   direction=direction)
    elif step_ns or start_ns is not None:
        data = backend.query_range(logql, start=start_ns, end=end_ns, step=step_ns)
    else:
        data = backend.query(logql, time=_time(at, now, "--time") if at else None)

    if output == "json":
        click.echo(json.dumps({"status": "success", "data": data}))
    else:
        for row in render(data, raw=output == "raw"):
            click.echo(row)
    if trace and kind(expr) == "log":
        _print_trace(backend, logql, start_ns, end_ns)


def _time(value: str, now: int, option: str) -> int:
    try:
        return parse_time(value, now=now)
    except ValueError as error:
        raise InputError(f"{option}: {error}") from None


def _duration(value: str, option: str) -> int:
    try:
        return parse_duration(value)
    except ValueError as error:
        raise InputError(f"{option}: {error}") from None


def _labels_text(labels: dict) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def render(data: dict, raw: bool = False) -> list[str]:
    """Rows for people: lines with time and labels, or series with their values."""
    kind_, result = data.get("resultType"), data.get("result", [])
    rows = []
    if kind_ == "streams":
        entries = [(int(ts), stream["stream"], line) for stream in result
                   for ts, line, *_ in stream["values"]]
        for ts, labels, line in entries:
            rows.append(line if raw else f"{format_time(ts)}  {_labels_text(labels)}  {line}")
        if not raw:
            rows.append(f"({len(entries)} lines in {len(result)} streams)")
    elif kind_ == "vector":
        for sample in result:
            rows.append(f"{_labels_text(sample['metric'])}  {sample['value'][1]}")
        if not raw:
            rows.append(f"({len(result)} series)")
    elif kind_ == "matrix":
        for series in result:
            rows.append(_labels_text(series["metric"]))
            for ts, value in series["values"]:
                rows.append(f"  {format_time(int(float(ts) * 1e9))}  {value}")
        if not raw:
            rows.append(f"({len(result)} series)")
    elif kind_ == "scalar":
        rows.append(str(result[1]))
    return rows


def _print_trace(backend, logql, start, end):
    trace = getattr(backend, "trace", None)
    if trace is None:
        raise InputError("--trace needs the embedded store (--sample or --logs)")
    click.echo("\nlines left after each stage:", err=True)
    for stage, count in trace(logql, start=start, end=end):
        click.echo(f"  {count:>9}  {stage}", err=True)


COMMANDS = [query]
