"""A query object to ``[(docnum, score)]``: BM25F, its settings, and the fast scoring paths."""
