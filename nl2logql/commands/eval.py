"""``nl2logql eval``: score a model on NL2QL, NL2QL-exec and LogEval; report and compare runs."""

from __future__ import annotations

from pathlib import Path

import click

from nl2logql.commands.common import CliError
from nl2logql.datasets import SCORED_SIDES, SPLIT_NAMES
from nl2logql.generation.data_examples import DATA_EXAMPLES
from nl2logql.verify.findings import CHECK_MODES, DEFAULT_RESAMPLE

SUITES = ("nl2ql", "exec", "logeval")
RESULTS_ROOT = Path("eval") / "results"


class _EvalGroup(click.Group):
    """A group whose unknown subcommand is a one-line error naming the suites."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else None
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            raise CliError(f"unknown suite {name!r} (suites: {', '.join(SUITES)}; "
                           f"other commands: compare, report)")
        return super().resolve_command(ctx, args)


@click.group(name="eval", cls=_EvalGroup)
def eval_group() -> None:
    """Measure a model: NL2QL and NL2QL-exec (execution on the sample store), LogEval.

    Each suite writes into --out DIR: results.json (every item, verdicts, timings, run
    metadata), report.md (tables) and PNG plots; suites run into the same folder share
    one report. Predictions are cached per item in DIR/cache, so a stopped run resumes.

    \b
    Examples:
      nl2logql eval exec                                  # the headline, default model
      nl2logql eval nl2ql --split unseen-template --adapter adapters/unseen-template
      nl2logql eval nl2ql --split random --adapter none --out eval/results/base
      nl2logql eval logeval --limit 15 --prompt-sets zero-shot,few-shot
      nl2logql eval compare eval/results/base eval/results/gemma-3-270m+random
      nl2logql eval exec --replay eval/results/default/results.json --out /tmp/rechecked
    """


def _model_options(command):
    options = [
        click.option("--out", metavar="DIR", type=click.Path(file_okay=False),
                     help="Output folder (default: eval/results/<model>)."),
        click.option("--base-model", metavar="PATH|ID",
                     help="A local model folder or Hugging Face id (default: Gemma 3 270M, bundled)."),
        click.option("--adapter", metavar="DIR|NAME|none",
                     help="A LoRA adapter folder or installed name; 'none' for the base model alone "
                          "(default: the installed adapter trained on the split evaluated)."),
        click.option("--endpoint", metavar="URL", help="An OpenAI-compatible server instead of local weights."),
        click.option("--endpoint-model", "--model", "endpoint_model", metavar="NAME",
                     help="The model name at --endpoint."),
        click.option("--limit", type=click.IntRange(1), metavar="N",
                     help="Evaluate N items drawn with --seed (LogEval: per task and prompt set)."),
        click.option("--seed", type=int, default=0, show_default=True, help="Seed for --limit's draw."),
        click.option("--fresh", is_flag=True, help="Discard cached predictions of this suite in --out."),
        click.option("--no-progress", is_flag=True, help="No progress bar."),
        click.option("--no-plots", is_flag=True, help="Write results.json and report.md only."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _generation_options(command):
    options = [
        click.option("-k", "k", type=click.IntRange(0, 16), default=4, show_default=True,
                     help="Similar examples shown to the model."),
        click.option("--data-examples", "data_k", type=click.IntRange(0, 16), default=DATA_EXAMPLES,
                     show_default=True, metavar="N",
                     help="How many of the k examples are pairs synthesized from the logs "
                          "asked about (the rest: the split's train side)."),
        click.option("-n", "n", type=click.IntRange(1, 16), default=1, show_default=True,
                     help="Candidates per question; the best valid one is scored."),
        click.option("--no-constrain", is_flag=True, help="Decode without the LogQL grammar."),
        click.option("--checks", type=click.Choice(CHECK_MODES), default="repair", show_default=True,
                     help="After decoding: none (rank by likelihood), rank (check every "
                          "candidate against the question and the data, rank by the warnings), "
                          "repair (also apply each candidate's fixes)."),
        click.option("--resample", type=click.IntRange(0, 16), default=DEFAULT_RESAMPLE,
                     show_default=True, metavar="N",
                     help="When no candidate passes every check, sample N more."),
        click.option("--timeout", type=click.FloatRange(0.1), default=10.0, show_default=True,
                     metavar="SECONDS", help="Time limit for running one query on the store."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _replay_option(command):
    return click.option(
        "--replay", metavar="RESULTS.json", type=click.Path(dir_okay=False, exists=True),
        help="Play back the answers an earlier run of this suite recorded (n = 1) through "
             "today's checks, instead of running the model: seconds, not minutes, and what a "
             "fresh run would score, since decoding does not depend on the checks.")(command)


def _choice(base_model, adapter, endpoint, endpoint_model):
    from nl2logql.evaluation.runner import ModelChoice

    if endpoint and not endpoint_model:
        raise click.UsageError("--endpoint needs --endpoint-model NAME")
    return ModelChoice(base_model=base_model, adapter=adapter, endpoint=endpoint,
                       endpoint_model=endpoint_model)


def _options(resolved, out, limit, seed, fresh, no_progress):
    from nl2logql.evaluation.suites import RunOptions

    folder = Path(out) if out else RESULTS_ROOT / resolved.tag()
    return RunOptions(out=folder, limit=limit, seed=seed, fresh=fresh, progress=not no_progress)


def _interruptible(run):
    """Ctrl-C: one line saying how to resume, and the shell's exit status for it."""
    from nl2logql.evaluation.runner import Interrupted

    try:
        return run()
    except Interrupted as error:
        stop = CliError(str(error))
        stop.exit_code = 130
        raise stop from None


