"""``nl2logql serve``: keep the model loaded for later ``generate`` calls on this machine."""

from __future__ import annotations

import click

from nl2logql import keepwarm


@click.command()
@click.option("--idle", type=click.FloatRange(min=1), default=keepwarm.IDLE_SECONDS,
              show_default=True, metavar="SECONDS", help="Exit after this long without a call.")
@click.option("--stop", is_flag=True, help="Stop the running server.")
def serve(idle, stop):
    """Keep models loaded so that `nl2logql generate` answers in about a second.

    Runs in the foreground until --idle seconds pass without a call; `nl2logql generate
    --keep-warm` starts it in the background for you. Every `generate` on this machine
    (same user) uses it while it runs: the same command, arguments, folder and
    environment, the same output. It listens on a Unix socket only you can open, never
    on the network.

    \b
    Examples:
      nl2logql serve --idle 3600 &
      nl2logql generate "error lines from hdfs in the last hour"
      nl2logql serve --stop
    """
    if stop:
        stopped = keepwarm.stop_server()
        click.echo("server stopped" if stopped else "no server was running", err=True)
        return
    keepwarm.serve(idle)


COMMANDS = [serve]
