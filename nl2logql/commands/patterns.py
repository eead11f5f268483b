"""``nl2logql patterns``: the log templates of each application, their named fields, and
the LogQL that filters and extracts them."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click

from nl2logql.commands.common import CliError, InputError
from nl2logql.commands.sources import open_backend, source_options
from nl2logql.engine.loaders.files import STDIN


@click.command()
@source_options
@click.option("--app", "apps", multiple=True, metavar="NAME",
              help="Only this application (the value of `application`, `app`, `service_name`, "
                   "... whichever the data has). Repeatable.")
@click.option("--selector", metavar="LOGQL", help="Only the streams this selector selects.")
@click.option("--top", type=click.IntRange(1), default=10, show_default=True,
              help="Patterns shown per application, the most frequent first.")
@click.option("--json", "as_json", is_flag=True,
              help="Everything as JSON: every pattern, its fields, filter and extractions.")
@click.option("--structured", metavar="OUT.csv",
              help="With --logs FILE: write Loghub's structured CSV for the file (LineId, "
                   "Content, EventId, EventTemplate, one column per named field).")
def patterns(source, apps, selector, top, as_json, structured):
    """Show the log patterns of each application: how many lines each template covers,
    its fields with their types, and a line filter and extraction checked on its lines.

    Patterns are mined with Drain after masking numbers, IPs, ids, paths and durations
    and cutting each line's header (timestamp, level, pid, component); a Loki with its
    pattern ingester (Loki 3.0+) is asked for its own patterns.

    \b
    Examples:
      nl2logql patterns --app openssh-eu-west
      nl2logql patterns --logs /var/log/auth.log --label app=sshd --json
      nl2logql patterns --logs OpenSSH_2k.log --structured OpenSSH_2k.log_structured.csv
    """
    if structured:
        _write_structured(source, structured)
        return
    from nl2logql.logql.parser import quote
    from nl2logql.patterns import patterns as find_patterns
    from nl2logql.patterns.describe import regex_literal
    from nl2logql.patterns.sources import group_identical, group_label

    backend = open_backend(source)
    if apps and selector:
        raise InputError("choose --app or --selector, not both")
    if apps:
        name = group_label(backend.labels())
        if name is None:
            raise InputError("--app needs an application label (application, app, service_name,"
                             " ...); these streams have none: use --selector")
        selector = f"{{{name}=~{quote('|'.join(regex_literal(app) for app in apps))}}}"
    groups = find_patterns(backend, selector)
    if as_json:
        click.echo(json.dumps([group.to_dict() for group in groups]))
        return
    if not groups:
        raise CliError("no streams match" + (f" {selector}" if selector else ""))
    for selectors, group in group_identical(groups):
        click.echo(_group_heading(group))
        for pattern in group.patterns[:top]:
            click.echo(_pattern_text(pattern))
        hidden = len(group.patterns) - top
        if hidden > 0:
            click.echo(f"  ... {hidden} more (--top {len(group.patterns)} or --json)")
        for other in selectors[1:]:
            click.echo(f"{other}  the same {len(group.patterns)} patterns as {group.selector}")


def _group_heading(group) -> str:
    unmatched = (f"; {group.unmatched:,} lines fit no pattern (they hardly repeat)"
                 if group.unmatched else "")
    return (f"{group.selector}  {group.lines:,} lines, {len(group.patterns)} patterns"
            f" (header: {group.header}; {group.source}{unmatched})")


def _pattern_text(pattern) -> str:
    out = [f"  {pattern.count:>7,}  {pattern.template}"]
    if pattern.fields:
        out.append("           fields: " + ", ".join(f"{f.name} ({f.type})" for f in pattern.fields))
    if pattern.line_filter:
        out.append(f"           filter: {pattern.line_filter}")
    for stage in (pattern.pattern, pattern.regexp):
        if stage:
            out.append(f"           {stage.split()[1]}: {stage}")
    return "\n".join(out)


def _write_structured(source: dict, out_path: str) -> None:
    from nl2logql.engine.loaders import expand_paths
    from nl2logql.patterns.structured import write_structured

    if not source["logs"] or source["loki"] is not None or source["sample"]:
        raise InputError("--structured reads one log file: give --logs FILE")
    paths = expand_paths(list(source["logs"]))
    if len(paths) != 1:
        raise InputError(f"--structured reads one log file; --logs named {len(paths)}")
    if paths[0] == STDIN:
        with tempfile.TemporaryDirectory() as folder:
            summary = write_structured(_stdin_copy(Path(folder)), out_path)
    else:
        summary = write_structured(paths[0], out_path)
    click.echo(f"wrote {out_path}: {summary.lines:,} lines, {summary.patterns} patterns, "
               f"{summary.fields} field columns", err=True)


def _stdin_copy(folder: Path) -> Path:
    """Standard input as a UTF-8 file in ``folder`` (the miner reads files), read as
    ``--logs -`` reads it: decompressed, decoded."""
    from nl2logql.engine.loaders.files import read_text

    copy = folder / "stdin.log"
    copy.write_text(read_text(STDIN), encoding="utf-8", newline="")
    return copy


COMMANDS = [patterns]
