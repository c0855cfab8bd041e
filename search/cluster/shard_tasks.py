"""What runs beside one shard, on a Dask worker or in this process: building it, searching it.

Both are plain functions of picklable arguments, so Dask can ship them to any
worker and run them again elsewhere when a worker dies. A shard searched on a
worker stays open there between queries (:func:`open_shard`, worker-local
state); its searcher is replaced only when a commit lands.
"""

import os
import shutil
import socket
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from search.cluster.layout import CLUSTER_MANIFEST, shard_of
from search.highlight.marked_words import hits_matched_positions, snippet_of_hit
from search.highlight.snippets import Snippet
from search.index import Index
from search.ingest.manifest import MANIFEST_NAME
from search.ranking import config, proximity
from search.ranking.global_statistics import Constants, GlobalBM25F, TermKey
from search.ranking.rank import proximity_applies, scored
from search.storage.positions import HitPositions


@dataclass
class ShardQuery:
    """A query as the coordinator rewrote it, with the whole collection's term constants."""
    query: object  # whoosh.query.Query
    filter: object | None
    words: dict[str, list[frozenset[str]]]
    terms: dict[str, set[str]]
    limit: int
    constants: dict[TermKey, Constants]


@dataclass
class Candidate:
    """A paragraph a shard puts forward: its BM25F score and, when it is among the shard's
    best :data:`config.POOL`, its score after proximity rescoring."""
    score: float
    rescored: float
    path: str
    paragraph: int
    lang: str
    text: str
    snippet: Snippet


@dataclass
class ShardAnswer:
    total: int
    candidates: list[Candidate] = field(default_factory=list)
    worker: str = ""


_OPEN: dict[str, Index] = {}  # shard folder -> its index, open in this process
_OPENING = threading.Lock()


def open_shard(folder: str) -> Index:
    """The shard at ``folder``, opened once per process and kept open."""
    with _OPENING:
        index = _OPEN.get(folder)
        if index is None:
            index = _OPEN[folder] = Index(folder)
        return index


def search_shard(folder: str, request: ShardQuery) -> ShardAnswer:
    """The shard's candidates for the global top ``request.limit``, scored with the
    whole collection's statistics, each with its stored fields and snippet.

    With proximity rescoring, the best :data:`config.POOL` by BM25F of the whole
    collection are rescored; each of them is among its shard's best POOL, so a
    shard returns its best max(limit, POOL) with both scores and the merge
    (:mod:`search.cluster.merge`) rescores exactly the global POOL.
    """
    index = open_shard(folder)
    searcher = index.searcher()
    weighting = GlobalBM25F(request.constants)
    rescoring = proximity_applies(request.words)
    wanted = max(request.limit, config.POOL) if rescoring else request.limit
    hits = scored(searcher, request.query, wanted, request.filter, weighting)
    positions = HitPositions(searcher)
    rescored = dict(proximity.rescore(positions, hits[:config.POOL], request.words)) \
        if rescoring else {}
    stored = [searcher.stored_fields(doc) for doc, _ in hits]
    # No snippets yet: most candidates do not make the merged top (query then fetch).
    candidates = [Candidate(score, rescored.get(doc, score), fields["path"], fields["paragraph"],
                            fields["lang"], fields["text"], Snippet(()))
                  for (doc, score), fields in zip(hits, stored)]
    return ShardAnswer(hits.total, candidates, worker_name())


def shard_snippets(folder: str, request: ShardQuery,
                   paragraphs: list[tuple[str, int]]) -> list[Snippet]:
    """The snippets of the shard's ``paragraphs`` (path, paragraph number) for the query:
    only those the merge kept are asked for. A paragraph gone since (a commit in
    between) gets an empty snippet."""
    from whoosh.query import Term

    index = open_shard(folder)
    searcher = index.searcher()
    found = []  # (docnum, stored fields) or None
    for path, number in paragraphs:
        match = None
        for doc in searcher.docs_for_query(Term("path", path)):
            fields = searcher.stored_fields(doc)
            if fields["paragraph"] == number:
                match = (doc, fields)
                break
        found.append(match)
    hits = [match for match in found if match is not None]
    marked = hits_matched_positions(HitPositions(searcher), request.terms,
                                    [(doc, fields["lang"]) for doc, fields in hits])
    return [snippet_of_hit(match[1], match[0], marked, index.schema) if match else Snippet(())
            for match in found]


@dataclass
class ShardBuild:
    """What one shard's update did: the report's figures, and where and how long it ran."""
    shard: int
    report: dict
    files: int
    paragraphs: int
    seconds: float
    worker: str


def build_shard(folder: str, shard: int, shards: int, paths: list[str], rebuild: bool = False,
                max_bytes: int | None = None, limitmb: int = 128) -> ShardBuild:
    """Bring the shard up to date with its files under ``paths`` in one atomic commit.

    Run again after a worker died halfway, it finishes the job: the commit that
    did not land left the shard as it was, and a file's old paragraphs are
    deleted before its new ones are added, so nothing is lost or doubled.
    """
    started = time.perf_counter()
    folder_path = Path(folder)
    if folder_path.is_dir() and not (folder_path / MANIFEST_NAME).exists() \
            and (folder_path.parent / CLUSTER_MANIFEST).exists():
        # A worker died while creating this shard, before its first manifest was in
        # place: nothing was ever committed in it, so it starts again empty.
        shutil.rmtree(folder_path)
    index = Index(folder_path)
    if index.is_stale:
        # Built with another analysis: an ordinary update would reanalyze every
        # file it finds, other shards' too. Its files are indexed again from scratch.
        if not rebuild:
            from search.errors import CorruptIndexError
            raise CorruptIndexError(f"{folder} was built by another version of Izde; rebuild "
                                    f"the sharded index with `izde index --rebuild --shards N`")
        index.close()
        stale = _OPEN.pop(folder, None)
        if stale is not None:
            stale.close()
        shutil.rmtree(folder_path)
        index = Index(folder_path)
    with index:
        report = index.update(paths, rebuild=rebuild, max_bytes=max_bytes, limitmb=limitmb,
                              only=partial(_holds, shard, shards))
        stats = index.stats()
    return ShardBuild(shard, report.as_dict(), stats.files, stats.paragraphs,
                      time.perf_counter() - started, worker_name())


def _holds(shard: int, shards: int, path: Path) -> bool:
    return shard_of(path, shards) == shard


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
