"""Where queries run: the ``--sample | --logs ... | --loki URL`` options every command that
touches data shares, and the backend they open."""

from __future__ import annotations

import functools

import click

from nl2logql.commands.common import InputError
from nl2logql.engine.backend import Backend


def source_options(command):
    """Add the data-source options; the command receives one ``source`` dict."""
    options = [
        click.option("--sample", "source_sample", is_flag=True,
                     help="The built-in sample store (OpenSSH, OpenStack, HDFS; the default)."),
        click.option("--logs", "source_logs", multiple=True, metavar="PATH|GLOB|DIR|-",
                     help="Your log files: plain text, *.jsonl, or Loki push *.json, maybe "
                          ".gz/.bz2; a folder (read recursively); - for standard input. "
                          "Repeatable."),
        click.option("--label", "source_labels", multiple=True, metavar="NAME=VALUE",
                     help="A label for the streams of --logs files. Repeatable."),
        click.option("--time-format", "source_time_format", metavar="FORMAT",
                     help="The timestamps of --logs lines: a strptime format, or rfc3339, "
                          "syslog, clf, ctime, klog, unix, unix_ms, unix_ns... (default: "
                          "detected; each file's format is told on stderr)."),
        click.option("--tz", "source_tz", metavar="ZONE",
                     help="Zone of --logs times written without an offset: an IANA name "
                          "(Europe/Paris) or +HH:MM (default: UTC)."),
        click.option("--year", "source_year", type=click.IntRange(1, 9999), metavar="YEAR",
                     help="Year of the first --logs line when the times have none (default: "
                          "the latest that puts no line in the future)."),
        click.option("--keep-duplicates", "source_keep_duplicates", is_flag=True,
                     help="Keep identical --logs lines with the same time apart (1 ns after "
                          "each other) instead of merging them as Loki does."),
        click.option("--no-multiline", "source_multiline", flag_value=False, default=True,
                     help="Keep each line of --logs files an entry of its own, instead of "
                          "joining stack traces and other continuation lines to their entry."),
        click.option("--glob", "source_glob", metavar="PATTERN",
                     help="The files of --logs folders to read, e.g. '*.log' (default: every "
                          "file; hidden ones are skipped). With a /, matched against the path "
                          "under the folder. An error when no --logs path is a folder: for "
                          "files, put the pattern in the path (--logs 'logs/*.log')."),
        click.option("--label-from-path", "source_label_from_path", metavar="REGEX",
                     help="Labels from each --logs file's path: the regex's named groups, "
                          r"e.g. '(?P<app>[^/]+)/[^/]+\.log$'."),
        click.option("--loki", "source_loki", metavar="URL", is_flag=False, flag_value="",
                     default=None,
                     help="A Loki server (--loki alone: $LOKI_ADDR). Auth from LOKI_USERNAME/"
                          "LOKI_PASSWORD, LOKI_BEARER_TOKEN, LOKI_ORG_ID, as logcli."),
        click.option("--org-id", "source_org_id", metavar="TENANT",
                     help="Loki tenant (X-Scope-OrgID); overrides $LOKI_ORG_ID."),
    ]

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        source = {name.removeprefix("source_"): kwargs.pop(name)
                  for name in list(kwargs) if name.startswith("source_")}
        return command(*args, source=source, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


FILE_OPTIONS = ("labels", "time_format", "tz", "year", "keep_duplicates", "glob",
                "label_from_path")  # options that only --logs files take


def open_backend(source: dict) -> Backend:
    """The backend the options name; the sample store when they name none."""
    chosen = [name for name in ("sample", "logs") if source[name]]
    if source["loki"] is not None:
        chosen.append("loki")
    if len(chosen) > 1:
        raise InputError(f"choose one data source, not {' and '.join('--' + c for c in chosen)}")
    if source["loki"] is not None:
        from nl2logql.engine.loki import LokiBackend

        return LokiBackend.from_env(url=source["loki"] or None, org_id=source["org_id"])
    from nl2logql.engine.loaders import load_paths, sample_store

    if source["logs"]:
        store = load_paths(list(source["logs"]), _labels(source["labels"]),
                           source["time_format"], tz=source.get("tz"), year=source.get("year"),
                           keep_duplicates=bool(source.get("keep_duplicates")),
                           multiline=source.get("multiline", True),
                           glob_pattern=source.get("glob") or "*",
                           label_from_path=source.get("label_from_path"))
        for note in store.notes:  # stderr: stdout stays the command's output
            click.echo(note, err=True)
        return store
    if (any(source.get(name) for name in FILE_OPTIONS)
            or source.get("multiline", True) is False):
        raise InputError("--label and --time-format describe --logs files (so do --tz, --year, "
                         "--keep-duplicates, --no-multiline, --glob and --label-from-path); "
                         "add --logs PATH")
    return sample_store()


def _labels(pairs) -> dict[str, str]:
    labels = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(f"--label takes NAME=VALUE, got {pair!r}")
        labels[name.strip()] = value.strip().strip('"')
    return labels
