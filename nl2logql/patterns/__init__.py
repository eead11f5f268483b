"""Log patterns: each application's templates, named and typed fields, and checked LogQL.

    from nl2logql.patterns import patterns
    for group in patterns(backend, '{application="openssh"}'):
        for p in group.patterns[:5]:
            print(p.count, p.template, p.line_filter, p.pattern)

:mod:`~nl2logql.patterns.mining` finds the templates (Drain, after cutting each line's
header and masking its variables), :mod:`~nl2logql.patterns.describe` names the fields and
writes the LogQL, :mod:`~nl2logql.patterns.sources` reads a backend (the embedded store,
files, a Loki) and caches, :mod:`~nl2logql.patterns.structured` writes Loghub's CSV.
"""

from nl2logql.patterns.describe import Field, Pattern
from nl2logql.patterns.sources import StreamPatterns, mine_lines, patterns

__all__ = ["Field", "Pattern", "StreamPatterns", "mine_lines", "patterns"]
