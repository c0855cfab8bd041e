"""``izde eval retrieval --semantic``: lexical and hybrid ranking side by side, and the
hybrid's fusion chosen by k-fold cross-validation.

For every judged query the lexical top :data:`DEPTH` (scores and the cosine of
each paragraph with the query), its :data:`NEAREST` nearest paragraphs by
cosine over the whole corpus and the cosine's mean and deviation are read once;
every :class:`~search.semantic.fusion.Fusion` of the grid then ranks them in
memory through the same code a search runs. Queries are dealt into folds
round-robin (each fold holds every language); each fold is scored by the
setting that did best on the other folds, never by one chosen on its own
queries, and the report pools those held-out scores per language
(:class:`FoldReport`). The same is done with one setting per query language as
told by its letters, to show whether that would generalise.
"""

import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from search.evaluation.retrieval import (DEPTH, Progress, RetrievalReport, corpus_key, ndcg_at,
                                         read_jsonl, read_qrels, run_queries)
from search.evaluation.typed_queries import typed_query
from search.index import Index
from search.query.syntax import is_plain_words, query_languages
from search.semantic.embedder import content_key, passage_text
from search.semantic.fusion import Feedback, Fusion, centred_query, feedback_query
from search.semantic.hybrid import FUSION, semantic_query_text
from search.semantic.setting import default_embedder, is_semantic, store_folder
from search.semantic.store import EmbeddingStore

GRID_POOLS = (20, 50, 100)      # DEPTH (100) is the deepest the evaluation reads
GRID_NEAREST = (0, 10, 20, 50)
NEAREST = max(GRID_NEAREST) + DEPTH  # enough that the pool never exhausts them
GRID_WEIGHTS = tuple(round(0.05 * step, 2) for step in range(0, 21))  # 0 (lexical) .. 1
RRF_WEIGHTS = tuple(round(0.1 * step, 1) for step in range(1, 10))
RRF_CONSTANTS = (10, 60)
# Dense pseudo-relevance feedback (with zscore, the family every fold chose): the mean
# embedding of the best 3, 5 or 10 lexical hits as a second query, weighing 0.05-0.25.
GRID_FEEDBACK = (3, 5, 10)
GRID_FEEDBACK_WEIGHTS = (0.05, 0.1, 0.15, 0.2, 0.25)
# The query centred on its neighbourhood (its 20 or 50 nearest paragraphs' mean embedding
# taken from it, times 0.25-0.75), tried with zscore and feedback, over the lexical top 100
# (every fold's pool) and nearest 0-20 (what the folds chose) to keep the grid small.
GRID_CENTRES = (20, 50)
GRID_CENTRE_WEIGHTS = (0.25, 0.5, 0.75)
# Method first, so that a tie goes to the first shipped family (minmax), then smaller
# settings; settings without feedback before those with it, without centring before with.
GRID = ([Fusion(method, pool, near, weight) for method in ("minmax", "zscore")
         for pool in GRID_POOLS for near in GRID_NEAREST for weight in GRID_WEIGHTS]
        + [Fusion("rrf", pool, near, weight, constant) for pool in GRID_POOLS
           for near in GRID_NEAREST for weight in RRF_WEIGHTS for constant in RRF_CONSTANTS]
        + [Fusion("zscore", pool, near, weight, feedback=depth, feedback_weight=share)
           for depth in GRID_FEEDBACK for share in GRID_FEEDBACK_WEIGHTS
           for pool in GRID_POOLS for near in GRID_NEAREST for weight in GRID_WEIGHTS
           if weight + share <= 1.0]
        + [Fusion("zscore", 100, near, weight, feedback=depth, feedback_weight=share,
                  centre=centre, centre_weight=by)
           for centre in GRID_CENTRES for by in GRID_CENTRE_WEIGHTS
           for depth in GRID_FEEDBACK for share in GRID_FEEDBACK_WEIGHTS
           for near in (0, 10, 20) for weight in GRID_WEIGHTS if weight + share <= 1.0])


