"""nl2logql: natural-language questions in, validated LogQL for Grafana Loki out."""

__version__ = "0.1.0"
