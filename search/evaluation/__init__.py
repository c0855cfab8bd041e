"""Measuring quality (``izde eval``); imported by its commands, never by the library."""

# How `izde eval retrieval --rewrite` types the queries (search.evaluation.typed_queries);
# named here so the command line lists them without importing the analyzers.
REWRITES = ("exact", "folded", "folded-y", "latin", "typo1", "typo")