def _finish(options, suite: dict, no_plots: bool) -> None:
    from nl2logql.evaluation.report import update

    written = update(options.out, suite, plots=not no_plots)
    click.echo(_summary_line(suite))
    plots = sum(1 for path in written if path.suffix == ".png")
    click.echo(f"wrote {options.out / 'results.json'}, {options.out / 'report.md'}"
               + (f" and {plots} plots" if plots else ""))


def _summary_line(suite: dict) -> str:
    from nl2logql.evaluation.report import fmt

    if suite["suite"] == "logeval":
        main = suite.get("main_metric") or {}
        constrained = suite.get("summary_label_constrained") or {}
        parts = []
        for group, scores in suite["summary"].items():
            metric = main.get(group.partition("/")[0], "")
            part = f"{group} {metric} {fmt(scores.get(metric))}"
            if group in constrained:
                part += f" (label-constrained {fmt(constrained[group].get(metric))})"
            parts.append(part)
        return "LogEval: " + "; ".join(parts)
    s = suite["summary"]
    return (f"{suite['title']}: execution {fmt(s['exec_informative'])} over {s['n_informative']} informative "
            f"items ({fmt(s['exec_all'])} over all {s['n_scored']}); metric accuracy "
            f"{fmt(s['metric_accuracy_informative'])}, log F1 {fmt(s['log_f1_informative'])}; exact match "
            f"{fmt(s['exact'])}; valid {fmt(s['valid'])}; {len(suite.get('gold_problems', []))} gold problems")


def _nl2ql_command(suite_name: str, split, out, base_model, adapter, endpoint, endpoint_model,
                   limit, seed, fresh, no_progress, no_plots, k, data_k, n, no_constrain, checks,
                   resample, timeout, replay=None, side="test"):
    from nl2logql.evaluation import runner, suites

    if replay:
        if base_model or adapter or endpoint or endpoint_model or n != 1 or resample:
            raise click.UsageError("--replay plays back the recorded answers: it takes no "
                                   "--base-model, --adapter, --endpoint, -n or --resample")
        from nl2logql.evaluation.replay import resolve

        resolved = resolve(Path(replay), suites.suite_key(suite_name, split, side))
        recorded = resolved.replay.suite["settings"]  # the prompt the answers were made from
        k, data_k = recorded.get("k", k), recorded.get("data_examples", data_k)
        no_constrain = not recorded.get("constrain", not no_constrain)
    else:
        choice = _choice(base_model, adapter, endpoint, endpoint_model)
        if split is None:
            split = _adapter_split(choice) or "random"
        resolved = runner.resolve_model(choice, split)
    options = _options(resolved, out, limit, seed, fresh, no_progress)
    result = _interruptible(lambda: suites.run_nl2ql(suite_name, resolved, options, k=k,
                                                     data_k=data_k, n=n,
                                                     constrain=not no_constrain, checks=checks,
                                                     resample=resample,
                                                     timeout=timeout, side=side))
    _finish(options, result, no_plots)


def _adapter_split(choice) -> str | None:
    """The split a named adapter was trained on (its card), for NL2QL-exec's retrieval."""
    from nl2logql.evaluation.runner import _card_or_none
    from nl2logql.generation.models import NO_ADAPTER, resolve_adapter

    if not choice.adapter or choice.adapter.lower() == NO_ADAPTER or choice.endpoint:
        return None
    card = _card_or_none(resolve_adapter(choice.base_model, choice.adapter))
    return card.get("split") if card and card.get("split") in SPLIT_NAMES else None


@eval_group.command(name="nl2ql")
@click.option("--split", type=click.Choice(SPLIT_NAMES), default="random", show_default=True,
              help="Which split's test side; the adapter must be trained on its train side.")
