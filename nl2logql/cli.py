"""The ``nl2logql`` command line: a click group; each command lives in nl2logql.commands.

To add a command, write a module under ``nl2logql/commands/`` with a ``COMMANDS`` list
and name it in :data:`COMMAND_MODULES`. Library errors never reach the user as a
traceback: the group turns them into a message on stderr and exit status 1.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys

import click

from nl2logql import __version__
from nl2logql.commands.common import CliError
from nl2logql.errors import Nl2LogQLError

COMMAND_MODULES = ("nl2logql.commands.logql", "nl2logql.commands.query",
                   "nl2logql.commands.generate", "nl2logql.commands.patterns",
                   "nl2logql.commands.synth", "nl2logql.commands.train",
                   "nl2logql.commands.eval", "nl2logql.commands.mcp",
                   "nl2logql.commands.serve")


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Nl2LogQLError as error:
            raise CliError(str(error)) from None


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="nl2logql")
def main() -> None:
    """Natural-language questions in, validated Grafana Loki LogQL out.

    \b
    Example:
      nl2logql explain 'sum by (host) (count_over_time({app="api"} |= "error" [5m]))'
    """


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(_name).COMMANDS:
        main.add_command(_command)


def run() -> None:
    """The ``nl2logql`` program: :func:`main` (or a kept-warm server answers it), then an
    exit that skips tearing the interpreter down. Freeing torch's and transformers' modules
    one object at a time took 0.9 s after every answer, for nothing; exit handlers still
    run, output is flushed."""
    if sys.argv[1:2] == ["generate"]:
        # One question, then exit: the collector's passes over the objects torch and
        # transformers create on import cost 0.65 s (a third of it) and would free little.
        gc.disable()
    code = _answered_by_server(sys.argv[1:])
    if code is None:
        try:
            main(prog_name="nl2logql")
            code = 0
        except SystemExit as done:
            code = done.code
    if not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be written anyway
            code = code or 1
    os._exit(code)


def _answered_by_server(argv: list[str]) -> int | None:
    """A ``generate`` call answered by a running ``nl2logql serve`` (started first when
    the call says ``--keep-warm``): its exit status, or None to answer here."""
    if argv[:1] != ["generate"]:
        return None
    from nl2logql import keepwarm

    status = keepwarm.answer(argv)
    if status is None and "--keep-warm" in argv and keepwarm.start_server():
        status = keepwarm.answer(argv)
    return status
