"""The library's front door: an on-disk index of paragraphs you update and search.

    from search import Index
    ix = Index("index")
    report = ix.update(["seeds"])
    for hit in ix.search("лесные пожары", limit=3):
        print(hit.path, hit.paragraph, hit.lang, round(hit.score, 2), hit.snippet)

The facade only: it owns the folder's lifecycle (open, create, close) and hands
work to the layers below: :mod:`search.ingest` writes, :mod:`search.query`
turns text into a query, :mod:`search.ranking` scores it, :mod:`search.highlight`
makes snippets, :mod:`search.storage` is all that touches Whoosh's files.
"""

import errno
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from whoosh.query import And, Term
from whoosh.searching import TimeLimit

from analyzers import LANGUAGES
from analyzers.detect import OTHER
from search.errors import CorruptIndexError, IndexNotFoundError, IzdeError
from search.highlight.marked_words import hits_matched_positions, snippet_of_hit
from search.highlight.snippets import Snippet
from search.hits import Hit, Hits, IndexStats
from search.ingest.manifest import MANIFEST_NAME, UNKNOWN_GENERATION, Manifest
from search.query.limits import Deadline
from search.query.rewrite import rewrite_query
from search.query.syntax import ParsedQuery, is_plain_words, parse_query
from search.ranking.bm25 import WEIGHTING
from search.ranking.rank import rank
from search.ranking.term_scoring import Ranked, filter_documents
from search.storage.collector import fewer_collections
from search.storage.damage import raised_by_damage
from search.storage.index_files import (LOCK_NAME, MARKER_NAME, foreign_entries,
                                        remove_index_files, remove_unfinished_files,
                                        segment_damage, write_marker)
from search.storage.open import (create_index, creation_lock, has_index_files, open_index,
                                 open_writer)
from search.storage.schema import SCHEMA_VERSION, build_schema, empty_fields

if TYPE_CHECKING:
    from search.ingest.health import HealthReport
    from search.ingest.indexer import Progress, UpdateReport

__all__ = ["Hit", "Hits", "Index", "IndexStats"]

_CLUSTER_MANIFEST = "izde-cluster.json"  # search.cluster.layout.CLUSTER_MANIFEST
# Opening a searcher while commits remove the segments of the TOC it read: tries.
_SEARCHER_ATTEMPTS = 5


