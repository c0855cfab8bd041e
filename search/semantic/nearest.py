"""The nearest paragraphs to a query by brute force over every embedding of the index.

:class:`LiveVectors` holds the embeddings of the paragraphs one searcher sees,
row by row with their docnums, in memory as float32 (1.5 KB a paragraph for
e5-small: 5 MB at 3,344 paragraphs, 150 MB at 100k; the store on disk keeps
float16). A query's cosines with all of them take 0.4 ms at 3k paragraphs
(~12 ms at 100k). Float32 because numpy converts float16 slowly: converting
the 3k rows for every query took 20 ms here. The product is an ``einsum``, not
``@``: right after the model ran, OpenBLAS's threads competed with its OpenMP
threads and the same product took 11 ms instead of 0.05.
It is built once per searcher (a commit makes a new one), reading each
paragraph's text to find its embedding: ~0.1 s at 3k paragraphs.
"""

import numpy as np

from search.semantic.embedder import content_key, passage_text
from search.semantic.store import EmbeddingStore


class LiveVectors:
    """The embeddings of the live paragraphs of one searcher, and their docnums."""

    def __init__(self, store: EmbeddingStore, searcher):
        docnums, keys = [], []
        for docnum, fields in searcher.reader().iter_docs():
            docnums.append(docnum)
            keys.append(content_key(passage_text(fields)))
        vectors, found = store.vectors_for(keys)
        self.docnums = np.asarray(docnums, np.int64)[found]
        self.matrix = np.ascontiguousarray(vectors[found], np.float32)
        # docnum -> row; -1 for a paragraph without an embedding (only while another
        # process converts the index)
        self.row_of = np.full(searcher.doc_count_all(), -1, np.int64)
        self.row_of[self.docnums] = np.arange(len(self.docnums))

    def __len__(self) -> int:
        return len(self.docnums)

    def cosines(self, query: np.ndarray) -> np.ndarray:
        """The query's cosine with every row."""
        return np.einsum("ij,j->i", self.matrix, np.asarray(query, np.float32))

    def cosines_of(self, cosines: np.ndarray, docnums: list[int]) -> np.ndarray:
        """The cosines of ``docnums`` among all (``cosines`` from :meth:`cosines`); a
        paragraph without an embedding gets the lowest of the index."""
        rows = self.row_of[np.asarray(docnums, np.int64)]
        lowest = float(cosines.min()) if len(cosines) else 0.0
        return np.where(rows >= 0, cosines[np.maximum(rows, 0)] if len(cosines) else 0.0,
                        lowest)

    def nearest(self, cosines: np.ndarray, count: int, allowed=None) -> list[tuple[int, float]]:
        """The ``count`` best (docnum, cosine), best first; ``allowed``: docnums they
        must be among (a filter's), or None for any."""
        candidates = np.arange(len(cosines))
        if allowed is not None:
            candidates = candidates[np.isin(self.docnums, np.fromiter(allowed, np.int64))]
        count = min(count, len(candidates))
        if count <= 0:
            return []
        values = cosines[candidates]
        best = np.argpartition(-values, count - 1)[:count]
        best = best[np.argsort(-values[best], kind="stable")]
        return [(int(self.docnums[candidates[i]]), float(values[i])) for i in best]
