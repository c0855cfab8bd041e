"""``izde bench run --semantic``: what semantic mode costs on the benchmark corpus.

Embedding is slow (a few paragraphs per second on one core here), so the whole
corpus is never embedded by the model. Instead:

- **throughput**: the model embeds a seeded sample of the corpus's paragraphs
  (``--semantic-sample``, 48 by default), timed (paragraphs/s, one thread unless
  ``IZDE_SEMANTIC_THREADS`` says otherwise), projected to the whole corpus;
- **size**: the corpus is indexed with embeddings from a stand-in embedder of the
  model's dimension (pseudo-random unit vectors, instant), so the index on disk is
  exactly as large as with the model's; *without* is the same index minus its
  ``embeddings/`` folder;
- **query latency**: the bench's queries searched on that index with semantic
  ranking off and on, the query embedded by the real model (what a search pays:
  the ranking itself is meaningless with stand-in paragraph vectors).
"""

import hashlib
import random
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from search.bench.engines import QuerySpec
from search.index import Index
from search.semantic.setting import default_embedder, store_folder

DEFAULT_SAMPLE = 48
QUERIES = 50  # of the bench's query set, each searched both ways


class StandInEmbedder:
    """The model's queries, and pseudo-random passages of its dimension (for sizes only)."""

    def __init__(self, model):
        self.model = model
        self.name = f"stand-in for {model.name}"
        self.dimension = model.dimension

    def encode_queries(self, texts):
        return self.model.encode_queries(texts)

    def encode_passages(self, texts):
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "little")
            row = np.random.default_rng(seed).standard_normal(self.dimension)
            rows.append(row / np.linalg.norm(row))
        return np.asarray(rows, np.float32).reshape(len(texts), self.dimension)


def _folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def _median_p95(times_ms: list[float]) -> dict:
    ordered = sorted(times_ms)
    return {"median_ms": round(ordered[len(ordered) // 2], 2),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2)}


def measure_semantic(corpus: str | Path, queries: list[QuerySpec],
                     sample: int = DEFAULT_SAMPLE, seed: int = 0) -> dict:
    """Embedding throughput on a sample, index size with and without embeddings, and
    query latency both ways (see the module docstring)."""
    model = default_embedder()
    check = getattr(model, "check", None)
    if check is not None:
        check()  # a clear error before indexing when the model cannot run here
    scratch = Path(tempfile.mkdtemp(prefix="izde-bench-semantic-"))
    try:
        with Index(scratch / "index", semantic=StandInEmbedder(model)) as index:
            index.update([Path(corpus)])
            paragraphs = index.stats().paragraphs
            with_bytes = _folder_bytes(index.path)
            embeddings_bytes = _folder_bytes(store_folder(index.path))
            texts = [fields["text"] for fields in index.searcher().all_stored_fields()]
            picked = random.Random(seed).sample(texts, min(sample, len(texts)))
            started = time.perf_counter()
            model.encode_passages(picked)
            seconds = time.perf_counter() - started
            latency = {}
            for semantic in (False, True):
                times = []
                for spec in queries[:QUERIES]:
                    began = time.perf_counter()
                    index.ranked_ids(spec.izde(), limit=10, semantic=semantic)
                    times.append((time.perf_counter() - began) * 1000)
                latency["hybrid" if semantic else "lexical"] = _median_p95(times) if times else {}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    per_second = len(picked) / seconds if seconds > 0 else 0.0
    return {
        "model": model.name, "dimension": model.dimension,
        "threads": getattr(model, "threads", None),
        "sample_paragraphs": len(picked), "embed_s": round(seconds, 2),
        "paragraphs_per_s": round(per_second, 2),
        "corpus_paragraphs": paragraphs,
        "projected_corpus_embed_s": round(paragraphs / per_second, 1) if per_second else None,
        "index_bytes_without": with_bytes - embeddings_bytes, "index_bytes_with": with_bytes,
        "embeddings_bytes_per_paragraph": round(embeddings_bytes / paragraphs, 1)
        if paragraphs else None,
        "queries": min(QUERIES, len(queries)), "latency": latency,
    }


def format_semantic(figures: dict) -> str:
    """The semantic figures as a few lines, saying they come from a sample."""
    without, with_ = figures["index_bytes_without"], figures["index_bytes_with"]
    lines = [
        f"semantic mode ({figures['model']}, {figures['dimension']} dimensions, "
        f"{figures['threads'] or '?'} thread(s)):",
        f"  embedding: {figures['paragraphs_per_s']:.2f} paragraphs/s, measured on a sample of "
        f"{figures['sample_paragraphs']} paragraphs ({figures['embed_s']:.1f} s), not the whole "
        f"corpus; its {figures['corpus_paragraphs']:,} paragraphs would take "
        f"~{_duration(figures['projected_corpus_embed_s'])}",
        f"  index size (one index built for this, with embeddings of the model's size): "
        f"{without / 1e6:,.1f} MB without embeddings, {with_ / 1e6:,.1f} MB with "
        f"(+{(with_ - without) / max(without, 1):.0%}; "
        f"{figures['embeddings_bytes_per_paragraph']:,.0f} bytes a paragraph, identical "
        f"paragraphs sharing one embedding)",
    ]
    latency = figures["latency"]
    if latency.get("hybrid"):
        lines.append(f"  query latency over {figures['queries']} queries: lexical median "
                     f"{latency['lexical']['median_ms']:.1f} ms, p95 "
                     f"{latency['lexical']['p95_ms']:.1f}; hybrid median "
                     f"{latency['hybrid']['median_ms']:.1f} ms, p95 "
                     f"{latency['hybrid']['p95_ms']:.1f}")
    return "\n".join(lines)


def _duration(seconds: float | None) -> str:
    """
    >>> _duration(90), _duration(5400), _duration(None)
    ('2 min', '1.5 h', '?')
    """
    if seconds is None:
        return "?"
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{max(1, round(seconds / 60))} min"
