"""Evaluation: NL2QL and NL2QL-exec (validity, exact match, execution on the sample store),
LogEval-style log-analysis tasks, and the reports and plots of ``nl2logql eval``.

One responsibility per module: :mod:`features` (LogQL features of a query), :mod:`metrics`
(result comparison and aggregation, pure functions), :mod:`nl2ql` (items, gold answers, the
verdict on one prediction), :mod:`logeval` (LogEval's tasks), :mod:`leakage` (adapter vs
split), :mod:`runner` (model, cache, loop), :mod:`suites` (each suite end to end),
:mod:`report` (results.json, report.md, compare), :mod:`plots` (PNG), :mod:`published`
(reference numbers).
"""
