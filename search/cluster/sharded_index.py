"""A sharded index: N ordinary indexes searched as one, ranked exactly as one index would rank.

    from search import Index
    ix = Index("archive", cluster="tcp://10.0.0.5:8786")   # or no cluster: in this process
    ix.update(["/data/news"], shards=4)                    # one Dask task per changed shard
    hits = ix.search("су тасқыны")                          # hits.partial, hits.missing_shards

A query is rewritten here against the vocabulary of all the shards (spelling,
Kazakh letters, Latin), its terms' BM25 constants are computed from the
statistics summed over the shards (:mod:`search.ranking.global_statistics`), and
every shard scores with those (:func:`search.cluster.shard_tasks.search_shard`),
on its worker or in this process; :mod:`search.cluster.merge` merges their best.
So this process reads the shards' term dictionaries (the folder must be
readable here, e.g. on a shared filesystem); postings, positions and stored
text are read where the shard is searched.
"""

import time
from pathlib import Path
from typing import Iterable

from analyzers import LANGUAGES
from analyzers.detect import OTHER
from whoosh.query import And, Term

from search.cluster.layout import (ClusterManifest, ShardRecord, check_shard_count, shard_name,
                                   shard_of)
from search.cluster.merge import merged
from search.cluster.runners import DaskRunner, LocalRunner
from search.cluster.shard_tasks import ShardQuery
from search.errors import CorruptIndexError, IndexNotFoundError, IzdeError
from search.hits import Hit, Hits, IndexStats
from search.index import Index
from search.ingest.manifest import MANIFEST_NAME, PENDING_NAME, Manifest
from search.query.rewrite import rewrite_query
from search.query.syntax import ParsedQuery, parse_query
from search.ranking.bm25 import WEIGHTING
from search.ranking.global_statistics import query_term_constants
from search.ranking.rank import proximity_applies
from search.storage.schema import build_schema, empty_fields
from search.storage.union import union_searcher


