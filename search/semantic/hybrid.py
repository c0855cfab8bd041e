"""Hybrid ranking: the lexical top-k re-scored with the query's embedding.

Each of the best :data:`POOL` lexical hits scores ``(1 - WEIGHT) * its Izde score
min-max normalised over the pool + WEIGHT * cosine(query, paragraph)``. Only
the order within what the query matched changes, so phrases, boolean operators
and filters keep their meaning; hits past the pool follow in lexical order,
below it. :data:`POOL` and :data:`WEIGHT` were chosen by 5-fold
cross-validation on the development queries (docs/semantic.md).
"""

import re

import numpy as np

from search.semantic.embedder import Embedder, content_key, passage_text
from search.semantic.store import EmbeddingStore
from search.semantic.setting import store_folder

# Chosen by 5-fold cross-validation on the development queries (docs/semantic.md):
# every fold chose weight 0.95, three of five a pool of 50 (two chose 20).
POOL = 50      # lexical hits re-scored
WEIGHT = 0.95  # share of the cosine in the combined score

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


def combined_scores(lexical: np.ndarray, cosines: np.ndarray, weight: float) -> np.ndarray:
    """``(1 - weight) * min-max(lexical) + weight * cosines`` (lexical all equal: 1).

    >>> combined_scores(np.array([10.0, 5.0]), np.array([0.80, 0.90]), 0.5).round(3).tolist()
    [0.9, 0.45]
    """
    low, high = float(lexical.min()), float(lexical.max())
    normalised = (lexical - low) / (high - low) if high > low else np.ones_like(lexical)
    return (1.0 - weight) * normalised + weight * cosines


class HybridRanker:
    """Re-scores lexical hits of one index with ``embedder``'s embeddings of its paragraphs."""

    def __init__(self, index_path, embedder: Embedder, pool: int = POOL, weight: float = WEIGHT):
        self.store = EmbeddingStore(store_folder(index_path))
        self.embedder = embedder
        self.pool = pool
        self.weight = weight
        self.store.check_embedder(embedder.name, embedder.dimension)

    def cosines(self, searcher, docnums: list[int], query_text: str) -> np.ndarray:
        """Cosine of the query with each paragraph; a paragraph without an embedding
        (only while another process is converting the index) gets the lowest found."""
        keys = [content_key(passage_text(searcher.stored_fields(doc))) for doc in docnums]
        vectors, found = self.store.vectors_for(keys)
        query = np.asarray(self.embedder.encode_queries([query_text]), np.float32)[0]
        cosines = vectors @ query
        if not found.all():
            cosines[~found] = cosines[found].min() if found.any() else 0.0
        return cosines

    def rescore(self, searcher, hits: list[tuple[int, float]], query_text: str,
                limit: int) -> list[tuple[int, float]] | None:
        """The best ``limit`` hits re-scored; None when the query has no words to embed."""
        text = semantic_query_text(query_text)
        pool = hits[:self.pool]
        if not text or not pool:
            return None
        lexical = np.array([score for _, score in pool], np.float64)
        scores = combined_scores(lexical, self.cosines(searcher, [d for d, _ in pool], text),
                                 self.weight)
        order = np.argsort(-scores, kind="stable")
        rescored = [(pool[i][0], float(scores[i])) for i in order]
        # Past the pool: lexical order, scored on the same scale (at or below 0).
        low, high = float(lexical.min()), float(lexical.max())
        span = high - low or 1.0
        tail = [(doc, (1.0 - self.weight) * (score - low) / span)
                for doc, score in hits[self.pool:limit]]
        return (rescored + tail)[:limit]
