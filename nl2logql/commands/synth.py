"""``nl2logql synth``: verified question/LogQL pairs from your logs' own patterns."""

from __future__ import annotations

import sys
from collections import Counter

import click

from nl2logql.commands.common import InputError
from nl2logql.commands.sources import open_backend, source_options


@click.command()
@source_options
@click.option("--out", "out_path", required=True, metavar="FILE.jsonl",
              help="Where to write the pairs (JSONL: question, logql and their provenance).")
@click.option("--count", type=click.IntRange(1), default=5000, show_default=True,
              help="Pairs to write (fewer when the data offers too little to vary).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The same data and seed give the same pairs.")
@click.option("--phrasings", type=click.IntRange(1, 10), default=3, show_default=True,
              help="Questions written for each query.")
@click.option("--family", "families", multiple=True, metavar="NAME",
              help="Only these query families (repeatable; an unknown name lists them all).")
def synth(source, out_path, count, seed, phrasings, families):
    """Write question/LogQL pairs made from the data's labels and log patterns.

    Query families take turns (line filters, parsers, label filters, counts, rates,
    unwrap aggregations, top-k, offsets, ratios, absent_over_time, line_format, ...);
    each query is phrased several ways, as people ask on call. A query is kept only if it
    parses and returns data on the source. Train on the result with
    `nl2logql train --data FILE` (or let `nl2logql train --synthesize` do both).

    \b
    Examples:
      nl2logql synth --out pairs.jsonl
      nl2logql synth --logs /var/log/auth.log --label app=sshd --count 2000 --out my.jsonl
    """
    from nl2logql.synthesis import FAMILIES

    unknown = sorted(set(families) - set(FAMILIES))
    if unknown:
        raise InputError(f"unknown query family {unknown[0]!r} (known: {', '.join(FAMILIES)})")
    backend = open_backend(source)
    pairs = synthesize_with_progress(backend, count=count, seed=seed, phrasings=phrasings,
                                     families=families or None)
    if not pairs:
        raise InputError("no pairs: the data has no patterns to ask about (see `nl2logql patterns`)")
    from nl2logql.synthesis import write_pairs

    write_pairs(pairs, out_path)
    queries = len({pair.logql for pair in pairs})
    click.echo(f"{len(pairs):,} pairs ({queries:,} distinct queries) written to {out_path}")
    by_family = Counter(pair.family for pair in pairs)
    click.echo("  " + ", ".join(f"{name} {n}" for name, n in by_family.most_common()))


def synthesize_with_progress(backend, **options):
    """:func:`nl2logql.synthesis.synthesize` with a progress bar on stderr."""
    from nl2logql.synthesis import synthesize

    with click.progressbar(length=options["count"], label="synthesizing", show_pos=True,
                           file=sys.stderr) as bar:
        done = [0]

        def advance(n: int) -> None:
            bar.update(n - done[0])
            done[0] = n

        return synthesize(backend, progress=advance, **options)


COMMANDS = [synth]
