"""Question → validated LogQL.

The pipeline (``pipeline.py``) wires these parts, each in its own module:

- ``datasets``   question/query pairs (NL2QL, NL2QL-exec, the user's) and the committed splits;
- ``retrieval``  the k most similar training pairs for a question (BM25), never the test side;
- ``data_examples`` pairs synthesized from the logs asked about, as examples for a system
                 the split lacks (your own logs, a held-out system);
- ``schema``     label names, values and sample lines from a backend, within a budget;
- ``prompt``     the one prompt builder, shared with training;
- ``grammar``    the LogQL grammar (``nl2logql/logql/grammar.lark``) turned into a decoding
                 constraint (llguidance), optionally narrowed to the labels that exist;
- ``models``     model backends: local transformers weights (the default Gemma 3 270M,
                 converted once from its GGUF and cached), an OpenAI-compatible endpoint,
                 and a scripted model for tests. All implement :class:`models.Model`.
"""
