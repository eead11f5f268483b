"""Which model answers: the ``--base-model | --adapter | --endpoint --model`` options every
command that generates shares (``generate``, ``mcp``)."""

from __future__ import annotations

import functools

import click


def model_options(command):
    """Add the model options; the command receives ``base_model``, ``adapter``,
    ``endpoint`` and ``endpoint_model``, checked to fit together."""
    options = [
        click.option("--base-model", metavar="PATH|ID",
                     help="A local model folder or a Hugging Face id (default: Gemma 3 270M, "
                          "bundled)."),
        click.option("--adapter", metavar="DIR|NAME|none",
                     help="A LoRA adapter folder trained with `nl2logql train`, an installed "
                          "adapter's name, or `none` for the base model alone (default: the "
                          "shipped adapter, with the default base model)."),
        click.option("--endpoint", metavar="URL",
                     help="An OpenAI-compatible server (vLLM, Ollama, llama.cpp) instead of "
                          "local weights."),
        click.option("--model", "endpoint_model", metavar="NAME",
                     help="The model name at --endpoint."),
    ]

    @functools.wraps(command)
    def wrapper(*args, endpoint, endpoint_model, **kwargs):
        if endpoint and not endpoint_model:
            raise click.UsageError("--endpoint needs --model NAME")
        return command(*args, endpoint=endpoint, endpoint_model=endpoint_model, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper
