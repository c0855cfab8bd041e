"""``izde eval retrieval --semantic``: lexical and hybrid ranking side by side, and the
hybrid's pool size and weight chosen by k-fold cross-validation.

For every judged query the lexical top :data:`DEPTH` (scores and the cosine of
each paragraph with the query) is read once; every setting of the grid then
re-ranks it in memory. Queries are dealt into folds round-robin (each fold holds
every language); each fold is scored by the setting that did best on the other
folds, never by one chosen on its own queries, and the report pools those
held-out scores per language (:class:`FoldReport`).
"""

import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from search.evaluation.retrieval import (DEPTH, Progress, RetrievalReport, corpus_key, ndcg_at,
                                         read_jsonl, read_qrels, run_queries)
from search.evaluation.typed_queries import typed_query
from search.index import Index
from search.semantic.embedder import content_key, passage_text
from search.semantic.hybrid import POOL, WEIGHT, combined_scores, semantic_query_text
from search.semantic.setting import default_embedder, store_folder
from search.semantic.store import EmbeddingStore

GRID_POOLS = (10, 20, 30, 50, 100)  # DEPTH (100) is the deepest the evaluation reads
GRID_WEIGHTS = tuple(round(0.05 * step, 2) for step in range(0, 21))  # 0 (lexical) .. 1 (cosine)


@dataclass
class QueryPool:
    """One query's lexical top hits with what re-ranking them needs."""

    lang: str
    judged: dict[str, int]
    ids: list[str]
    lexical: np.ndarray
    cosines: np.ndarray

    def ndcg(self, pool: int, weight: float) -> float:
        n = min(pool, len(self.ids))
        if n == 0:
            return 0.0
        scores = combined_scores(self.lexical[:n], self.cosines[:n], weight)
        order = np.argsort(-scores, kind="stable")
        return ndcg_at([self.ids[i] for i in order] + self.ids[n:], self.judged)


def query_pools(index: Index, embedder, queries: list[dict], qrels,
                progress: Progress | None = None) -> list[QueryPool]:
    store = EmbeddingStore(store_folder(index.path))
    judged = [query for query in queries if query["id"] in qrels]
    pools = []
    for done, query in enumerate(judged, start=1):
        hits = index.search(query["text"], limit=DEPTH, snippets=False, semantic=False)
        text = semantic_query_text(hits.searched_for[-1] if hits.searched_for else query["text"])
        cosines = np.zeros(len(hits), np.float32)
        if hits and text:
            vectors, _ = store.vectors_for([content_key(passage_text({"text": hit.text}))
                                            for hit in hits])
            cosines = vectors @ np.asarray(embedder.encode_queries([text]), np.float32)[0]
        pools.append(QueryPool(query.get("lang") or "?", qrels[query["id"]],
                               [hit.path for hit in hits],
                               np.array([hit.score for hit in hits], np.float64), cosines))
        if progress:
            progress("re-ranking", done, len(judged))
    return pools


@dataclass
class FoldReport:
    """Held-out nDCG@10 per language, lexical and hybrid, and each fold's chosen setting."""

    folds: int
    chosen: list[tuple[int, float]]                  # (pool, weight) per fold
    lexical: dict[str, float]                        # lang -> mean nDCG@10
    hybrid: dict[str, float]                         # lang -> mean held-out nDCG@10
    fold_scores: list[float] = field(default_factory=list)  # each fold's held-out mean

    def as_dict(self) -> dict:
        return {"folds": self.folds,
                "chosen": [{"pool": k, "weight": w} for k, w in self.chosen],
                "lexical_ndcg@10": {g: round(v, 4) for g, v in self.lexical.items()},
                "hybrid_ndcg@10": {g: round(v, 4) for g, v in self.hybrid.items()},
                "fold_hybrid_ndcg@10": [round(v, 4) for v in self.fold_scores]}

    def table(self) -> str:
        rows = [f"{self.folds}-fold cross-validation of the hybrid's pool and weight "
                f"(nDCG@10, each fold scored by the setting best on the others):",
                f"{'lang':<5} {'lexical':>8} {'hybrid':>8}"]
        for group in self.hybrid:
            rows.append(f"{group:<5} {self.lexical[group]:>8.4f} {self.hybrid[group]:>8.4f}")
        rows.append("chosen per fold: " + ", ".join(f"k={k} w={w:g}" for k, w in self.chosen))
        spread = statistics.pstdev(self.fold_scores) if len(self.fold_scores) > 1 else 0.0
        rows.append(f"held-out nDCG@10 per fold: {statistics.fmean(self.fold_scores):.4f} "
                    f"± {spread:.4f}")
        return "\n".join(rows)


