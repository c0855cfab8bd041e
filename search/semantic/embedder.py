"""What turns text into vectors, and which text of a paragraph is embedded.

An embedder is any object with a ``name``, a ``dimension`` and two methods that
return L2-normalised ``float32`` arrays of shape ``(len(texts), dimension)``;
queries and passages are encoded apart because models such as E5 prefix them
differently. The index records ``name`` and ``dimension`` and refuses
embeddings of another model (:class:`search.semantic.errors.EmbedderMismatchError`).

A model you can download, through sentence-transformers, plugs in like this::

    from sentence_transformers import SentenceTransformer

    class SentenceTransformerEmbedder:
        def __init__(self, model_name="intfloat/multilingual-e5-base"):
            self.model = SentenceTransformer(model_name)
            self.name = f"sentence-transformers/{model_name}"
            self.dimension = self.model.get_sentence_embedding_dimension()

        def encode_queries(self, texts):
            return self.model.encode([f"query: {t}" for t in texts], normalize_embeddings=True)

        def encode_passages(self, texts):
            return self.model.encode([f"passage: {t}" for t in texts], normalize_embeddings=True)

    Index("index", semantic=SentenceTransformerEmbedder()).update(["docs"])
"""

import hashlib
from typing import Protocol, Sequence, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    name: str       # recorded in the index: embeddings of two names never mix
    dimension: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dimension) float32, each row of length 1."""

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dimension) float32, each row of length 1."""


def passage_text(fields: dict) -> str:
    """The text a paragraph is embedded as, from its stored fields: its text alone.

    (Titles are searched lexically; the model saw paragraphs without them when
    the hybrid weights were chosen, see docs/semantic.md.)
    """
    return fields["text"]


def content_key(passage: str) -> int:
    """The paragraph's key in the embedding store: 64 bits of its BLAKE2b hash.

    Keyed by content, so an unchanged paragraph is never embedded again, wherever
    it moves; 64 bits make a collision unlikely below billions of paragraphs.

    >>> content_key("Су тасқыны") == content_key("Су тасқыны") != content_key("су тасқыны")
    True
    """
    digest = hashlib.blake2b(passage.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")