@click.option("--side", type=click.Choice(SCORED_SIDES), default="test", show_default=True,
              help="validation: the split's validation side, to choose a recipe or setting "
                   "on (unseen-template's is whole templates no train question shares).")
@_model_options
@_generation_options
@_replay_option
def nl2ql_command(split, side, **options):
    """NL2QL's test side of a split: validity, exact match, execution on the sample store.

    Comparable with the NL2QL paper (the `random` split). Execution is headlined over
    the items whose gold query returns data, with all-items scores beside them; gold
    queries that do not parse or fail are listed apart, never counted as wins.
    """
    _nl2ql_command("nl2ql", split, side=side, **options)


@eval_group.command(name="exec")
@click.option("--split", type=click.Choice(SPLIT_NAMES), default=None,
              help="Whose train side retrieval uses (default: the adapter's split, else random); "
                   "NL2QL-exec's test side is held out of both.")
@click.option("--side", type=click.Choice(SCORED_SIDES), default="test", show_default=True,
              help="validation (leave-out splits only): the held-out system's NL2QL-exec "
                   "train-side items, which that split never trains or retrieves on.")
@_model_options
@_generation_options
@_replay_option
def exec_command(split, side, **options):
    """NL2QL-exec's test side (117 items, every gold verified on real Loki): the headline.

    A prediction scores only if it returns the gold's answer and selects the same
    application(s): every deployment of a system holds the same lines.
    """
    _nl2ql_command("exec", split, side=side, **options)


def _csv(value: str | None) -> list[str] | None:
    return [part.strip() for part in value.split(",") if part.strip()] if value else None


@eval_group.command(name="logeval")
@click.option("--data-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="LogEval files (e.g. the full sets); default: the shipped sample.")
@click.option("--tasks", metavar="LIST",
              help="Comma-separated: parsing, anomaly_detection, fault_diagnosis, summarization.")
@click.option("--prompt-sets", metavar="LIST", help="Comma-separated: zero-shot, few-shot.")
@click.option("--split", type=click.Choice(SPLIT_NAMES), default="random", show_default=True,
              help="Which installed default adapter to use when --adapter is not given.")
@_model_options
def logeval_command(data_dir, tasks, prompt_sets, split, out, base_model, adapter, endpoint,
                    endpoint_model, limit, seed, fresh, no_progress, no_plots):
    """LogEval-style log analysis: parsing, anomaly detection, fault diagnosis and
    summarization, zero- and few-shot, beside the best published scores."""
    from nl2logql.evaluation import runner, suites

    choice = _choice(base_model, adapter, endpoint, endpoint_model)
    resolved = runner.resolve_model(choice, split, check=False)  # LogEval is not in any split
    options = _options(resolved, out, limit, seed, fresh, no_progress)
    result = _interruptible(lambda: suites.run_logeval(
        resolved, options, data_dir=Path(data_dir) if data_dir else None, tasks=_csv(tasks),
        prompt_sets=_csv(prompt_sets)))
    _finish(options, result, no_plots)


@eval_group.command(name="compare")
@click.argument("runs", nargs=-1, required=True, metavar="RUN_A RUN_B [RUN ...]")
@click.option("--plot", type=click.Path(dir_okay=False), metavar="FILE.png",
              help="Also draw the runs side by side (published numbers as reference).")
def compare_command(runs, plot):
    """Print how RUN_B (and further runs) differ from RUN_A: scores per suite and the
    items whose execution verdict changed."""
    from nl2logql.evaluation.report import compare, read_results

    if len(runs) < 2:
        raise CliError("compare needs at least two result folders")
    loaded = [(run, read_results(run)) for run in runs]
    name_a, first = loaded[0]
    for name_b, other in loaded[1:]:
        click.echo(f"A = {name_a}\nB = {name_b}")
        for line in compare(first, other, "A", "B"):
            click.echo(line)
    if plot:
        try:
            from nl2logql.evaluation.plots import plot_runs
        except ImportError:
            raise CliError("--plot needs matplotlib (pip install matplotlib)") from None
        click.echo(f"wrote {plot_runs([(Path(r).name, data) for r, data in loaded], Path(plot))}")


@eval_group.command(name="report")
@click.argument("run", type=click.Path(), metavar="DIR")
@click.option("--no-plots", is_flag=True, help="Rewrite report.md only.")
def report_command(run, no_plots):
    """Rewrite DIR's report.md and plots from its results.json."""
    from nl2logql.evaluation.report import read_results, render_folder

    written = render_folder(Path(run), read_results(run), plots=not no_plots)
    click.echo("wrote " + ", ".join(str(path) for path in written))


COMMANDS = [eval_group]