class Index:
    """A paragraph index stored in the folder ``path`` (created on first update)."""

    def __new__(cls, path: str | Path = "index", *args, cluster: str | None = None, **kwargs):
        # A folder of shards (or a cluster to search on) opens as a sharded index,
        # which ranks as one index would (search.cluster.sharded_index).
        if cls is Index and (cluster is not None or (Path(path) / _CLUSTER_MANIFEST).exists()):
            from search.cluster.sharded_index import ShardedIndex

            return ShardedIndex(path, cluster=cluster)
        return super().__new__(cls)

    def __init__(self, path: str | Path = "index", semantic=None, *, cluster: None = None):
        self.path = Path(path)
        self._schema = build_schema()
        self._ix = None
        self._searcher = None
        # None: as the index says; True/False: keep or drop embeddings from the next
        # update on; an Embedder: that model (search.semantic.setting).
        self._semantic = semantic
        self._ranker = None

    # -- state ---------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return (self.path / MANIFEST_NAME).exists()

    @property
    def is_stale(self) -> bool:
        """True when the index was built with other analyzers or layout and must be rebuilt."""
        manifest = Manifest.load(self.path) if self.exists else None
        return manifest is not None and manifest.schema_version != SCHEMA_VERSION

    def _open(self, check_version: bool = True):
        if self._ix is not None:
            return self._ix
        if not self.path.exists():
            raise IndexNotFoundError(f"no index at {self.path}; build it with `izde index`")
        manifest = Manifest.load(self.path)
        if manifest is None:
            if self._is_ours() and has_index_files(self.path):
                raise CorruptIndexError(f"the index at {self.path} lost its {MANIFEST_NAME}; "
                                        f"rebuild it with `izde index --rebuild`")
            if self.path.is_dir() and foreign_entries(self.path):
                raise CorruptIndexError(f"{self.path} is not an Izde index (no {MANIFEST_NAME})")
            raise IndexNotFoundError(f"no index at {self.path}; build it with `izde index`")
        # An update may open an index of another version: it rebuilds it.
        if check_version and manifest.schema_version != SCHEMA_VERSION:
            raise CorruptIndexError(f"the index at {self.path} was built by another version of "
                                    f"Izde; rebuild it with `izde index --rebuild`")
        self._ix = open_index(self.path, self._schema)
        return self._ix

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def close(self) -> None:
        self._close_searcher()
        if self._ix is not None:
            self._ix.close()
            self._ix = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- writing -------------------------------------------------------------

    def update(self, paths: Iterable[str | Path], progress: "Progress | None" = None,
               rebuild: bool = False, max_bytes: int | None = None,
               wait: float = 0.0, procs: int = 1, limitmb: int = 128,
               globs: Iterable[str] | None = None,
               only: "Callable[[Path], bool] | None" = None,
               follow: bool = False) -> "UpdateReport":
        """Index new and changed files under ``paths``; drop files deleted from them.

        ``globs`` include (``*.pdf``) or exclude (``!drafts/``) files in folders,
        as ripgrep's ``--glob``; they are remembered for later updates and checks
        (None keeps the remembered ones). See :mod:`search.ingest.ignore_rules`.

        Everything happens in one Whoosh commit: searches running meanwhile see
        the old state until it lands, and a process killed halfway leaves the old
        state, which the next update completes. ``rebuild`` starts from an empty
        index in that same single commit, so the old index stays searchable
        until the new one replaces it. Raises :class:`IndexLockedError` when
        another process is updating and ``wait`` seconds pass without it finishing.

        ``procs`` > 1 analyzes paragraphs in that many processes, still in one
        commit; ``limitmb`` is each writer's memory budget before it spills a
        sorted run to disk. ``max_bytes`` skips larger files (default 50 MB). A symbolic
        link to a file outside ``paths`` is skipped with a warning unless ``follow``.
        """
        from search.ingest.ignore_rules import glob_specs
        from search.ingest.indexer import update_index
        from search.ingest.reading import DEFAULT_MAX_BYTES

        max_bytes = max_bytes or DEFAULT_MAX_BYTES
        paths = list(paths)
        if globs is not None:
            glob_specs(list(globs))  # a bad pattern fails before the index is touched

        def run():
            with self._writing(wait, rebuild, progress, max_bytes, procs, limitmb) as \
                    (writer, manifest, report):
                report.absorb(update_index(writer, manifest, paths, progress=progress,
                                           max_bytes=max_bytes, globs=globs, only=only,
                                           follow=follow))
            return report

        try:
            return run()
        except Exception as error:
            # Damage the checks before a rebuild could not see (an index without
            # checksums) shows while it runs: nothing in the index is worth keeping.
            if not (rebuild and self._is_ours() and self._is_damage(error)):
                raise
        self.close()
        self._wipe(wait)
        return run()

    def add_paragraphs(self, records: Iterable[dict], progress: "Progress | None" = None,
                       wait: float = 0.0) -> int:
        """Index paragraphs that are not files: records ``{"id", "text"}`` (``"title"`` optional).

        The id comes back as the hit's ``path`` (``paragraph`` is 1); a record with
        an id already indexed replaces it. The language is detected from the text.
        Records live in the index only, so a file update never removes them.

            ix.add_paragraphs([{"id": "doc-1", "text": "Лесные пожары в области Абай"}])  # -> 1
        """
        from search.ingest.indexer import add_records

        with self._writing(wait, progress=progress) as (writer, manifest, _report):
            added = add_records(writer, manifest, records, progress=progress)
        return added

    @contextmanager
    def _writing(self, wait: float, rebuild: bool = False, progress: "Progress | None" = None,
                 max_bytes: int | None = None, procs: int = 1, limitmb: int = 128):
        """Yields (writer, manifest, report) of one transaction (search.ingest.transaction)."""
        self._close_searcher()
        # A first update that fails leaves no folder (or an empty one, if it was
        # given empty) behind: a half-made index would answer every later query.
        folder_existed = self.path.exists()
        first = False  # set once this update has created the index
        try:
            if rebuild and self._is_ours() and self._damage():
                self.close()
                self._wipe(wait)  # damaged: nothing in it to keep
            if not self.exists or not has_index_files(self.path):
                first = not self.exists and not (folder_existed and any(self.path.iterdir()))
                self._create(wait)
            ix = self._open(check_version=False)
            if not rebuild and (damage := segment_damage(self.path, ix)):
                raise CorruptIndexError(f"the index at {self.path} is damaged ({damage[0]}); "
                                        f"rebuild it with `izde index --rebuild`")
            with fewer_collections():  # see search.storage.collector
                yield from self._transaction(ix, rebuild, progress, max_bytes, wait, procs,
                                             limitmb)
        except BaseException:
            if first and self.path.is_dir():
                self.close()
                shutil.rmtree(self.path, ignore_errors=True)
                if folder_existed:
                    self.path.mkdir()
            raise

    def _transaction(self, ix, rebuild, progress, max_bytes, wait, procs, limitmb):
        """The write itself, embeddings included; a full disk is one line, not a traceback."""
        # Writing modules load here, not at import: a search never pays for them.
        from search.ingest.transaction import transaction

        try:
            writer = open_writer(ix, self.path, wait, procs, limitmb)
            embeddings = self._writing_embeddings(writer, rebuild, progress)
            try:
                with transaction(self.path, embeddings.writer, rebuild, progress,
                                 max_bytes) as (manifest, report):
                    yield embeddings.writer, manifest, report
                    embedded = embeddings.before_commit(writer.generation)
                    report.embedded, report.embed_seconds = embedded
            except BaseException:
                embeddings.abandoned()
                raise
            embeddings.committed()
        except OSError as error:
            if error.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            self._remove_unfinished_files()
            raise IzdeError(f"no space left on the device holding {self.path}; the index keeps "
                            f"its last committed state: free some space and run the update "
                            f"again") from None

    def _writing_embeddings(self, writer, rebuild: bool, progress):
        """The embedding side of a write (search.semantic.sync); cancels ``writer`` on failure."""
        from search.semantic.setting import embedder_for_writing
        from search.semantic.sync import writing_embeddings

        try:
            clears = rebuild or self.is_stale  # the commit replaces every paragraph
            return writing_embeddings(self.path, embedder_for_writing(self.path, self._semantic),
                                      writer, clears, progress)
        except BaseException:
            writer.cancel()
            raise
    def _remove_unfinished_files(self) -> None:
        """What a failed writer left (partial segments), if no other writer holds the lock."""
        self.close()
        try:
            with creation_lock(self.path, wait=0):
                remove_unfinished_files(self.path, open_index(self.path, self._schema))
        except (IzdeError, OSError):
            pass  # another writer is busy, or still no space: the next commit cleans up

    def _is_ours(self) -> bool:
        """Whether the folder is an Izde index, whole or damaged: it holds the marker written
        at creation, a manifest, or (older indexes) nothing but files named as Izde's."""
        if not self.path.is_dir():
            return False
        return (self.path / MARKER_NAME).exists() or self.exists or \
            (has_index_files(self.path) and not foreign_entries(self.path))

    def _damage(self) -> str | None:
        """What makes the index unusable, or None: a manifest lost or unreadable, a TOC
        that does not open, segment files missing or not the size they were written."""
        try:
            if Manifest.load(self.path) is None:
                return f"no {MANIFEST_NAME}"
            problems = segment_damage(self.path, self._open(check_version=False))
        except CorruptIndexError as error:
            return str(error)
        return problems[0] if problems else None

    @staticmethod
    def _is_damage(error: Exception) -> bool:
        return isinstance(error, (CorruptIndexError, FileNotFoundError)) or raised_by_damage(error)

    def _create(self, wait: float = 0.0) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise CorruptIndexError(f"{self.path} is a file, not an index folder")
        self._refuse_foreign_folder()  # before the lock file is written into it
        self.path.mkdir(parents=True, exist_ok=True)
        # Under the writers' lock: two processes creating one index wait for each
        # other, and the second finds the first one's index and keeps it.
        with creation_lock(self.path, wait):
            self._refuse_foreign_folder()
            # Marker and manifest first: a folder holding them is ours, so a process
            # killed before the Whoosh files exist leaves a folder the next update finishes.
            if not (self.path / MARKER_NAME).exists():
                write_marker(self.path)
            had_index = has_index_files(self.path)
            if not self.exists:
                Manifest(SCHEMA_VERSION, {},
                         generation=UNKNOWN_GENERATION if had_index else 0).save(self.path)
            if not had_index:
                create_index(self.path, self._schema)

    def _refuse_foreign_folder(self) -> None:
        if self.path.is_dir() and foreign_entries(self.path) and not self._is_ours():
            raise CorruptIndexError(f"{self.path} is not empty and is not an Izde index; "
                                    f"choose another --index folder")

    def _wipe(self, wait: float) -> None:
        """Delete what Izde wrote in the folder, under the lock; never anything else."""
        if not self.path.exists():
            return
        if not self._is_ours():
            raise CorruptIndexError(f"{self.path} is not an Izde index; refusing to delete it")
        with creation_lock(self.path, wait):
            remove_index_files(self.path, keep=(LOCK_NAME, MARKER_NAME))

    def indexed_roots(self) -> list[str]:
        """The folders and files given to earlier updates that still exist (none: no index)."""
        manifest = Manifest.load(self.path) if self.exists else None
        return [root for root in (manifest.roots if manifest else []) if Path(root).exists()]

    def check(self, deep: bool = False) -> "HealthReport":
        """How the index, its manifest and the files on disk disagree (search.ingest.health);
        ``deep`` also compares every segment file with the checksum written with it."""
        from search.ingest.health import check_index

        with self._damage_reported():
            return check_index(self.path, self._open(), deep)

    # -- reading -------------------------------------------------------------

    @property
    def schema(self):
        """The Whoosh schema: fields and their analyzers (search.storage.schema)."""
        return self._schema

    def searcher(self):
        """The Whoosh searcher of the latest commit, kept open between searches and
        replaced when another commit lands: use it for one task, then ask again
        (search.query.suggest, search.highlight.context, ranking tests)."""
        with self._damage_reported():
            return self._current_searcher()

    def _current_searcher(self):
        for attempt in range(_SEARCHER_ATTEMPTS):
            ix = self._open()
            if self._searcher is not None and not self._searcher.up_to_date():
                self._close_searcher()  # another process committed since it was opened
            if self._searcher is None:
                try:
                    self._searcher = ix.searcher(weighting=WEIGHTING)
                except FileNotFoundError:
                    # A commit removed the segments of the TOC just read: read it again.
                    # Still missing after that, the folder lost them (damage).
                    if attempt == _SEARCHER_ATTEMPTS - 1:
                        raise
                    self.close()
                    continue
            return self._searcher

    def parse(self, query: str) -> ParsedQuery:
        return parse_query(query, self._schema)

    def search(self, query: str, limit: int = 10, lang: str | None = None,
               snippets: bool = True, semantic: bool | None = None) -> Hits:
        """The best paragraphs for ``query``, best first (see :mod:`search.query.syntax`).

        With ``snippets=False`` hits carry an empty snippet, which saves reading where
        the query's words stand in every paragraph shown. Queries typed without Kazakh
        letters, in Kazakh Latin or with typos are searched as :mod:`search.query.rewrite`
        says; the hits tell what was searched (:class:`Hits`).

        On an index that keeps embeddings the best lexical hits are re-scored with
        the query's (:mod:`search.semantic.hybrid`; ``hits.ranking`` is ``"hybrid"``);
        ``semantic=False`` ranks by words alone.
        """
        with self._damage_reported():
            if not self._current_searcher().doc_count():
                self.parse(query)  # a malformed query is still an error
                return Hits([], [query])  # an index of no paragraphs matches nothing
            searcher, parsed, hits, positions = self._results(query, limit, lang, semantic)
            stored = [searcher.stored_fields(doc) for doc, _ in hits]
            marked = None
            if snippets:
                marked = hits_matched_positions(
                    positions, parsed.terms, [(doc, fields["lang"])
                                              for (doc, _), fields in zip(hits, stored)])
            return Hits([Hit(fields["path"], fields["paragraph"], fields["lang"], score,
                             fields["text"], snippet_of_hit(fields, doc, marked, self._schema)
                             if marked is not None else Snippet(()),
                             fields.get("page"), fields.get("title"), fields.get("line"))
                         for (doc, score), fields in zip(hits, stored)],
                        parsed.searched_for, parsed.did_you_mean, parsed.folded, hits.total,
                        hits.ranking)

    def ranked_ids(self, query: str, limit: int = 100, lang: str | None = None,
                   semantic: bool | None = None) -> list[str]:
        """Just the ``path`` of the best paragraphs, best first: the ranking, nothing else.

        For paragraphs added with :meth:`add_paragraphs` that is their id.
        """
        with self._damage_reported():
            searcher, _, hits, _ = self._results(query, limit, lang, semantic)
            return [searcher.stored_fields(doc)["path"] for doc, _ in hits]

    @contextmanager
    def _damage_reported(self):
        # Segments are read lazily: damage inside one shows only when a search reads it.
        try:
            yield
        except Exception as error:
            if not (raised_by_damage(error) or isinstance(error, FileNotFoundError)
                    and Path(error.filename or "").parent == self.path):
                raise
            raise CorruptIndexError(f"the index at {self.path} is damaged "
                                    f"({error.__class__.__name__} reading it); rebuild it "
                                    f"with `izde index --rebuild`") from error

    def _results(self, query: str, limit: int, lang: str | None, semantic: bool | None = None):
        """(searcher, rewritten query, [(docnum, score)] with ``.ranking`` "lexical" or
        "hybrid", positions read so far): docnums mean something only to that searcher,
        so stored fields must be read from it, not from a newer one."""
        if lang is not None and lang not in (*LANGUAGES, OTHER):
            raise IzdeError(f"unknown language {lang!r}; use one of "
                            f"{', '.join((*LANGUAGES, OTHER))}")
        deadline = Deadline()  # the query's time budget (search.query.limits)
        searcher = self._current_searcher()
        parsed = rewrite_query(query, self._schema, searcher.reader(), empty_fields(searcher),
                               deadline)
        filters = [f for f in (parsed.filter, Term("lang", lang) if lang else None) if f]
        combined = None
        if filters:
            combined = filters[0] if len(filters) == 1 else And(filters)
        ranker = self._hybrid_ranker(semantic)
        try:
            hits, positions = rank(searcher, parsed.query, parsed.words, combined,
                                   max(limit, ranker.pool) if ranker else limit,
                                   seconds=deadline.remaining())
        except TimeLimit:
            deadline.check()
            raise
        rescored = None
        if ranker:
            # Paragraphs the words did not find join plain queries only, and pass the filter.
            nearest = None
            if is_plain_words(query):
                nearest = filter_documents(searcher, combined) if combined else True
            rescored = ranker.rescore(searcher, hits, parsed.searched_for[-1], limit, nearest)
        ranked = Ranked(hits[:limit], hits.total) if rescored is None \
            else Ranked(rescored, max(hits.total, len(rescored)))
        ranked.ranking = "lexical" if rescored is None else "hybrid"
        return searcher, parsed, ranked, positions

    def _hybrid_ranker(self, semantic: bool | None):
        """The re-scorer for this search, or None to rank by words (search.semantic.setting)."""
        from search.semantic.setting import embedder_for_search

        embedder = embedder_for_search(self.path, self._semantic, semantic)
        if embedder is None:
            return None
        if self._ranker is None or self._ranker.embedder is not embedder:
            from search.semantic.hybrid import HybridRanker

            self._ranker = HybridRanker(self.path, embedder)
        return self._ranker

    def stats(self) -> IndexStats:
        manifest = Manifest.load(self.path) if self.exists else None
        if manifest is None:
            self._open()  # says why: no index, not an index, or an index that lost its manifest
        with self._damage_reported():
            return self._stats(manifest)

    def _stats(self, manifest: Manifest) -> IndexStats:
        searcher = self._current_searcher()
        languages = {lang: searcher.doc_frequency("lang", lang) for lang in (*LANGUAGES, OTHER)}
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        return IndexStats(len(manifest.files), searcher.doc_count(), languages, size)
