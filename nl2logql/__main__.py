"""``python -m nl2logql``: the ``nl2logql`` command, for where the script is not on PATH."""

from nl2logql.cli import run

run()
