"""Question/LogQL pairs made from a backend's own logs: ``synthesize(backend)``."""

from nl2logql.synthesis.families import FAMILIES
from nl2logql.synthesis.generate import SynthPair, synthesize, write_pairs

__all__ = ["FAMILIES", "SynthPair", "synthesize", "write_pairs"]
