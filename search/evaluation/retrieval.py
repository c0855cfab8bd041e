"""Measuring ranking on judged queries, as trec_eval and Pyserini users do.

Three inputs, the usual shape of a retrieval test collection:

- a corpus, JSON lines ``{"id", "title", "text"}`` (optionally gzipped), one
  paragraph each; a ``lang`` field is ignored, the engine detects the language;
- queries, JSON lines ``{"id", "lang", "text"}``; ``lang`` only groups the report;
- qrels, lines ``query-id TAB doc-id TAB relevance`` (the 4-column TREC form
  ``query-id 0 doc-id relevance`` is read too).

The corpus is indexed through the library's own path (:meth:`Index.add_paragraphs`,
language detection included), every query is run as a user would type it, and the
report gives nDCG@10, MRR@10, Recall@10 and Recall@100 per query language and
overall, with query latency. Queries without judgments are skipped, as in trec_eval.

    >>> report = evaluate("corpus.jsonl.gz", "queries.jsonl", "qrels.tsv")  # doctest: +SKIP
    >>> print(report.table())                                               # doctest: +SKIP
"""

import gzip
import hashlib
import json
import math
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from search.errors import IzdeError
from search.index import Index
from search.storage.schema import SCHEMA_VERSION
from search.evaluation.typed_queries import typed_query

DEPTH = 100  # documents retrieved per query: enough for Recall@100
METRICS = ("ndcg@10", "mrr@10", "recall@10", "recall@100")

Progress = Callable[[str, int, int], None]  # (stage: "indexing" or "searching", done, total)
Qrels = dict[str, dict[str, int]]  # query id -> doc id -> relevance


class EvalDataError(IzdeError):
    """A corpus, query or qrels file that cannot be read as such."""

    exit_code = 2


# -- metrics ------------------------------------------------------------------

def ndcg_at(ranked: Sequence[str], judged: dict[str, int], k: int = 10) -> float:
    """Normalized discounted cumulative gain of the top ``k`` (linear gain, log2 discount).

    >>> round(ndcg_at(["x", "a"], {"a": 1}), 4)   # the one relevant doc at rank 2
    0.6309
    """
    dcg = sum(judged.get(doc, 0) / math.log2(rank + 1)
              for rank, doc in enumerate(ranked[:k], start=1))
    ideal = sorted((r for r in judged.values() if r > 0), reverse=True)[:k]
    idcg = sum(rel / math.log2(rank + 1) for rank, rel in enumerate(ideal, start=1))
    return dcg / idcg if idcg else 0.0


def reciprocal_rank_at(ranked: Sequence[str], judged: dict[str, int], k: int = 10) -> float:
    """1/rank of the first relevant document within the top ``k``, else 0."""
    for rank, doc in enumerate(ranked[:k], start=1):
        if judged.get(doc, 0) > 0:
            return 1.0 / rank
    return 0.0


