"""Published reference numbers that reports and plots set beside ours.

Source: "Chatting with Logs: An exploratory study on Finetuning LLMs for LogQL" (the
NL2QL paper), execution-based scores with 80 % of the data used for fine-tuning, per
system: metric queries accuracy, log queries F1 (as listed in the project's data notes,
``shared/data/README.md``). The paper ran its own Loki over its own logs with its own
80/20 split, so the comparable number of ours is NL2QL on the ``random`` split.
LogEval's best published scores come with its suite (``nl2logql.evaluation.logeval``).
"""

from __future__ import annotations

NL2QL_SOURCE = ("NL2QL paper (\"Chatting with Logs: An exploratory study on Finetuning LLMs "
                "for LogQL\"), 80 % fine-tuning data")

# system -> model -> {"metric_accuracy": ..., "log_f1": ...}
NL2QL_PAPER: dict[str, dict[str, dict[str, float]]] = {
    "OpenStack": {
        "GPT-4o fine-tuned": {"metric_accuracy": 0.74, "log_f1": 0.66},
        "Llama-3.1-8B LoRA": {"metric_accuracy": 0.57, "log_f1": 0.45},
        "Gemma-2-9B LoRA": {"metric_accuracy": 0.39, "log_f1": 0.37},
    },
    "OpenSSH": {
        "GPT-4o fine-tuned": {"metric_accuracy": 0.76, "log_f1": 0.71},
        "Llama-3.1-8B LoRA": {"metric_accuracy": 0.55, "log_f1": 0.48},
        "Gemma-2-9B LoRA": {"metric_accuracy": 0.42, "log_f1": 0.47},
    },
    "HDFS": {
        "GPT-4o fine-tuned": {"metric_accuracy": 0.79, "log_f1": 0.76},
        "Llama-3.1-8B LoRA": {"metric_accuracy": 0.52, "log_f1": 0.58},
        "Gemma-2-9B LoRA": {"metric_accuracy": 0.55, "log_f1": 0.43},
    },
}

PAPER_MODELS = ("GPT-4o fine-tuned", "Llama-3.1-8B LoRA", "Gemma-2-9B LoRA")
SYSTEMS = ("OpenSSH", "OpenStack", "HDFS")
