"""``izde bench run``: indexing speed, memory, size, query latency and updates, with references.

Each engine (Izde, stock Whoosh, tantivy) runs in a fresh process, so its peak
memory (``ru_maxrss`` of the process plus its largest child) and CPU time are
its own. The steps per engine:

1. build the index from scratch over every file of the corpus (wall and CPU time);
2. open it and run the query set twice: the first pass is *cold* (the first
   queries after opening pay for loading the index), the second *warm*;
3. modify 1% of the files (a paragraph appended) and time the update, then
   restore the files.

Every figure is also given as a ratio to the references. The machine is
shared and noisy, so compare ratios within one run rather than absolute
figures across runs.

    from search.bench.run import run_benchmark
    result = run_benchmark("bench-10k", queries=200)
    print(format_table(result))
"""

import json
import math
import multiprocessing
import os
import random
import re
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable

from search.bench.engines import (TANTIVY_MISSING, QuerySpec, engine_names, file_documents,
                                  make_engine, tantivy_available)
from search.bench.corpus import split_sentences
from search.errors import IzdeError, PathNotFoundError
from search.ingest.indexer import discover_files

ENGINES = ("izde", "whoosh", "tantivy")
UPDATE_SHARE = 0.01
RESULTS_PER_QUERY = 10
# Query words: letters only (no digits, no hyphens), long enough to mean something.
_QUERY_WORD = re.compile(r"[^\W\d_]{3,}")

Progress = Callable[[str], None]


# -- queries -------------------------------------------------------------------

def make_queries(files: list[Path], count: int, seed: int = 0) -> list[QuerySpec]:
    """``count`` queries of 1–5 words taken from random paragraphs of ``files``.

    The mix: 45% 1–3 words, 15% 4–5 words, 20% a 2–3 word phrase (with a word
    beside it half the time), 20% words with a ``lang:`` filter for the paragraph's
    language. Deterministic for the same files and seed.
    """
    rng = random.Random(seed)
    if not files:
        return []
    queries: list[QuerySpec] = []
    attempts = 0
    while len(queries) < count and attempts < count * 20:
        attempts += 1
        documents = file_documents(rng.choice(files))
        if not documents:
            continue
        document = rng.choice(documents)
        words = [w.lower() for w in _QUERY_WORD.findall(document["text"])]
        if len(words) < 5:
            continue
        kind = rng.random()
        if kind < 0.45:
            queries.append(QuerySpec(tuple(rng.sample(words, rng.randint(1, 3)))))
        elif kind < 0.60:
            queries.append(QuerySpec(tuple(rng.sample(words, rng.randint(4, 5)))))
        elif kind < 0.80:
            phrase = _consecutive_words(document["text"], rng.randint(2, 3), rng)
            if not phrase:
                continue
            extra = (rng.choice(words),) if rng.random() < 0.5 else ()
            queries.append(QuerySpec(extra, phrase))
        else:
            queries.append(QuerySpec(tuple(rng.sample(words, rng.randint(1, 3))),
                                     lang=document["lang"]))
    return queries


def _consecutive_words(text: str, length: int, rng: random.Random) -> tuple[str, ...]:
    # Words next to each other inside one sentence, separated by spaces only.
    sentence = rng.choice(split_sentences(text))
    tokens = sentence.split()
    runs = [tokens[i:i + length] for i in range(len(tokens) - length + 1)
            if all(_QUERY_WORD.fullmatch(t) for t in tokens[i:i + length])]
    return tuple(w.lower() for w in rng.choice(runs)) if runs else ()


# -- measuring -----------------------------------------------------------------