@dataclass
class QueryPool:
    """One query's candidates from both sides, with what fusing them needs."""

    lang: str
    detected: str                      # the query's language as its letters tell
    judged: dict[str, int]
    hits: list[tuple[str, float]]      # lexical (id, score), best first
    cosines: np.ndarray                # of each lexical hit
    nearest: list[tuple[str, float]]   # (id, cosine), best first; empty for non-plain queries
    mean: float
    std: float
    # feedback depth -> the cosines of the hits and nearest with its feedback query
    feedback: dict[int, Feedback] = field(default_factory=dict)
    # (centre, centre weight) -> (cosines, nearest, mean, std) of the centred query
    centred: dict[tuple[int, float], tuple] = field(default_factory=dict)

    def view(self, fusion: Fusion) -> tuple:
        """(cosines of the hits, nearest, mean, std) of the query ``fusion`` embeds."""
        if fusion.centres and (fusion.centre, fusion.centre_weight) in self.centred:
            return self.centred[fusion.centre, fusion.centre_weight]
        return self.cosines, self.nearest, self.mean, self.std

    def ndcg(self, fusion: Fusion) -> float:
        ranked = fusion.fuse(self.hits, *self.view(fusion),
                             feedback=self.feedback.get(fusion.feedback))
        return ndcg_at([doc for doc, _ in ranked], self.judged)


def detected_language(text: str) -> str:
    """kk (a Kazakh-only letter), en (Latin letters only) or kk+ru (other Cyrillic).

    >>> detected_language("Абай өлеңдері"), detected_language("стихи Абая"), detected_language("Abai")
    ('kk', 'kk+ru', 'en')
    """
    return "+".join(query_languages(text)) if query_languages(text) in (
        ("kk",), ("en",), ("kk", "ru")) else "other"


def corpus_vectors(store: EmbeddingStore, corpus_path) -> tuple[list[str], np.ndarray]:
    """The corpus's paragraph ids and their embeddings (float32), as the index keeps them."""
    corpus = list(read_jsonl(corpus_path, ("id", "text")))
    vectors, found = store.vectors_for([content_key(passage_text({"text": p["text"]}))
                                        for p in corpus])
    return [p["id"] for p, ok in zip(corpus, found) if ok], vectors[found]


def feedback_cosines(matrix: np.ndarray, row_of: dict, hits: list[str],
                     nearest: list[str]) -> dict[int, Feedback]:
    """For each feedback depth of the grid, the cosines of ``hits`` and ``nearest``
    with the mean embedding of the best that many ``hits`` (as HybridRanker does)."""
    feedback = {}
    for depth in GRID_FEEDBACK:
        top = [row_of[doc] for doc in hits[:depth] if doc in row_of]
        if not top:
            continue
        every = matrix @ feedback_query(matrix[top])
        lowest = float(every.min())
        feedback[depth] = Feedback({doc: float(every[row_of[doc]]) if doc in row_of else lowest
                                    for doc in (*hits, *nearest)},
                                   float(every.mean()), float(every.std()))
    return feedback


def cosine_view(every: np.ndarray, ids: list[str], row_of: dict, hits: list[str],
                plain: bool) -> tuple:
    """(cosines of ``hits``, nearest (id, cosine), mean, std) of one query's cosines
    with every paragraph (as HybridRanker reads them)."""
    cosines = np.array([every[row_of[hit]] if hit in row_of else every.min() for hit in hits],
                       np.float32)
    nearest = []
    if plain:
        best = np.argsort(-every, kind="stable")[:NEAREST]
        nearest = [(ids[i], float(every[i])) for i in best]
    return cosines, nearest, float(every.mean()), float(every.std())


def centred_views(matrix: np.ndarray, query: np.ndarray, every: np.ndarray, ids, row_of,
                  hits: list[str], plain: bool) -> dict[tuple[int, float], tuple]:
    """For each centring of the grid, :func:`cosine_view` of the centred query."""
    views = {}
    for centre in GRID_CENTRES:
        neighbours = matrix[np.argsort(-every, kind="stable")[:centre]]
        for by in GRID_CENTRE_WEIGHTS:
            views[centre, by] = cosine_view(matrix @ centred_query(query, neighbours, by),
                                            ids, row_of, hits, plain)
    return views


def query_pools(index: Index, embedder, queries: list[dict], qrels, corpus_path,
                progress: Progress | None = None) -> list[QueryPool]:
    store = EmbeddingStore(store_folder(index.path))
    ids, matrix = corpus_vectors(store, corpus_path)
    row_of = {doc: row for row, doc in enumerate(ids)}
    judged = [query for query in queries if query["id"] in qrels]
    pools = []
    for done, query in enumerate(judged, start=1):
        hits = index.search(query["text"], limit=DEPTH, snippets=False, semantic=False)
        searched = hits.searched_for[-1] if hits.searched_for else query["text"]
        text = semantic_query_text(searched)
        cosines, nearest, mean, std = np.zeros(len(hits), np.float32), [], 0.0, 1.0
        feedback, centred = {}, {}
        if text and len(matrix):
            vector = np.asarray(embedder.encode_queries([text]), np.float32)[0]
            every = matrix @ vector
            paths = [hit.path for hit in hits]
            plain = is_plain_words(query["text"]) and ":" not in query["text"]
            cosines, nearest, mean, std = cosine_view(every, ids, row_of, paths, plain)
            centred = centred_views(matrix, vector, every, ids, row_of, paths, plain)
            near = {doc for view in (*centred.values(), (None, nearest))
                    for doc, _ in view[1]}
            feedback = feedback_cosines(matrix, row_of, paths, sorted(near))
        pools.append(QueryPool(query.get("lang") or "?", detected_language(searched),
                               qrels[query["id"]], [(hit.path, hit.score) for hit in hits],
                               cosines, nearest, mean, std, feedback, centred))
        if progress:
            progress("fusing", done, len(judged))
    return pools


@dataclass
class FoldReport:
    """Held-out nDCG@10 per language, lexical and hybrid, and each fold's chosen setting."""

    folds: int
    chosen: list[Fusion]                             # per fold
    lexical: dict[str, float]                        # lang -> mean nDCG@10
    hybrid: dict[str, float]                         # lang -> mean held-out nDCG@10
    fold_scores: list[float] = field(default_factory=list)  # each fold's held-out mean
    # The same with one setting per detected query language, for comparison.
    per_language: dict[str, float] = field(default_factory=dict)
    per_language_folds: list[float] = field(default_factory=list)
    per_language_chosen: list[dict[str, Fusion]] = field(default_factory=list)

    def as_dict(self) -> dict:
        rounded = lambda values: {g: round(v, 4) for g, v in values.items()}  # noqa: E731
        return {"folds": self.folds,
                "chosen": [fusion.as_dict() for fusion in self.chosen],
                "lexical_ndcg@10": rounded(self.lexical),
                "hybrid_ndcg@10": rounded(self.hybrid),
                "fold_hybrid_ndcg@10": [round(v, 4) for v in self.fold_scores],
                "most_chosen": most_chosen(self).as_dict(),
                "per_query_language": {
                    "hybrid_ndcg@10": rounded(self.per_language),
                    "fold_hybrid_ndcg@10": [round(v, 4) for v in self.per_language_folds],
                    "chosen": [{lang: f.as_dict() for lang, f in chosen.items()}
                               for chosen in self.per_language_chosen]}}

    def table(self) -> str:
        rows = [f"{self.folds}-fold cross-validation of the hybrid's fusion "
                f"(nDCG@10, each fold scored by the setting best on the others):",
                f"{'lang':<5} {'lexical':>8} {'hybrid':>8} {'per-lang':>9}"]
        for group in self.hybrid:
            rows.append(f"{group:<5} {self.lexical[group]:>8.4f} {self.hybrid[group]:>8.4f} "
                        f"{self.per_language.get(group, float('nan')):>9.4f}")
        rows.append("chosen per fold: " + "; ".join(f.describe() for f in self.chosen))
        rows.append(f"each part as most folds chose it: {most_chosen(self).describe()}")
        for name, scores in (("one setting", self.fold_scores),
                             ("per query language", self.per_language_folds)):
            spread = statistics.pstdev(scores) if len(scores) > 1 else 0.0
            rows.append(f"held-out nDCG@10 per fold, {name}: "
                        f"{' '.join(f'{v:.4f}' for v in scores)} "
                        f"(mean {statistics.fmean(scores):.4f} ± {spread:.4f})")
        return "\n".join(rows)


def grid_table(pools: list[QueryPool], grid: list[Fusion]) -> np.ndarray:
    """nDCG@10 of every query (rows) under every setting (columns). Settings that
    differ only in weight share their candidates, which are read once."""
    groups: dict[Fusion, list[int]] = {}
    for column, fusion in enumerate(grid):
        groups.setdefault(replace(fusion, weight=0.0), []).append(column)
    table = np.zeros((len(pools), len(grid)))
    for base, columns in groups.items():
        weights = [grid[column].weight for column in columns]
        share = base.feedback_weight if base.uses_feedback else 0.0
        for row, pool in enumerate(pools):
            parts = base.parts(pool.hits, *pool.view(base), pool.feedback.get(base.feedback))
            for column, ranked in zip(columns, parts.rankings(weights, feedback_weight=share)):
                table[row, column] = ndcg_at(ranked, pool.judged)
    return table


def cross_validate(pools: list[QueryPool], folds: int = 5,
                   grid: list[Fusion] = GRID) -> FoldReport:
    table = grid_table(pools, grid)
    lexical = np.array([pool.ndcg(Fusion("minmax", DEPTH, 0, 0.0)) for pool in pools])
    fold_of = np.arange(len(pools)) % folds
    detected = np.array([pool.detected for pool in pools])

    def held_out(groups: np.ndarray):
        scores = np.zeros(len(pools))
        chosen = []
        for fold in range(folds):
            train, test = fold_of != fold, fold_of == fold
            picks = {}
            for group in sorted(set(groups)):
                member = groups == group
                rows = table[train & member]
                best = int(np.argmax(rows.mean(axis=0))) if len(rows) else 0  # ties: the first
                picks[group] = grid[best]
                scores[test & member] = table[test & member, best]
            chosen.append(picks)
        return scores, chosen, [float(scores[fold_of == f].mean()) for f in range(folds)]

    one, one_chosen, one_folds = held_out(np.full(len(pools), "all"))
    each, each_chosen, each_folds = held_out(detected)
    langs = sorted({pool.lang for pool in pools})
    by_lang = {lang: np.array([pool.lang == lang for pool in pools]) for lang in langs}
    by_lang["all"] = np.ones(len(pools), bool)
    mean = lambda values: {g: float(values[m].mean()) for g, m in by_lang.items()}  # noqa: E731
    return FoldReport(folds, [picks["all"] for picks in one_chosen], mean(lexical), mean(one),
                      one_folds, mean(each), each_folds, each_chosen)


@dataclass
class SemanticReport:
    lexical: RetrievalReport
    hybrid: RetrievalReport
    folds: FoldReport | None
    embedded: int = 0
    embed_seconds: float = 0.0
    setting: Fusion = FUSION

    def as_dict(self) -> dict:
        return {"lexical": self.lexical.as_dict(), "hybrid": self.hybrid.as_dict(),
                "hybrid_setting": self.setting.as_dict(),
                "cross_validation": self.folds.as_dict() if self.folds else None}

    def table(self) -> str:
        rows = ["lexical ranking", self.lexical.table(), "",
                f"hybrid ranking ({self.setting.describe()})", self.hybrid.table()]
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
        if not index.exists or not is_semantic(folder):
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
            fold_report = cross_validate(query_pools(index, embedder, queries, qrels,
                                                     corpus_path, progress), folds)
        return SemanticReport(lexical, hybrid, fold_report)
    finally:
        index.close()


def most_chosen(report: FoldReport) -> Fusion:
    """The setting to ship: each of its parts (method, pool, nearest, weight, rrf
    constant, feedback depth and weight) as most folds chose it, ties to the first
    fold's choice (or that whole choice, should the parts not make a setting). With
    settings this many, whole settings rarely repeat across folds; their parts do.

    >>> most_chosen(FoldReport(3, [Fusion("zscore", 100, 10, 0.7), Fusion("zscore", 50, 0, 0.7),
    ...                            Fusion("minmax", 100, 0, 0.65)], {}, {})).describe()
    'zscore, lexical top 100 + nearest 0, semantic weight 0.7'
    """
    parts = {name: Counter(getattr(fusion, name) for fusion in report.chosen).most_common(1)[0][0]
             for name in ("method", "pool", "nearest", "weight", "rrf_constant", "feedback",
                          "feedback_weight", "centre", "centre_weight")}
    try:
        return Fusion(**parts)
    except ValueError:  # the weights add up past 1
        return report.chosen[0]
