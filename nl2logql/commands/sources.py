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
        click.option("--logs", "source_logs", multiple=True, metavar="PATH|GLOB",
                     help="Your log files: plain text, *.jsonl, or Loki push *.json. Repeatable."),
        click.option("--label", "source_labels", multiple=True, metavar="NAME=VALUE",
                     help="A label for the streams of --logs files. Repeatable."),
        click.option("--time-format", "source_time_format", metavar="FORMAT",
                     help="How --logs lines start: a strptime format, rfc3339, syslog, unix, "
                          "unix_ms, unix_ns (default: detected)."),
        click.option("--loki", "source_loki", metavar="URL", is_flag=False, flag_value="",
                     default=None,
                     help="A Loki server (--loki alone: $LOKI_ADDR). Auth from LOKI_USERNAME/"
                          "LOKI_PASSWORD, LOKI_BEARER_TOKEN, LOKI_ORG_ID, as logcli."),
        click.option("--org-id", "source_org_id", metavar="TENANT",
                     help="Loki tenant (X-Scope-OrgID); overrides $LOKI_ORG_ID."),
    ]

    @functools.wraps(command)
    def wrapper(*args, source_sample, source_logs, source_labels, source_time_format,
                source_loki, source_org_id, **kwargs):
        source = {"sample": source_sample, "logs": source_logs, "labels": source_labels,
                  "time_format": source_time_format, "loki": source_loki,
                  "org_id": source_org_id}
        return command(*args, source=source, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


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
        return load_paths(list(source["logs"]), _labels(source["labels"]), source["time_format"])
    if source["labels"] or source["time_format"]:
        raise InputError("--label and --time-format describe --logs files; add --logs PATH")
    return sample_store()


def _labels(pairs) -> dict[str, str]:
    labels = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(f"--label takes NAME=VALUE, got {pair!r}")
        labels[name.strip()] = value.strip().strip('"')
    return labels