def cross_validate(pools: list[QueryPool], folds: int = 5) -> FoldReport:
    grid = [(k, w) for k in GRID_POOLS for w in GRID_WEIGHTS]
    table = np.array([[pool.ndcg(k, w) for k, w in grid] for pool in pools])
    lexical = np.array([pool.ndcg(DEPTH, 0.0) for pool in pools])
    fold_of = np.arange(len(pools)) % folds
    held_out = np.zeros(len(pools))
    chosen, fold_scores = [], []
    for fold in range(folds):
        train, test = fold_of != fold, fold_of == fold
        best = int(np.argmax(table[train].mean(axis=0)))  # ties: the smaller pool and weight
        chosen.append(grid[best])
        held_out[test] = table[test, best]
        fold_scores.append(float(held_out[test].mean()))
    langs = sorted({pool.lang for pool in pools})
    by_lang = {lang: np.array([pool.lang == lang for pool in pools]) for lang in langs}
    by_lang["all"] = np.ones(len(pools), bool)
    return FoldReport(folds, chosen,
                      {g: float(lexical[m].mean()) for g, m in by_lang.items()},
                      {g: float(held_out[m].mean()) for g, m in by_lang.items()}, fold_scores)


@dataclass
class SemanticReport:
    lexical: RetrievalReport
    hybrid: RetrievalReport
    folds: FoldReport | None
    embedded: int = 0
    embed_seconds: float = 0.0
    setting: tuple[int, float] = (POOL, WEIGHT)

    def as_dict(self) -> dict:
        return {"lexical": self.lexical.as_dict(), "hybrid": self.hybrid.as_dict(),
                "hybrid_setting": {"pool": self.setting[0], "weight": self.setting[1]},
                "cross_validation": self.folds.as_dict() if self.folds else None}

    def table(self) -> str:
        rows = ["lexical ranking", self.lexical.table(), "",
                f"hybrid ranking (top {self.setting[0]} re-scored, cosine weight "
                f"{self.setting[1]:g})", self.hybrid.table()]
        if self.folds:
            rows += ["", self.folds.table()]
        return "\n".join(rows)


def evaluate_semantic(corpus_path, queries_path, qrels_path, cache_dir=None,
                      embedding_cache=None, progress: Progress | None = None,
                      full_path: bool = True, rewrite: str = "exact", folds: int = 5,
                      embedder=None) -> SemanticReport:
    """Index the corpus with embeddings (or reuse a cached index) and score both rankings.

    ``embedding_cache`` keeps passage embeddings by content between runs
    (:class:`search.semantic.cached.CachedEmbedder`); ``folds`` 0 skips cross-validation.
    """
    embedder = embedder or default_embedder()
    if embedding_cache is not None:
        from search.semantic.cached import CachedEmbedder

        embedder = CachedEmbedder(embedder, embedding_cache)
    queries = [{**query, "text": typed_query(query, rewrite)}
               for query in read_jsonl(queries_path, ("id", "text"))]
    qrels = read_qrels(qrels_path)
    if cache_dir is not None:
        folder = Path(cache_dir) / f"{corpus_key(corpus_path)}-semantic"
        return _evaluate_in(folder, corpus_path, queries, qrels, embedder, progress,
                            full_path, folds)
    with tempfile.TemporaryDirectory(prefix="izde-eval-") as temporary:
        return _evaluate_in(Path(temporary) / "index", corpus_path, queries, qrels, embedder,
                            progress, full_path, folds)


def _evaluate_in(folder: Path, corpus_path, queries, qrels, embedder, progress, full_path,
                 folds) -> SemanticReport:
    started = time.perf_counter()
    index = Index(folder, semantic=embedder)
    try:
        if not index.exists or not (store_folder(folder) / "live.json").exists():
            corpus = read_jsonl(corpus_path, ("id", "text"))
            index.add_paragraphs(corpus, progress=(
                lambda done, total, label: progress(
                    label if label == "embedding" else "indexing", done, total))
                if progress else None)
        index_seconds = time.perf_counter() - started
        lexical = run_queries(index, queries, qrels, progress=progress, full_path=full_path,
                              semantic=False)
        hybrid = run_queries(index, queries, qrels, progress=progress, full_path=full_path,
                             semantic=True)
        for report in (lexical, hybrid):
            report.index_seconds = index_seconds
            report.paragraphs = index.stats().paragraphs
        fold_report = None
        if folds > 1:
            fold_report = cross_validate(query_pools(index, embedder, queries, qrels, progress),
                                         folds)
        return SemanticReport(lexical, hybrid, fold_report)
    finally:
        index.close()


def most_chosen(report: FoldReport) -> tuple[int, float]:
    """The setting most folds chose (ties: the first fold's), to ship as the default."""
    return Counter(report.chosen).most_common(1)[0][0]
