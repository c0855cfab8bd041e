"""What semantic mode's bookkeeping costs at scale, without the model.

The model embeds a few paragraphs a second here, so a 100k-paragraph index
cannot be embedded for a benchmark. This builds one with a stand-in embedder of
the model's dimension (pseudo-random unit vectors, instant), from record
paragraphs in ten commits (ten segments), and times what does not depend on the
model: an update replacing one paragraph (the live keys read and rewritten, the
store's lookups and compaction check, Whoosh's commit), the size of the live
keys, the searcher's vectors before the first hybrid query (the first searcher,
and the one after that update), and one query's cosines.

    python3 -m search.bench.semantic_scale 100000 [--dimension 384] [--keep DIR]
"""

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from search.index import Index
from search.semantic.hybrid import HybridRanker
from search.semantic.setting import store_folder

COMMITS = 10
WORDS = 25  # a paragraph's length, in words of the vocabulary below


class RandomEmbedder:
    """Pseudo-random unit vectors for passages and queries: sizes and times only."""

    def __init__(self, dimension: int = 384):
        self.name, self.dimension = f"random-{dimension}", dimension
        self._rng = np.random.default_rng(0)

    def encode_queries(self, texts):
        return self.encode_passages(texts)

    def encode_passages(self, texts):
        rows = self._rng.standard_normal((len(texts), self.dimension))
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _paragraphs(count: int, rng: random.Random, prefix: str) -> list[dict]:
    vocabulary = ["су", "вода", "water", "қала", "город", "city", "өрт", "пожар", "fire"] + \
        [f"w{i}" for i in range(5000)]
    return [{"id": f"{prefix}-{i}", "text": " ".join(rng.choices(vocabulary, k=WORDS))}
            for i in range(count)]


def measure_semantic_scale(paragraphs: int, folder: Path, dimension: int = 384) -> dict:
    """Build the index in ``folder`` (see the module docstring) and return the timings."""
    import search.semantic.sync as sync

    rng = random.Random(1)
    embedder = RandomEmbedder(dimension)
    batch, sync.BATCH = sync.BATCH, 4096  # fewer, larger batches: the model is not timed here
    try:
        started = time.perf_counter()
        with Index(folder, semantic=embedder) as index:
            per_commit = max(1, paragraphs // COMMITS)
            for commit in range(COMMITS):
                index.add_paragraphs(_paragraphs(per_commit, rng, f"c{commit}"))
            build_s = time.perf_counter() - started
            ranker = HybridRanker(folder, embedder)
            began = time.perf_counter()
            live = ranker.live_vectors(index.searcher())
            first_searcher_ms = (time.perf_counter() - began) * 1000
            began = time.perf_counter()
            index.add_paragraphs([{"id": "c0-0", "text": "a changed paragraph"}])  # replaces one
            update_ms = (time.perf_counter() - began) * 1000
            began = time.perf_counter()
            live = ranker.live_vectors(index.searcher())
            next_searcher_ms = (time.perf_counter() - began) * 1000
            query = embedder.encode_queries(["query"])[0]
            times = []
            for _ in range(20):
                began = time.perf_counter()
                live.cosines(query)
                times.append((time.perf_counter() - began) * 1000)
    finally:
        sync.BATCH = batch
    live_files = {f.name: f.stat().st_size for f in store_folder(folder).iterdir()
                  if f.name.startswith("live")}
    return {"paragraphs": len(live), "dimension": dimension, "build_s": round(build_s, 1),
            "update_one_paragraph_ms": round(update_ms, 1), "live_keys_bytes": live_files,
            "first_searcher_vectors_ms": round(first_searcher_ms, 1),
            "searcher_after_update_vectors_ms": round(next_searcher_ms, 1),
            "query_cosines_median_ms": round(sorted(times)[len(times) // 2], 2)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paragraphs", type=int)
    parser.add_argument("--dimension", type=int, default=384)
    parser.add_argument("--keep", type=Path, help="build the index here and keep it")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="izde-semantic-scale-")) / "index"
    try:
        for name, value in measure_semantic_scale(args.paragraphs, folder,
                                                  args.dimension).items():
            print(f"{name}: {value}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