def _rusage() -> tuple[float, float, float]:
    """(CPU seconds of this process and its finished children, own and children's peak MB)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    return cpu, own.ru_maxrss / 1024, children.ru_maxrss / 1024  # KiB on Linux


def _latencies(engine, queries: list[QuerySpec]) -> tuple[list[float], int]:
    times, hits = [], 0
    for query in queries:
        started = time.perf_counter()
        hits += engine.search(query, RESULTS_PER_QUERY)
        times.append((time.perf_counter() - started) * 1000)
    return times, hits


def latency_summary(times_ms: list[float]) -> dict:
    """Median, p95 and p99 (nearest rank) of latencies in milliseconds."""
    ordered = sorted(times_ms)
    if not ordered:
        return {"median_ms": None, "p95_ms": None, "p99_ms": None}

    def rank(p):
        return ordered[min(len(ordered), max(1, math.ceil(p * len(ordered)))) - 1]
    return {"median_ms": round(statistics.median(ordered), 3), "p95_ms": round(rank(0.95), 3),
            "p99_ms": round(rank(0.99), 3)}


def _folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def measure_engine(name: str, corpus: str, folder: str, queries: list[QuerySpec],
                   update_files: list[str], procs: int, limitmb: int) -> dict:
    """Build, query and update one engine; runs inside its own process."""
    corpus_path, folder_path = Path(corpus), Path(folder)
    files, _roots, _problems = discover_files([corpus_path])
    input_bytes = sum(f.stat().st_size for f in files)
    engine = make_engine(name, folder_path, procs, limitmb)

    cpu_before = _rusage()[0]
    started = time.perf_counter()
    paragraphs = engine.build(corpus_path, files)
    wall = time.perf_counter() - started
    cpu_after, own_mb, child_mb = _rusage()
    index_bytes = _folder_bytes(folder_path)
    result = {
        "paragraphs": paragraphs, "files": len(files), "input_bytes": input_bytes,
        "build_wall_s": round(wall, 3), "build_cpu_s": round(cpu_after - cpu_before, 3),
        "paragraphs_per_s": round(paragraphs / wall, 1),
        "mb_per_s": round(input_bytes / 1e6 / wall, 3),
        "peak_rss_mb": round(own_mb, 1), "children_peak_rss_mb": round(child_mb, 1),
        "index_bytes": index_bytes, "index_to_input": round(index_bytes / input_bytes, 3),
    }

    started = time.perf_counter()
    engine.reopen()
    open_ms = (time.perf_counter() - started) * 1000
    result["open_ms"] = round(open_ms, 3)
    cold, hits = _latencies(engine, queries)
    if cold:
        # Izde opens lazily, on the first search: count the opening in every engine's
        # first cold query so that the cold pass means the same for all of them.
        cold[0] += open_ms
    warm, _ = _latencies(engine, queries)
    # The peak so far, searching included: opening an index can cost more memory
    # than building it (whoosh3 copies each compound segment into memory).
    result["peak_rss_after_queries_mb"] = round(_rusage()[1], 1)
    result["cold"] = latency_summary(cold)
    result["warm"] = latency_summary(warm)
    result["hits_per_query"] = round(hits / len(queries), 2) if queries else 0

    changed = [Path(p) for p in update_files]
    originals = {path: path.read_bytes() for path in changed}
    try:
        for path, data in originals.items():
            path.write_bytes(data + _appended_paragraph(data).encode("utf-8"))
        started = time.perf_counter()
        engine.update(corpus_path, changed)
        result["update"] = {"files": len(changed),
                            "wall_s": round(time.perf_counter() - started, 3)}
    finally:
        engine.close()
        for path, data in originals.items():
            path.write_bytes(data)
    return result


def _appended_paragraph(data: bytes) -> str:
    # New text in the file's own words: its first paragraph's sentences, reversed.
    first = data.decode("utf-8").split("\n\n", 1)[0]
    return "\n\n" + " ".join(reversed(split_sentences(first))) + "\n"


def _child(connection, *args) -> None:
    try:
        connection.send(("ok", measure_engine(*args)))
    except BaseException as error:  # reported to the parent, which raises it
        connection.send(("error", f"{error.__class__.__name__}: {error}"))
    finally:
        connection.close()


def _in_fresh_process(*args) -> dict:
    # spawn, not fork: a forked child would start with the parent's memory and caches.
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, *args))
    process.start()
    sender.close()
    try:
        status, payload = receiver.recv()
    except EOFError:
        status, payload = "error", f"the benchmark process died (exit code {process.exitcode})"
    process.join()
    if status != "ok":
        raise IzdeError(f"benchmark of {args[0]} failed: {payload}")
    return payload


# -- the benchmark -------------------------------------------------------------

def run_benchmark(corpus: str | Path, queries: int = 200, index_dir: str | Path | None = None,
                  engines=ENGINES, procs: int | None = None, limitmb: int = 128, seed: int = 0,
                  progress: Progress | None = None, repeat: int = 1) -> dict:
    """Measure every engine on the files under ``corpus``; returns figures and ratios.

    With ``repeat`` > 1 every engine is measured that many times, in rounds whose
    engine order alternates (a machine that drifts slower or faster then weighs on
    every engine alike); each figure is the median over the rounds, and
    ``rounds`` keeps each round's build times and Izde's ratios to the references
    within it, which are paired: measured minutes apart, not a whole run apart.
    """
    corpus = Path(corpus)
    if not corpus.is_dir():
        raise PathNotFoundError(f"{corpus}: no such corpus folder (make one with "
                                f"`izde bench make-corpus`)")
    files, _roots, _problems = discover_files([corpus])
    if not files:
        raise IzdeError(f"{corpus}: no .txt or .md files to index")
    procs = procs or os.cpu_count() or 1
    rng = random.Random(seed)
    query_set = make_queries(files, queries, seed)
    update_files = [str(p) for p in sorted(rng.sample(files, max(1, round(len(files) * UPDATE_SHARE))))]

    scratch = Path(index_dir) if index_dir else Path(tempfile.mkdtemp(prefix="izde-bench-"))
    result = {
        "corpus": {"path": str(corpus.resolve()), "files": len(files),
                   "bytes": sum(f.stat().st_size for f in files)},
        "machine": {"cpus": os.cpu_count(), "procs": procs, "limitmb": limitmb},
        "queries": {"count": len(query_set), "seed": seed,
                    "examples": [q.izde() for q in query_set[:8]]},
        "engines": {},
    }
    names = []
    for name in engine_names(engines):
        if name == "tantivy" and not tantivy_available():
            result["engines"][name] = {"error": TANTIVY_MISSING}
        else:
            names.append(name)
    measured: dict[str, list[dict]] = {name: [] for name in names}
    rounds = []
    try:
        for round_number in range(repeat):
            order = names if round_number % 2 == 0 else names[::-1]
            for name in order:
                if progress:
                    progress(name if repeat == 1 else f"{name} (round {round_number + 1} of {repeat})")
                folder = scratch / name
                if folder.exists():
                    shutil.rmtree(folder)
                measured[name].append(_in_fresh_process(
                    name, str(corpus.resolve()), str(folder), query_set, update_files, procs,
                    limitmb))
            rounds.append(_round_figures({name: runs[-1] for name, runs in measured.items()}))
    finally:
        if index_dir is None:
            shutil.rmtree(scratch, ignore_errors=True)
    for name, runs in measured.items():
        result["engines"][name] = runs[0] if repeat == 1 else median_figures(runs)
    result["ratios"] = ratios(result["engines"])
    if repeat > 1:
        result["rounds"] = rounds
    return result


def median_figures(runs: list[dict]) -> dict:
    """Each numeric figure's median over ``runs`` (figures of one engine), nested alike.

    >>> median_figures([{"s": 3.0, "warm": {"ms": 1}}, {"s": 1.0, "warm": {"ms": 2}},
    ...                 {"s": 2.0, "warm": {"ms": 9}}])
    {'s': 2.0, 'warm': {'ms': 2}}
    """
    first = runs[0]
    if isinstance(first, dict):
        return {key: median_figures([run[key] for run in runs]) for key in first}
    if all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in runs):
        return statistics.median(runs)
    return first


ROUND_FIGURES = ("build_wall_s", "build_cpu_s")


def _round_figures(engines: dict) -> dict:
    """One round's build times per engine and Izde's ratios to the references in it."""
    figures = {name: {key: engines[name][key] for key in ROUND_FIGURES} for name in engines}
    paired = {pair: {key: value for key, value in ratio.items() if key in ROUND_FIGURES}
              for pair, ratio in ratios(engines).items()}
    return {"engines": figures, "ratios": paired}


# (label, path into an engine's figures, format, larger is better)
FIGURES = [
    ("paragraphs indexed", ("paragraphs",), "{:,}", None),
    ("build wall s", ("build_wall_s",), "{:,.1f}", False),
    ("build CPU s", ("build_cpu_s",), "{:,.1f}", False),
    ("paragraphs/s", ("paragraphs_per_s",), "{:,.0f}", True),
    ("MB/s", ("mb_per_s",), "{:.2f}", True),
    ("peak RSS MB", ("peak_rss_mb",), "{:,.0f}", False),
    ("children peak RSS MB", ("children_peak_rss_mb",), "{:,.0f}", False),
    ("index MB", ("index_bytes",), "{:,.1f}", False),
    ("index / input", ("index_to_input",), "{:.2f}", False),
    ("open ms", ("open_ms",), "{:.1f}", False),
    ("peak RSS after queries MB", ("peak_rss_after_queries_mb",), "{:,.0f}", False),
    ("cold median ms", ("cold", "median_ms"), "{:.2f}", False),
    ("cold p95 ms", ("cold", "p95_ms"), "{:.2f}", False),
    ("cold p99 ms", ("cold", "p99_ms"), "{:.2f}", False),
    ("warm median ms", ("warm", "median_ms"), "{:.2f}", False),
    ("warm p95 ms", ("warm", "p95_ms"), "{:.2f}", False),
    ("warm p99 ms", ("warm", "p99_ms"), "{:.2f}", False),
    ("hits/query", ("hits_per_query",), "{:.1f}", None),
    ("update 1% files s", ("update", "wall_s"), "{:.2f}", False),
]


def _figure(figures: dict, path: tuple):
    value = figures
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    if path == ("index_bytes",):
        value = value / 1e6
    return value


def ratios(engines: dict) -> dict:
    """Izde's figures divided by each reference's (``izde/whoosh``, ``izde/tantivy``)."""
    out = {}
    izde = engines.get("izde")
    if not izde or "error" in izde:
        return out
    for reference in ("whoosh", "tantivy"):
        figures = engines.get(reference)
        if not figures or "error" in figures:
            continue
        ratio = {}
        for label, path, _fmt, _better in FIGURES:
            a, b = _figure(izde, path), _figure(figures, path)
            if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
                ratio["_".join(path)] = round(a / b, 3)
        out[f"izde/{reference}"] = ratio
    return out


def format_table(result: dict) -> str:
    """The figures as an aligned plain-text table, one column per engine and per ratio."""
    engines = result["engines"]
    names = list(engines)
    ratio_names = list(result.get("ratios", {}))
    header = ["", *names, *ratio_names]
    rows = [header]
    for label, path, fmt, _better in FIGURES:
        row = [label]
        for name in names:
            value = _figure(engines[name], path)
            row.append(fmt.format(value) if value is not None else "-")
        for ratio_name in ratio_names:
            value = result["ratios"][ratio_name].get("_".join(path))
            row.append(f"{value:.2f}×" if value is not None else "-")
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths))) for row in rows]
    corpus = result["corpus"]
    machine = result["machine"]
    notes = [f"corpus: {corpus['path']} ({corpus['files']:,} files, {corpus['bytes'] / 1e6:.1f} MB); "
             f"{result['queries']['count']} queries; {machine['cpus']} CPUs, "
             f"izde procs={machine['procs']} limitmb={machine['limitmb']}"]
    for name, figures in engines.items():
        if "error" in figures:
            notes.append(f"{name}: {figures['error']}")
    rounds = result.get("rounds")
    if rounds:
        notes.append(f"medians of {len(rounds)} rounds, engine order alternating")
        for pair in rounds[0]["ratios"]:
            per_round = " ".join(f"{r['ratios'][pair]['build_cpu_s']:.2f}" for r in rounds)
            notes.append(f"{pair} build CPU s, round by round: {per_round}")
    return "\n".join([*notes, *lines])


def as_json(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2)