class ShardedHits(Hits):
    """:class:`Hits` of a sharded index: ``partial`` is True when some shards did not
    answer (``missing_shards``: their numbers, and why in ``shard_errors``)."""

    def __init__(self, *args, missing_shards: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.shard_errors = dict(missing_shards or {})
        self.missing_shards = sorted(self.shard_errors)
        self.partial = bool(self.missing_shards)


class ShardedIndex:
    """The sharded index in folder ``path``; ``cluster`` is a Dask scheduler's address
    (``tcp://HOST:PORT``) to search and build on, or None to work in this process."""

    def __init__(self, path: str | Path, cluster: str | None = None):
        self.path = Path(path)
        self.cluster = cluster
        self._schema = build_schema()
        self._shards: list[Index] | None = None
        self._union = None
        self._union_of: list | None = None
        self._runner = None

    # -- state ---------------------------------------------------------------

    @property
    def manifest(self) -> ClusterManifest | None:
        return ClusterManifest.load(self.path)

    @property
    def exists(self) -> bool:
        manifest = self.manifest
        return manifest is not None and all((folder / MANIFEST_NAME).exists()
                                            for folder in manifest.shard_paths(self.path))

    @property
    def is_stale(self) -> bool:
        return any(shard.is_stale for shard in self._indexes())

    @property
    def schema(self):
        return self._schema

    def _indexes(self) -> list[Index]:
        if self._shards is None:
            manifest = self.manifest
            if manifest is None:
                raise IndexNotFoundError(f"no index at {self.path}; build it with `izde index`")
            self._shards = [Index(folder) for folder in manifest.shard_paths(self.path)]
        return self._shards

    def _search_runner(self):
        if self._runner is None:
            self._runner = DaskRunner(self.cluster) if self.cluster else LocalRunner()
        return self._runner

    def close(self) -> None:
        for shard in self._shards or []:
            shard.close()
        self._shards = self._union = self._union_of = None
        if self._runner is not None:
            self._runner.close()
            self._runner = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- reading -------------------------------------------------------------

    def searcher(self):
        """A Whoosh searcher over every shard's segments: the whole collection's statistics
        and vocabulary (suggestions and paragraphs in context read it too)."""
        searchers = [shard.searcher() for shard in self._indexes()]
        if self._union_of is None or any(a is not b for a, b in zip(searchers, self._union_of)):
            self._union = union_searcher(searchers, WEIGHTING)  # a shard committed since
            self._union_of = searchers
        return self._union

    def parse(self, query: str) -> ParsedQuery:
        return parse_query(query, self._schema)

    def search(self, query: str, limit: int = 10, lang: str | None = None,
               snippets: bool = True, semantic: bool | None = None) -> ShardedHits:
        """As :meth:`search.index.Index.search`, over every shard; scores are one index's.

        Shards keep no embeddings yet: ranking is lexical whatever ``semantic`` says.
        """
        snippets_wanted = snippets
        if lang is not None and lang not in (*LANGUAGES, OTHER):
            raise IzdeError(f"unknown language {lang!r}; use one of "
                            f"{', '.join((*LANGUAGES, OTHER))}")
        union = self.searcher()
        parsed = rewrite_query(query, self._schema, union.reader(), empty_fields(union))
        filters = [f for f in (parsed.filter, Term("lang", lang) if lang else None) if f]
        combined = None
        if filters:
            combined = filters[0] if len(filters) == 1 else And(filters)
        request = ShardQuery(parsed.query, combined, parsed.words, parsed.terms, limit,
                             query_term_constants(union, [parsed.query]))
        folders = self.manifest.shard_paths(self.path)
        runner = self._search_runner()
        answers, missing = runner.search(folders, request)
        best = merged(answers, limit, proximity_applies(parsed.words))
        snippets = {}
        if snippets_wanted and best:
            # Fetch: only the shards holding the merged top make their snippets.
            wanted: dict[int, list[tuple[str, int]]] = {}
            for candidate, _ in best:
                wanted.setdefault(shard_of(candidate.path, len(folders)), []).append(
                    (candidate.path, candidate.paragraph))
            for shard, made in runner.snippets(dict(enumerate(folders)), request,
                                               wanted).items():
                snippets.update(zip(wanted[shard], made))
        return ShardedHits([Hit(c.path, c.paragraph, c.lang, score, c.text,
                                snippets.get((c.path, c.paragraph), c.snippet))
                            for c, score in best],
                           parsed.searched_for, parsed.did_you_mean, parsed.folded,
                           sum(answer.total for answer in answers.values()),
                           missing_shards=missing)

    def ranked_ids(self, query: str, limit: int = 100, lang: str | None = None) -> list[str]:
        return [hit.path for hit in self.search(query, limit, lang, snippets=False)]

    def stats(self) -> IndexStats:
        shards = self._indexes()
        union = self.searcher()
        files = sum(len(Manifest.load(shard.path).files) for shard in shards)
        languages = {lang: union.doc_frequency("lang", lang) for lang in (*LANGUAGES, OTHER)}
        size = sum(f.stat().st_size for shard in shards for f in shard.path.iterdir()
                   if f.is_file())
        return IndexStats(files, union.doc_count(), languages, size)

    def indexed_roots(self) -> list[str]:
        return sorted({root for shard in self._indexes() for root in shard.indexed_roots()})

    def check(self):
        """Every shard's :meth:`search.index.Index.check`, summed; a file on disk is new
        only to the shard it belongs to."""
        manifest = self.manifest
        total = None
        for number, shard in enumerate(self._indexes()):
            report = shard.check()
            report.new_on_disk = [p for p in report.new_on_disk
                                  if shard_of(p, manifest.shards) == number]
            if total is None:
                total = report
                continue
            total.files += report.files
            total.paragraphs += report.paragraphs
            total.unfinished_update |= report.unfinished_update
            for name in report.PROBLEMS:
                getattr(total, name).extend(getattr(report, name))
        return total

    # -- writing -------------------------------------------------------------

    def update(self, paths: Iterable[str | Path], progress=None, rebuild: bool = False,
               max_bytes: int | None = None, wait: float = 0.0, procs: int = 1,
               limitmb: int = 128, shards: int | None = None):
        """Bring the shards up to date with ``paths``: one task per shard whose files
        changed (all of them with ``rebuild``), on the cluster, on a local cluster of
        ``procs`` processes, or here when ``procs`` is 1. Each shard commits atomically.

        ``shards`` is the shard count of a new index; an index keeps its count, which
        only ``rebuild`` may change.
        """
        from search.ingest.indexer import UpdateReport, discover_files

        started = time.perf_counter()
        manifest = self._prepare(shards, rebuild)
        paths = [str(path) for path in paths] or self.indexed_roots()
        files, roots, problems = discover_files(paths)
        report = UpdateReport(skipped=list(problems))
        paths = [str(root) for root in roots]  # absolute: workers run in other folders
        folders = manifest.shard_paths(self.path)
        if rebuild:
            todo = set(range(manifest.shards))
        else:
            todo, report.unchanged = _shards_with_changes(folders, files, roots, manifest.shards)
        jobs = [(str(folders[k]), k, manifest.shards, paths, rebuild, max_bytes, limitmb)
                for k in sorted(todo)]
        runner = self._build_runner(procs, len(jobs))
        try:
            builds = runner.build(jobs) if jobs else []
        finally:
            if runner is not self._runner:
                runner.close()
        seen = {path for path, _ in report.skipped}
        for build in builds:
            part = build.report
            for name in ("added", "changed", "removed", "unchanged", "paragraphs_added",
                         "repaired"):
                setattr(report, name, getattr(report, name) + part[name])
            for skipped in part["skipped"]:
                if skipped["path"] not in seen:  # every shard walks the same folders
                    seen.add(skipped["path"])
                    report.skipped.append((skipped["path"], skipped["reason"]))
            manifest.shard_records[shard_name(build.shard)] = ShardRecord(
                build.files, build.paragraphs, round(build.seconds, 3), build.worker)
        manifest.save(self.path)
        self._shards = self._union = self._union_of = None  # reopened on the next search
        report.seconds = time.perf_counter() - started
        return report

    def add_paragraphs(self, records: Iterable[dict], progress=None, wait: float = 0.0) -> int:
        """Records (``{"id", "text"}``) into the shard their id hashes to, as files go."""
        manifest = self.manifest
        if manifest is None:
            raise IndexNotFoundError(f"no index at {self.path}; build it with `izde index`")
        by_shard: dict[int, list[dict]] = {}
        for record in records:
            by_shard.setdefault(shard_of(str(record["id"]), manifest.shards), []).append(record)
        added = 0
        for shard, chunk in by_shard.items():
            with Index(manifest.shard_paths(self.path)[shard]) as index:
                added += index.add_paragraphs(chunk, wait=wait)
        self._union = self._union_of = None
        return added

    def _build_runner(self, procs: int, jobs: int):
        if self.cluster:
            return self._search_runner()
        if procs > 1 and jobs > 1:
            return DaskRunner(local_workers=min(procs, jobs))
        return LocalRunner()

    def _prepare(self, shards: int | None, rebuild: bool) -> ClusterManifest:
        """The cluster manifest, written first: a folder holding it is a sharded index."""
        manifest = self.manifest
        if manifest is not None and shards is not None and shards != manifest.shards:
            if not rebuild:
                raise IzdeError(f"{self.path} has {manifest.shards} shards; to change the "
                                f"count, add --rebuild (or build into a new folder)")
            self.close()
            for folder in manifest.shard_paths(self.path)[shards:]:
                _remove_shard(folder)
            manifest = ClusterManifest(check_shard_count(shards))
        if manifest is None:
            if shards is None:
                raise IzdeError(f"{self.path} is not a sharded index; give --shards N to make one")
            if (self.path / MANIFEST_NAME).exists():
                raise CorruptIndexError(f"{self.path} holds an index that is not sharded; "
                                        f"choose another folder for the sharded one")
            if self.path.exists() and (not self.path.is_dir() or any(self.path.iterdir())):
                raise CorruptIndexError(f"{self.path} is not empty and is not an Izde index; "
                                        f"choose another --index folder")
            manifest = ClusterManifest(check_shard_count(shards))
        self.path.mkdir(parents=True, exist_ok=True)
        manifest.save(self.path)
        return manifest


def _shards_with_changes(folders: list[Path], files: list[Path], roots: list[Path],
                         shards: int) -> tuple[set[int], int]:
    """(the shards an update must touch, how many files are unchanged in the others).

    A shard is touched when one of its files is new, changed (size or mtime) or gone,
    when it does not exist yet, or when a killed update left it a pending manifest.
    """
    manifests = [Manifest.load(folder) if (folder / MANIFEST_NAME).exists() else None
                 for folder in folders]
    todo = {k for k, folder in enumerate(folders)
            if manifests[k] is None or (folder / PENDING_NAME).exists()}
    found: set[str] = set()
    unchanged = [0] * shards
    for path in files:
        name = str(path)
        found.add(name)
        shard = shard_of(name, shards)
        if shard in todo:
            continue
        known = manifests[shard].files.get(name) or manifests[shard].skipped.get(name)
        try:
            stat = path.stat()
        except OSError:
            todo.add(shard)  # the shard's task reports it
            continue
        if known is None or (known.size, known.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
            todo.add(shard)
        else:
            unchanged[shard] += 1
    for shard, manifest in enumerate(manifests):
        if shard in todo or manifest is None:
            continue
        if any(name not in found and _under(name, roots) for name in manifest.files):
            todo.add(shard)  # a file of it was deleted
    return todo, sum(count for shard, count in enumerate(unchanged) if shard not in todo)


def _under(name: str, roots: list[Path]) -> bool:
    path = Path(name)
    return any(path == root or root in path.parents for root in roots)


def _remove_shard(folder: Path) -> None:
    import shutil

    if (folder / MANIFEST_NAME).exists():  # only what Izde wrote
        shutil.rmtree(folder)
