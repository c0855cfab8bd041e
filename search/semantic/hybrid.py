"""Hybrid ranking: lexical hits and the paragraphs nearest the query, fused.

The candidates are the best lexical hits and, for plain queries (no phrase,
operator or exclusion), the paragraphs nearest the query's embedding by brute
force over the whole index (:mod:`search.semantic.nearest`); with a filter
(``lang:kk``, ``file:``) those must pass it too. Phrase and boolean queries are
re-scored only within what they match, so they keep their meaning. How the two
scores fuse (with the query's embedding centred on its neighbourhood and the
pseudo-relevance feedback of the best lexical hits' embeddings), and how many
candidates each side brings, is :data:`FUSION`,
chosen by 5-fold cross-validation on the development queries
(:mod:`search.semantic.fusion`, docs/semantic.md).
"""

import re

import numpy as np

from search.semantic.embedder import Embedder
from search.semantic.fusion import Feedback, Fusion, centred_query, feedback_query
from search.semantic.nearest import LiveVectors
from search.semantic.store import EmbeddingStore
from search.semantic.setting import store_folder

# Chosen by 5-fold cross-validation on the development queries (docs/semantic.md).
FUSION = Fusion("zscore", pool=100, nearest=10, weight=0.55, feedback=10, feedback_weight=0.15,
                centre=20, centre_weight=0.5)

# Query syntax a model should not read: field filters, operators, exclusions, marks.
_FILTER = re.compile(r"(?<!\S)[+-]?\w+:\S+")
_EXCLUDED = re.compile(r"(?<!\S)-\S+")
_OPERATOR = re.compile(r"\b(?:AND|OR|NOT)\b")
_MARKS = re.compile(r"[()\"«»+~^*]")


def semantic_query_text(text: str) -> str:
    """The words of a query, as the embedding model should read them.

    >>> semantic_query_text('"прямые рейсы" AND Сеул -Алматы lang:ru лесо~')
    'прямые рейсы Сеул лесо'
    """
    for pattern in (_FILTER, _EXCLUDED, _OPERATOR, _MARKS):
        text = pattern.sub(" ", text)
    return " ".join(text.split())


class HybridRanker:
    """Fuses the lexical hits of one index with ``embedder``'s embeddings of its paragraphs."""

    def __init__(self, index_path, embedder: Embedder, fusion: Fusion = FUSION):
        self.store = EmbeddingStore(store_folder(index_path))
        self.embedder = embedder
        self.fusion = fusion
        self.pool = fusion.pool
        self.store.check_embedder(embedder.name, embedder.dimension)
        self._live: tuple[object, LiveVectors] | None = None
        self._segments: dict = {}  # segment id -> its vectors, reused by the next searcher

    def live_vectors(self, searcher) -> LiveVectors:
        """The embeddings of what ``searcher`` sees (built once per searcher, from the
        previous searcher's segments where they are the same)."""
        if self._live is None or self._live[0] is not searcher:
            self._live = (searcher, LiveVectors(self.store, searcher, self._segments))
        return self._live[1]

    def rescore(self, searcher, hits: list[tuple[int, float]], query_text: str,
                limit: int, nearest=None) -> list[tuple[int, float]] | None:
        """The best ``limit`` by the fused score; None when the query has no words to embed.

        ``nearest``: None adds no paragraph the words did not find (phrase and
        boolean queries); True adds the nearest of the whole index; a set of
        docnums adds the nearest among them (what a filter lets through).
        """
        text = semantic_query_text(query_text)
        if not text or (not hits and nearest is None):
            return None
        live = self.live_vectors(searcher)
        query = np.asarray(self.embedder.encode_queries([text]), np.float32)[0]
        cosines = live.cosines(query)
        if self.fusion.centres and len(cosines):
            neighbours = live.nearest(cosines, self.fusion.centre)
            cosines = live.cosines(centred_query(
                query, live.vectors([doc for doc, _ in neighbours]), self.fusion.centre_weight))
        pool = hits[:self.fusion.pool]
        pool_cosines = live.cosines_of(cosines, [doc for doc, _ in pool])
        near = []
        if nearest is not None and self.fusion.nearest:
            near = live.nearest(cosines, self.fusion.nearest + len(pool),
                                None if nearest is True else nearest)
        mean, std = (float(cosines.mean()), float(cosines.std())) if len(cosines) else (0.0, 1.0)
        feedback = self._feedback(live, pool, near)
        return self.fusion.fuse(hits[:max(limit, self.fusion.pool)], pool_cosines, near,
                                mean, std, limit, feedback)

    def _feedback(self, live: LiveVectors, pool, near) -> Feedback | None:
        """The candidates' cosines with the mean embedding of the best lexical hits."""
        if not self.fusion.uses_feedback or not pool:
            return None
        top = live.vectors([doc for doc, _ in pool[:self.fusion.feedback]])
        if not len(top):
            return None
        cosines = live.cosines(feedback_query(top))
        candidates = [doc for doc, _ in pool] + [doc for doc, _ in near]
        return Feedback(dict(zip(candidates, live.cosines_of(cosines, candidates).tolist())),
                        float(cosines.mean()), float(cosines.std()))