def recall_at(ranked: Sequence[str], judged: dict[str, int], k: int) -> float:
    """Share of the relevant documents found in the top ``k``."""
    relevant = {doc for doc, rel in judged.items() if rel > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def query_scores(ranked: Sequence[str], judged: dict[str, int]) -> dict[str, float]:
    return {"ndcg@10": ndcg_at(ranked, judged, 10),
            "mrr@10": reciprocal_rank_at(ranked, judged, 10),
            "recall@10": recall_at(ranked, judged, 10),
            "recall@100": recall_at(ranked, judged, 100)}


def percentile(values: Sequence[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank, as most tools report)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


# -- loading ------------------------------------------------------------------

def _open_text(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def read_jsonl(path: str | Path, required: Iterable[str]) -> list[dict]:
    path = Path(path)
    required = tuple(required)
    records = []
    try:
        with _open_text(path) as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    raise EvalDataError(f"{path}:{number}: not a JSON object") from None
                missing = [name for name in required if name not in record]
                if missing:
                    raise EvalDataError(f"{path}:{number}: missing {', '.join(missing)}")
                records.append(record)
    except OSError as error:
        raise EvalDataError(f"{path}: cannot read ({error.strerror or error})") from None
    return records


def read_qrels(path: str | Path) -> Qrels:
    path = Path(path)
    qrels: Qrels = {}
    try:
        with _open_text(path) as lines:
            for number, line in enumerate(lines, start=1):
                columns = line.split()
                if not columns:
                    continue
                if len(columns) == 4:  # TREC: query 0 doc relevance
                    columns = [columns[0], columns[2], columns[3]]
                if len(columns) != 3:
                    raise EvalDataError(f"{path}:{number}: expected query-id, doc-id, relevance")
                try:
                    relevance = int(columns[2])
                except ValueError:
                    raise EvalDataError(f"{path}:{number}: relevance {columns[2]!r} "
                                        f"is not an integer") from None
                qrels.setdefault(columns[0], {})[columns[1]] = relevance
    except OSError as error:
        raise EvalDataError(f"{path}: cannot read ({error.strerror or error})") from None
    return qrels


# -- running ------------------------------------------------------------------

@dataclass
class RetrievalReport:
    """Mean scores per query language and overall, and latency in milliseconds."""

    scores: dict[str, dict[str, float]]      # group ("kk", ..., "all") -> metric -> mean
    queries: dict[str, int]                  # group -> judged queries run
    latency_ms: dict[str, float]             # ranking only, top 10: median, p95
    full_latency_ms: dict[str, float] = field(default_factory=dict)  # with hits and snippets
    skipped_queries: int = 0                 # queries without judgments
    index_seconds: float = 0.0
    paragraphs: int = 0

    def as_dict(self) -> dict:
        return {"scores": {g: {m: round(v, 4) for m, v in s.items()}
                           for g, s in self.scores.items()},
                "queries": self.queries,
                "latency_ms": {k: round(v, 2) for k, v in self.latency_ms.items()},
                "full_latency_ms": {k: round(v, 2) for k, v in self.full_latency_ms.items()},
                "skipped_queries": self.skipped_queries,
                "index_seconds": round(self.index_seconds, 2), "paragraphs": self.paragraphs}

    def table(self) -> str:
        """The report as an aligned text table, one row per language and one for all."""
        header = f"{'lang':<5} {'queries':>7}  " + "  ".join(f"{m:>10}" for m in METRICS)
        rows = [header]
        for group, scores in self.scores.items():
            rows.append(f"{group:<5} {self.queries[group]:>7,}  "
                        + "  ".join(f"{scores[m]:>10.4f}" for m in METRICS))
        lat = self.latency_ms
        if lat:
            rows.append(f"latency (ranking, top 10): median {lat['median']:.2f} ms, "
                        f"p95 {lat['p95']:.2f} ms")
        if self.full_latency_ms:
            full = self.full_latency_ms
            rows.append(f"latency (hits with snippets, top 10): median {full['median']:.2f} ms, "
                        f"p95 {full['p95']:.2f} ms")
        return "\n".join(rows)


def corpus_key(corpus_path: str | Path) -> str:
    """What a cached index of the corpus depends on: its bytes and the schema version."""
    digest = hashlib.sha256(Path(corpus_path).read_bytes()).hexdigest()[:16]
    return f"{digest}-v{SCHEMA_VERSION}"


def build_index(corpus: list[dict], folder: str | Path,
                progress: Progress | None = None) -> Index:
    """Index the corpus records into ``folder`` through :meth:`Index.add_paragraphs`."""
    index = Index(folder)
    index.add_paragraphs(corpus, progress=(lambda done, total, _id: progress("indexing", done, total))
                         if progress else None)
    return index


def run_queries(index: Index, queries: list[dict], qrels: Qrels,
                progress: Progress | None = None, full_path: bool = True,
                repeat: int = 3, semantic: bool | None = None) -> RetrievalReport:
    """Search every judged query; average the metrics per query language and overall.

    Metrics come from the top :data:`DEPTH` paragraphs. Latency is what a user
    waits for, the top 10: ranking alone (:meth:`Index.ranked_ids`) and, with
    ``full_path``, hits with snippets (:meth:`Index.search`). Each query's time is
    the best of ``repeat`` runs, so other processes on the machine add less noise.
    ``semantic`` is passed to every search (None: as the index says).
    """
    judged = [query for query in queries if query["id"] in qrels]
    per_group: dict[str, list[dict[str, float]]] = {}
    ranking_ms: list[float] = []
    full_ms: list[float] = []
    # Open the searcher and load analyzers (and a model) first.
    index.search("прогрев warm-up", limit=1, semantic=semantic)
    for done, query in enumerate(judged, start=1):
        ranked = index.ranked_ids(query["text"], limit=DEPTH, semantic=semantic)
        per_group.setdefault(query.get("lang") or "?", []).append(
            query_scores(ranked, qrels[query["id"]]))
        ranking_ms.append(_best_ms(lambda: index.ranked_ids(query["text"], limit=10,
                                                            semantic=semantic), repeat))
        if full_path:
            full_ms.append(_best_ms(lambda: index.search(query["text"], limit=10,
                                                         semantic=semantic), repeat))
        if progress:
            progress("searching", done, len(judged))

    def mean_of(rows):
        return {m: statistics.fmean(r[m] for r in rows) for m in METRICS}

    scores = {group: mean_of(rows) for group, rows in sorted(per_group.items())}
    counts = {group: len(rows) for group, rows in sorted(per_group.items())}
    everything = [row for rows in per_group.values() for row in rows]
    if everything:
        scores["all"] = mean_of(everything)
        counts["all"] = len(everything)

    def summary(values):
        return {"median": statistics.median(values), "p95": percentile(values, 0.95)} \
            if values else {}

    return RetrievalReport(scores, counts, summary(ranking_ms), summary(full_ms),
                           skipped_queries=len(queries) - len(judged))


def _best_ms(search: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        search()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def evaluate(corpus_path: str | Path, queries_path: str | Path, qrels_path: str | Path,
             cache_dir: str | Path | None = None, progress: Progress | None = None,
             full_path: bool = True, rewrite: str = "exact") -> RetrievalReport:
    """Index the corpus (or reuse a cached index of it) and score every judged query.

    ``rewrite`` types every query as people do before searching it (see
    :mod:`search.evaluation.typed_queries`): ``folded``, ``latin``, ``typo``, or ``exact``.

    ``cache_dir`` keeps built indexes keyed by the corpus hash and SCHEMA_VERSION;
    without it the index lives in a temporary folder removed afterwards.
    """
    queries = [{**query, "text": typed_query(query, rewrite)}
               for query in read_jsonl(queries_path, ("id", "text"))]
    qrels = read_qrels(qrels_path)
    if cache_dir is not None:
        folder = Path(cache_dir) / corpus_key(corpus_path)
        return _evaluate_in(folder, corpus_path, queries, qrels, progress, full_path)
    with tempfile.TemporaryDirectory(prefix="izde-eval-") as temporary:
        return _evaluate_in(Path(temporary) / "index", corpus_path, queries, qrels,
                            progress, full_path)


def _evaluate_in(folder: Path, corpus_path, queries, qrels, progress, full_path):
    started = time.perf_counter()
    if not Index(folder).exists:
        corpus = read_jsonl(corpus_path, ("id", "text"))
        # Built beside its final place and renamed, so a failed build is never reused.
        folder.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".building-", dir=folder.parent) as building:
            with build_index(corpus, Path(building) / "index", progress=progress):
                pass
            (Path(building) / "index").rename(folder)
    index_seconds = time.perf_counter() - started
    index = Index(folder)
    try:
        report = run_queries(index, queries, qrels, progress=progress, full_path=full_path)
        report.index_seconds = index_seconds
        report.paragraphs = index.stats().paragraphs
        return report
    finally:
        index.close()
