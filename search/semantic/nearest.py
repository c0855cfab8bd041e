"""The nearest paragraphs to a query by brute force over every embedding of the index.

:class:`LiveVectors` holds the embeddings of the paragraphs one searcher sees,
row by row with their docnums, in memory as float32 (1.5 KB a paragraph for
e5-small: 5 MB at 3,344 paragraphs, 150 MB at 100k; the store on disk keeps
float16). A query's cosines with all of them take 0.4 ms at 3k paragraphs
(~12 ms at 100k). Float32 because numpy converts float16 slowly: converting
the 3k rows for every query took 20 ms here. The product is an ``einsum``, not
``@``: right after the model ran, OpenBLAS's threads competed with its OpenMP
threads and the same product took 11 ms instead of 0.05.
It is built once per searcher (a commit makes a new one) from the searcher's
segments: a segment's paragraphs never change once written (a commit only
deletes some, or merges segments into a new one), so each segment's vectors are
read once, by hashing its paragraphs' text and looking the keys up in the
store, and kept in a cache the next searcher reuses, dropping the rows deleted
since. At 100k paragraphs in 10 segments, the searcher after a commit adding
one paragraph was ready in ~1.5 s before this cache (every paragraph re-read)
and in ~20 ms with it; the per-query cosines took the same 6.2 ms in parts as
in one matrix.
"""

from dataclasses import dataclass

import numpy as np

from search.semantic.embedder import content_key, passage_text
from search.semantic.store import EmbeddingStore
from search.storage.segments import segments_of


@dataclass(frozen=True)
class SegmentVectors:
    """One segment's embeddings: rows for the local docnums the store had a vector for,
    and the (docnum, key) of those it lacked (only while another process converts)."""
    docnums: np.ndarray
    matrix: np.ndarray
    missing_docnums: np.ndarray
    missing_keys: np.ndarray

    @classmethod
    def read(cls, reader, store: EmbeddingStore) -> "SegmentVectors":
        docnums, keys = [], []
        for docnum, fields in reader.iter_docs():
            docnums.append(docnum)
            keys.append(content_key(passage_text(fields)))
        empty = cls(np.empty(0, np.int64), np.empty((0, store.dimension), np.float32),
                    np.asarray(docnums, np.int64), np.asarray(keys, np.uint64))
        return empty.filled(store)

    def filled(self, store: EmbeddingStore) -> "SegmentVectors":
        """The same segment with the vectors the store now has for the missing rows."""
        if not len(self.missing_keys):
            return self
        vectors, found = store.vectors_for(self.missing_keys.tolist())
        if not found.any():
            return self
        docnums = np.concatenate([self.docnums, self.missing_docnums[found]])
        matrix = np.concatenate([self.matrix, vectors[found]])
        order = np.argsort(docnums, kind="stable")
        return SegmentVectors(docnums[order], np.ascontiguousarray(matrix[order]),
                              self.missing_docnums[~found], self.missing_keys[~found])


class LiveVectors:
    """The embeddings of the live paragraphs of one searcher, and their docnums.

    ``cache``: segment id -> :class:`SegmentVectors`, shared by the searchers of one
    index one after another (updated in place: only the segments this one reads stay).
    """

    def __init__(self, store: EmbeddingStore, searcher, cache: dict | None = None):
        cache = {} if cache is None else cache
        reused, self._parts, docnums = {}, [], []
        self._part_rows = []  # per part, the matrix row of each of its live rows
        for view in segments_of(searcher):
            part = cache.get(view.segment_id) if view.segment_id is not None else None
            part = SegmentVectors.read(view.reader, store) if part is None else part.filled(store)
            if view.segment_id is not None:
                reused[view.segment_id] = part
            live = ~np.isin(part.docnums, view.deleted) if len(view.deleted) else None
            self._parts.append((part.matrix, live))
            self._part_rows.append(np.arange(len(part.docnums)) if live is None
                                   else np.flatnonzero(live))
            docnums.append(view.offset + (part.docnums if live is None else part.docnums[live]))
        cache.clear()
        cache.update(reused)
        self.docnums = np.concatenate(docnums) if docnums else np.empty(0, np.int64)
        # docnum -> row; -1 for a paragraph without an embedding (only while another
        # process converts the index)
        self.row_of = np.full(searcher.doc_count_all(), -1, np.int64)
        self.row_of[self.docnums] = np.arange(len(self.docnums))

    def __len__(self) -> int:
        return len(self.docnums)

    def cosines(self, query: np.ndarray) -> np.ndarray:
        """The query's cosine with every row."""
        query = np.asarray(query, np.float32)
        # per segment, so no searcher copies every vector into one matrix
        parts = [np.einsum("ij,j->i", matrix, query) for matrix, _live in self._parts]
        parts = [part if live is None else part[live]
                 for part, (_matrix, live) in zip(parts, self._parts)]
        return np.concatenate(parts) if parts else np.empty(0, np.float32)

    def vectors(self, docnums: list[int]) -> np.ndarray:
        """The embeddings of ``docnums`` that have one, in their order (float32 rows)."""
        rows = self.row_of[np.asarray(docnums, np.int64)] if len(docnums) else np.empty(0, int)
        rows = rows[rows >= 0]
        if not len(rows):
            return np.empty((0, self._parts[0][0].shape[1] if self._parts else 0), np.float32)
        starts = np.cumsum([0] + [len(part_rows) for part_rows in self._part_rows])
        parts = np.searchsorted(starts, rows, side="right") - 1
        return np.stack([self._parts[part][0][self._part_rows[part][row - starts[part]]]
                         for part, row in zip(parts, rows)])

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
