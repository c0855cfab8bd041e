"""BM25F with statistics from elsewhere: how a shard scores exactly as one index would.

A shard knows only its own paragraphs: its idf and average field lengths differ
from the whole collection's, so its scores would not compare with another
shard's, and the merged top-k would differ from one index's. As Elasticsearch's
``dfs_query_then_fetch``, the statistics of the whole collection (summed over
the shards, :func:`search.storage.union.union_searcher`) are turned into each
query term's BM25 constants once, sent with the query, and every shard scores
with them (:class:`GlobalBM25F`): the same scores, to the last bit, as the
index holding all the paragraphs.
"""

from whoosh import query as q

from search.ranking.bm25 import WEIGHTING, LanguageBM25F, TermScorer, configured_settings

Constants = tuple[float, float, float, float]  # idf, average field length, B, K1
TermKey = tuple[str, bytes]  # field, index term


def query_term_constants(searcher, queries: list[q.Query]) -> dict[TermKey, Constants]:
    """The BM25 constants, from ``searcher``'s statistics, of every term ``queries`` may
    score: their words, phrases' words, and what fuzzy and prefix words expand to in
    ``searcher``'s vocabulary (a shard's vocabulary is part of it)."""
    reader = searcher.reader()
    constants: dict[TermKey, Constants] = {}
    for query in queries:
        if query is None:
            continue
        terms = (term for leaf in query.leaves()
                 for term in leaf.expanded_terms(reader, phrases=True))
        for fieldname, text in terms:
            if fieldname not in searcher.schema or not searcher.schema[fieldname].scorable:
                continue
            key = term_key(searcher.schema, fieldname, text)
            if key not in constants:
                constants[key] = WEIGHTING.term_constants(searcher, fieldname, key[1])
    return constants


def term_key(schema, fieldname: str, text) -> TermKey:
    return fieldname, text if isinstance(text, bytes) else schema[fieldname].to_bytes(text)


class GlobalBM25F(LanguageBM25F):
    """:data:`search.ranking.bm25.WEIGHTING` with each term's constants given, not read
    from the searcher; a term not given (none should be) falls back to the searcher's."""

    def __init__(self, constants: dict[TermKey, Constants]):
        super().__init__(**configured_settings())
        self.constants = constants

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf=qf)
        return TermScorer(searcher, fieldname, text, self, qf=qf)

    def term_constants(self, searcher, fieldname, text) -> Constants:
        found = self.constants.get(term_key(searcher.schema, fieldname, text))
        return found if found is not None else super().term_constants(searcher, fieldname, text)
