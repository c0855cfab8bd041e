"""``izde bench shards`` and ``izde bench run --shards``: a sharded index beside one index.

On the same files and queries: build time of one index and of N shards built
as Dask tasks (in total and per shard), query latency of the single index, of
the shards through the cluster and of the shards in this process (the
difference is what the scheduler costs a query), and how the rankings agree
(top-10 overlap, identical lists, nDCG@10 of both when judgements are given).
With no ``--cluster`` a scheduler and workers are started on 127.0.0.1.

The projection to 10M and 100M paragraphs (:func:`project`) takes what the
measurements here can show: indexing is per-shard work, linear in paragraphs,
divided over workers; a query costs the slowest shard's search plus the
cluster's round trips and the merge.
"""

import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable

from search.bench.run import latency_summary
from search.cluster.sharded_index import ShardedIndex
from search.index import Index

Progress = Callable[[str], None]
OVERHEAD_QUERIES = 300  # queries also run in process, beside the cluster
PROJECTIONS = [(10_000_000, 16), (10_000_000, 64), (100_000_000, 16), (100_000_000, 64)]


def write_collection(records: list[dict], folder: Path, per_file: int = 20) -> dict[str, str]:
    """The records' texts as files of ``per_file`` paragraphs; {paragraph text: record id}."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = {}
    for start in range(0, len(records), per_file):
        chunk = records[start:start + per_file]
        texts = [" ".join(record["text"].split()) for record in chunk]
        for record, text in zip(chunk, texts):
            ids.setdefault(text, str(record["id"]))
        (folder / f"{start // per_file:06d}.txt").write_text("\n\n".join(texts) + "\n",
                                                              encoding="utf-8")
    return ids


def compare_sharded(files: Path, queries: list[str], shards: int, cluster: str | None = None,
                    workers: int = 2, scratch: Path | None = None,
                    judge: Callable[[int, list[str]], float] | None = None,
                    id_of_text: dict[str, str] | None = None,
                    progress: Progress | None = None) -> dict:
    """Figures of one index and of ``shards`` shards on ``cluster`` over ``files`` and ``queries``.

    ``judge(query number, ranked ids)`` scores a ranking (nDCG@10), ids being
    ``id_of_text`` of the hits' texts (their paths when not given).
    """
    say = progress or (lambda message: None)
    own = scratch is None
    scratch = Path(tempfile.mkdtemp(prefix="izde-shards-")) if own else Path(scratch)
    local = None
    try:
        if cluster is None:
            from distributed import LocalCluster

            local = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                 host="127.0.0.1", dashboard_address=":0")
            cluster = local.scheduler_address
        for name in ("single", "sharded"):
            shutil.rmtree(scratch / name, ignore_errors=True)
        say("building one index")
        single = Index(scratch / "single")
        started = time.perf_counter()
        single.update([files])
        single_build = time.perf_counter() - started
        say(f"building {shards} shards on {cluster}")
        on_cluster = ShardedIndex(scratch / "sharded", cluster=cluster)
        started = time.perf_counter()
        on_cluster.update([files], shards=shards)
        sharded_build = time.perf_counter() - started
        records = on_cluster.manifest.shard_records
        cluster_workers = len(on_cluster._search_runner()._workers())
        in_process = ShardedIndex(scratch / "sharded")
        engines = {"single": single, "cluster": on_cluster, "in_process": in_process}
        say(f"{len(queries)} queries, warm-up then measured, on each")
        for index in engines.values():
            for query in queries[:20]:
                index.search(query)
        times = {name: [] for name in engines}
        rankings = {name: [] for name in engines}
        partial = 0
        for number, query in enumerate(queries):
            if number % 100 == 0:
                say(f"query {number:,} of {len(queries):,}")
            for name, index in engines.items():
                if name == "in_process" and number >= OVERHEAD_QUERIES:
                    continue  # enough to tell the scheduler's cost
                started = time.perf_counter()
                hits = index.search(query, limit=10)
                times[name].append((time.perf_counter() - started) * 1000)
                rankings[name].append([(hit.path, hit.paragraph, hit.text) for hit in hits])
                partial += bool(getattr(hits, "partial", False))
        figures = _agreement(rankings["single"], rankings["cluster"], judge, id_of_text)
        paragraphs = single.stats().paragraphs
        result = {
            "files": str(files), "paragraphs": paragraphs, "shards": shards, "cluster": cluster,
            "workers": cluster_workers, "queries": len(queries),
            "partial_answers": partial,
            "build": {"single_s": round(single_build, 2), "sharded_wall_s": round(sharded_build, 2),
                      "per_shard": {name: {"paragraphs": r.paragraphs, "seconds": r.seconds,
                                           "worker": r.worker} for name, r in records.items()}},
            "latency": {name: latency_summary(values) for name, values in times.items()},
            "scheduler_overhead_ms": round(statistics.median(
                c - p for c, p in zip(times["cluster"], times["in_process"])), 2),
            **figures,
        }
        result["projection"] = project(result)
        for index in engines.values():
            index.close()
        return result
    finally:
        if local is not None:
            local.close()
        if own:
            shutil.rmtree(scratch, ignore_errors=True)


def _agreement(single: list, sharded: list, judge, id_of_text) -> dict:
    overlaps, identical = [], 0
    for expected, found in zip(single, sharded):
        want = {(path, paragraph) for path, paragraph, _ in expected}
        got = {(path, paragraph) for path, paragraph, _ in found}
        overlaps.append(len(want & got) / len(want) if want else float(not got))
        identical += [h[:2] for h in expected] == [h[:2] for h in found]
    figures = {"top10_overlap": round(statistics.mean(overlaps), 4) if overlaps else None,
               "identical_top10": identical}
    if judge is not None:
        def ids(ranking):
            return [(id_of_text or {}).get(text, path) for path, _, text in ranking]
        single_ndcg = statistics.mean(judge(i, ids(r)) for i, r in enumerate(single))
        sharded_ndcg = statistics.mean(judge(i, ids(r)) for i, r in enumerate(sharded))
        figures["ndcg10_single"] = round(single_ndcg, 4)
        figures["ndcg10_sharded"] = round(sharded_ndcg, 4)
    return figures


def project(result: dict) -> list[dict]:
    """Build time at 10M and 100M paragraphs on 16 and 64 workers from the per-shard
    indexing rate measured (indexing is linear in paragraphs and divides over
    workers), with each worker's shard size and the per-query cost of the cluster
    measured here. A shard's query time at that size is not extrapolated from the
    small shards measured here, where fixed costs dominate: it is one index's at
    that size (README, "More than one machine")."""
    per_shard = result["build"]["per_shard"].values()
    busy = sum(shard["seconds"] for shard in per_shard)
    rate = sum(shard["paragraphs"] for shard in per_shard) / busy if busy else 0.0
    overhead = max(0.0, result["scheduler_overhead_ms"])
    return [{"paragraphs": total, "workers": workers, "paragraphs_per_shard": total // workers,
             "build_hours": round(total / (rate * workers) / 3600, 2) if rate else None,
             "cluster_overhead_ms": round(overhead, 1)}
            for total, workers in PROJECTIONS]


def format_report(result: dict) -> str:
    lines = [f"{result['paragraphs']:,} paragraphs, {result['shards']} shards on "
             f"{result['workers']} workers ({result['cluster']}), {result['queries']} queries",
             f"build: one index {result['build']['single_s']:.1f} s; shards "
             f"{result['build']['sharded_wall_s']:.1f} s wall"]
    for name, shard in sorted(result["build"]["per_shard"].items()):
        lines.append(f"  {name}: {shard['paragraphs']:,} paragraphs in {shard['seconds']:.1f} s "
                     f"on {shard['worker']}")
    for name, figures in result["latency"].items():
        lines.append(f"query {name}: p50 {figures['median_ms']:.1f} ms, "
                     f"p95 {figures['p95_ms']:.1f} ms")
    lines.append(f"scheduler overhead per query (median, cluster - in process): "
                 f"{result['scheduler_overhead_ms']:.1f} ms")
    lines.append(f"top-10 overlap with one index: {result['top10_overlap']:.4f} "
                 f"(identical lists: {result['identical_top10']}/{result['queries']}); "
                 f"partial answers: {result['partial_answers']}")
    if "ndcg10_single" in result:
        lines.append(f"nDCG@10: one index {result['ndcg10_single']:.4f}, "
                     f"shards {result['ndcg10_sharded']:.4f}")
    lines.append("projection (indexing rate per worker measured here, one shard a worker):")
    for row in result["projection"]:
        lines.append(f"  {row['paragraphs']:,} paragraphs on {row['workers']} workers: build "
                     f"{row['build_hours']} h; a query = one index of "
                     f"{row['paragraphs_per_shard']:,} paragraphs + "
                     f"{row['cluster_overhead_ms']} ms of cluster round trips + the merge")
    return "\n".join(lines)
