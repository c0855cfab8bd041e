"""The library's front door: an on-disk index of paragraphs you update and search.

    >>> from search import Index
    >>> ix = Index("index")
    >>> report = ix.update(["seeds"])
    >>> for hit in ix.search("лесные пожары", limit=3):
    ...     print(hit.path, hit.paragraph, hit.lang, round(hit.score, 2), hit.snippet)
"""

import shutil
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from whoosh import index as whoosh_index
from whoosh import scoring
from whoosh.index import LockError
from whoosh.writing import CLEAR
from whoosh.query import And, Term

from analyzers import LANGUAGES
from search.damage import raised_by_damage
from search.errors import CorruptIndexError, IndexLockedError, IndexNotFoundError, IzdeError
from search.health import HealthReport, check_index
from search.indexer import (Progress, UpdateReport, add_records, paragraphs_by_path, reconcile,
                            stored_records, update_index)
from search import proximity
from search.ignore_rules import glob_specs
from search.manifest import MANIFEST_NAME, Manifest, recover
from search.parallel import ParallelWriter
from search.posting_pool import TermPoolSegmentWriter
from search.query import ParsedQuery, parse_query
from search.reading import DEFAULT_MAX_BYTES
from search.rewrite import rewrite_query
from search.schema import (SCHEMA_VERSION, SEARCH_FIELDS, build_schema, field_language,
                           text_field)
from search import segment_files
from search.hit_positions import HitPositions
from search.marked_words import hits_matched_positions, matched_spans, snippet_fields
from search.snippets import Snippet, snippet_of_spans
from search.term_scoring import filter_documents, scored_clauses, top_documents

# Segments are read from their memory map, not copied into memory on open.
segment_files.install()


class LanguageBM25F(scoring.BM25F):
    """BM25F where a language field's statistics count only that language's paragraphs.

    A paragraph fills one language field, but Whoosh averages a field's length
    over every document: ``text_en`` looked 14 times shorter than its paragraphs
    on the evaluation corpus (6 words instead of 86), so length normalization
    crushed every long English paragraph. Here the average length of ``text_en``
    is over English paragraphs only.
    """

    def scorer(self, searcher, fieldname, text, qf=1):
        lang = field_language(fieldname)
        if lang is None or not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf=qf)
        return _LanguageBM25FScorer(searcher, fieldname, text, self, qf=qf)

    def term_constants(self, searcher, fieldname, text) -> tuple[float, float, float, float]:
        """(idf, average field length, B, K1) of a term: all BM25 needs besides tf and length."""
        parent = searcher.get_parent()
        B = self._field_B.get(fieldname, self.B)
        lang = field_language(fieldname)
        if lang is None:
            avgfl = parent.avg_field_length(fieldname) or 1
        else:
            paragraphs = _language_count(parent, lang)
            avgfl = (parent.field_length(fieldname) / paragraphs) if paragraphs else 1
        return parent.idf(fieldname, text), avgfl, B, self.K1


class _LanguageBM25FScorer(scoring.WeightLengthScorer):
    def __init__(self, searcher, fieldname, text, weighting: LanguageBM25F, qf=1):
        self.idf, self.avgfl, self.B, self.K1 = weighting.term_constants(searcher, fieldname, text)
        self.qf = qf
        self.setup(searcher, fieldname, text)

    def _score(self, weight, length):
        return scoring.bm25(self.idf, weight, length, self.avgfl, self.B, self.K1)


def _language_count(searcher, lang: str) -> int:
    # Searchers are replaced after every commit, so caching on one is safe.
    counts = searcher.__dict__.setdefault("_izde_language_counts", {})
    if lang not in counts:
        counts[lang] = searcher.doc_frequency("lang", lang)
    return counts[lang]


def _empty_fields(searcher) -> frozenset[str]:
    """Search fields without a single word indexed (title_en when no record has a title ...)."""
    cached = searcher.__dict__.get("_izde_empty_fields")
    if cached is None:
        cached = frozenset(f for f in SEARCH_FIELDS if not searcher.field_length(f))
        searcher.__dict__["_izde_empty_fields"] = cached
    return cached


# Russian paragraphs normalized for length less (B 0.5): the long answers of the
# dev set lost to one-sentence distractors. text_ru B 0.75 / 0.6 / 0.5 / 0.4 gave
# ru nDCG@10 0.9389 / 0.9409 / 0.9410 / 0.9395 (`izde eval retrieval`); kk and en
# do not move, their fields keep 0.75.
_WEIGHTING = LanguageBM25F(B=0.75, K1=1.2, text_ru_B=0.5)
# Reading a TOC whose segments a concurrent commit has just removed: tries.
_OPEN_ATTEMPTS = 5


@dataclass(frozen=True)
class Hit:
    path: str
    paragraph: int  # 1-based, counting every paragraph of the file
    lang: str
    score: float
    text: str
    highlighted: Snippet
    page: int | None = None  # the PDF page the paragraph stands on; None elsewhere
    title: str | None = None  # the heading it stands under, or a record's title

    @property
    def snippet(self) -> str:
        """The best passage with matched words marked as ``**word**``."""
        return self.highlighted.render()

    def as_dict(self) -> dict:
        return {"path": self.path, "paragraph": self.paragraph, "lang": self.lang,
                "score": round(self.score, 4), "snippet": self.snippet,
                "matches": self.highlighted.matches, "text": self.text,
                **({"page": self.page} if self.page is not None else {}),
                **({"title": self.title} if self.title else {})}


class Hits(list):
    """The hits of a search, best first, and what was searched for them.

    ``searched_for`` lists the texts searched (``["Qazaqtelekom", "Қазақтелеком"]``
    for a Latin query); ``did_you_mean`` is the corrected query when a word the
    index does not know was replaced, else None; ``folded`` says that Kazakh
    paragraphs were also matched with their Kazakh letters folded (қ -> к ...).
    """

    def __init__(self, hits=(), searched_for=(), did_you_mean=None, folded=False):
        super().__init__(hits)
        self.searched_for = list(searched_for)
        self.did_you_mean = did_you_mean
        self.folded = folded


@dataclass(frozen=True)
class IndexStats:
    files: int
    paragraphs: int
    languages: dict[str, int]
    size_bytes: int

    def as_dict(self) -> dict:
        return {"files": self.files, "paragraphs": self.paragraphs,
                "languages": self.languages, "size_bytes": self.size_bytes}


class Index:
    """A paragraph index stored in the folder ``path`` (created on first update)."""

    def __init__(self, path: str | Path = "index"):
        self.path = Path(path)
        self._schema = build_schema()
        self._ix = None
        self._searcher = None

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
            if self.path.is_dir() and any(self.path.iterdir()):
                raise CorruptIndexError(f"{self.path} is not an Izde index (no {MANIFEST_NAME})")
            raise IndexNotFoundError(f"no index at {self.path}; build it with `izde index`")
        # An update may open an index of another version: it rebuilds it.
        if check_version and manifest.schema_version != SCHEMA_VERSION:
            raise CorruptIndexError(f"the index at {self.path} was built by another version of "
                                    f"Izde; rebuild it with `izde index --rebuild`")
        failure = None
        # Whoosh leaves a damaged TOC file open when it fails to read it; the
        # file is closed as the exception goes, so don't warn about it then.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            for _ in range(_OPEN_ATTEMPTS):
                try:
                    self._ix = whoosh_index.open_dir(str(self.path), schema=self._schema)
                    failure = None
                    break
                except FileNotFoundError:
                    # A commit (a rebuild's, say) removed the segments of the TOC
                    # just read; reading the TOC again finds the new ones.
                    failure = "FileNotFoundError"
                except Exception as error:  # Whoosh raises many types for a damaged folder
                    failure = error.__class__.__name__
                    break
        if failure:
            raise CorruptIndexError(f"the index at {self.path} is damaged ({failure}); "
                                    f"rebuild it with `izde index --rebuild`")
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

    def update(self, paths: Iterable[str | Path], progress: Progress | None = None,
               rebuild: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
               wait: float = 0.0, procs: int = 1, limitmb: int = 128,
               globs: Iterable[str] | None = None) -> UpdateReport:
        """Index new and changed files under ``paths``; drop files deleted from them.

        ``globs`` include (``*.pdf``) or exclude (``!drafts/``) files in folders,
        as ripgrep's ``--glob``; they are remembered for later updates and checks
        (None keeps the remembered ones). See :mod:`search.ignore_rules`.

        Everything happens in one Whoosh commit: searches running meanwhile see
        the old state until it lands, and a process killed halfway leaves the old
        state, which the next update completes. ``rebuild`` starts from an empty
        index in that same single commit, so the old index stays searchable
        until the new one replaces it. Raises :class:`IndexLockedError` when
        another process is updating and ``wait`` seconds pass without it finishing.

        ``procs`` > 1 analyzes paragraphs in that many processes (Whoosh's
        multiprocessing writer), still in one commit; ``limitmb`` is each writer's
        memory budget before it spills a sorted run to disk.
        """
        paths = list(paths)
        if globs is not None:
            glob_specs(list(globs))  # a bad pattern fails before the index is touched
        with self._transaction(wait, rebuild, progress, max_bytes,
                               procs=procs, limitmb=limitmb) as (writer, manifest, report):
            done = update_index(writer, manifest, paths, progress=progress, max_bytes=max_bytes,
                                globs=globs)
            report.absorb(done)
        return report

    def add_paragraphs(self, records: Iterable[dict], progress: Progress | None = None,
                       wait: float = 0.0) -> int:
        """Index paragraphs that are not files: records ``{"id", "text"}`` (``"title"`` optional).

        The id comes back as the hit's ``path`` (``paragraph`` is 1); a record with
        an id already indexed replaces it. The language is detected from the text.
        Records live in the index only, so a file update never removes them.

            >>> ix.add_paragraphs([{"id": "doc-1", "text": "Лесные пожары в области Абай"}])
            1
        """
        with self._transaction(wait, progress=progress) as (writer, manifest, _report):
            added = add_records(writer, manifest, records, progress=progress)
        return added

    @contextmanager
    def _transaction(self, wait: float, rebuild: bool = False, progress: Progress | None = None,
                     max_bytes: int = DEFAULT_MAX_BYTES, procs: int = 1, limitmb: int = 128):
        """One write: yields (writer, manifest, report), then commits both or neither.

        Before yielding it finishes a killed earlier update (see :mod:`search.manifest`)
        and, when the analysis changed since the index was built, re-analyzes all it
        holds: files from their folders, records from their stored text.
        """
        self._close_searcher()
        if rebuild and self.exists and not self._opens():
            self.close()
            self._remove_index_files()  # damaged beyond opening: nothing to keep
        if not self.exists or not self._has_whoosh_files():
            self._create()
        ix = self._open(check_version=False)
        writer = self._writer(ix, wait, procs, limitmb)
        committed = False
        try:
            manifest = recover(self.path, writer.generation - 1)
            if manifest is None:
                raise CorruptIndexError(f"{self.path} lost its {MANIFEST_NAME}; rebuild it with "
                                        f"`izde index --rebuild`")
            report = UpdateReport()
            if manifest.generation != writer.generation - 1 and not rebuild:
                # The manifest does not describe this commit (written by an older
                # Izde, or edited): trust the index and let the update fix the rest.
                with writer.reader() as reader:
                    report.repaired = reconcile(manifest, paragraphs_by_path(reader))
            if manifest.schema_version != SCHEMA_VERSION:
                manifest = self._reanalyze(writer, manifest, report, progress, max_bytes)
                rebuild = True
            elif rebuild:
                # Only the paths given now; the --glob patterns stay unless new ones are given.
                manifest = Manifest(SCHEMA_VERSION, {}, globs=manifest.globs)
            yield writer, manifest, report
            started = time.perf_counter()
            manifest.save_pending(self.path, writer.generation)
            # CLEAR drops every old segment in this same commit: a rebuild is atomic.
            writer.commit(mergetype=CLEAR if rebuild else None)
            committed = True
            report.seconds += time.perf_counter() - started
        finally:
            if not committed:
                if not writer.is_closed:
                    writer.cancel()
                Manifest.discard_pending(self.path)
        Manifest.promote_pending(self.path)

    @staticmethod
    def _reanalyze(writer, old: Manifest, report: UpdateReport, progress: Progress | None,
                   max_bytes: int) -> Manifest:
        """A fresh manifest whose files and records are indexed again with today's analysis."""
        roots = [root for root in old.roots if Path(root).exists()]
        with writer.reader() as reader:
            records = stored_records(reader, old.records)
        manifest = Manifest(SCHEMA_VERSION, {}, roots=roots, globs=old.globs)
        paths = roots or [p for p in old.files if Path(p).exists()]
        report.absorb(update_index(writer, manifest, paths, progress=progress,
                                   max_bytes=max_bytes))
        add_records(writer, manifest, records, progress=progress)
        return manifest

    def _writer(self, ix, wait: float, procs: int = 1, limitmb: int = 128):
        try:
            if procs > 1:
                # Whoosh's own MpWriter can drop a worker's documents silently;
                # ParallelWriter cannot (see search.parallel).
                return ParallelWriter(ix, procs=procs, timeout=wait, limitmb=limitmb)
            return TermPoolSegmentWriter(ix, timeout=wait, limitmb=limitmb)
        except LockError:
            raise IndexLockedError(f"{self.path}: the index is being updated by another process; "
                                   f"try again when it finishes, or pass --wait SECONDS") from None

    def _has_whoosh_files(self) -> bool:
        # Not whoosh_index.exists_in: it unpickles the stored schema, which fails
        # when an analyzer class of an older Izde has been renamed or removed.
        return any(self.path.glob("_MAIN_*.toc"))

    def _opens(self) -> bool:
        try:
            self._open(check_version=False)
        except CorruptIndexError:
            return False
        return True

    def _create(self) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise CorruptIndexError(f"{self.path} is a file, not an index folder")
        if self.path.exists() and any(self.path.iterdir()) and not self.exists:
            raise CorruptIndexError(f"{self.path} is not empty and is not an Izde index; "
                                    f"choose another --index folder")
        self.path.mkdir(parents=True, exist_ok=True)
        # The manifest first: a folder holding it is ours, so a process killed
        # before the Whoosh files exist leaves a folder the next update finishes.
        if not self.exists:
            Manifest(SCHEMA_VERSION, {}, generation=0).save(self.path)
        whoosh_index.create_in(str(self.path), self._schema).close()

    def _remove_index_files(self) -> None:
        # Only what Izde wrote: never a folder that is not an Izde index.
        if not self.path.exists():
            return
        if not self.exists:
            raise CorruptIndexError(f"{self.path} is not an Izde index; refusing to delete it")
        shutil.rmtree(self.path)

    def indexed_roots(self) -> list[str]:
        """The folders and files given to earlier updates that still exist (none: no index)."""
        manifest = Manifest.load(self.path) if self.exists else None
        return [root for root in (manifest.roots if manifest else []) if Path(root).exists()]

    def check(self) -> HealthReport:
        """How the index, its manifest and the files on disk disagree (see :mod:`search.health`)."""
        return check_index(self)

    # -- reading -------------------------------------------------------------

    def _current_searcher(self):
        ix = self._open()
        if self._searcher is not None and not self._searcher.up_to_date():
            self._close_searcher()  # another process committed since it was opened
        if self._searcher is None:
            self._searcher = ix.searcher(weighting=_WEIGHTING)
        return self._searcher

    def parse(self, query: str) -> ParsedQuery:
        return parse_query(query, self._schema)

    def search(self, query: str, limit: int = 10, lang: str | None = None,
               snippets: bool = True) -> Hits:
        """The best paragraphs for ``query``, best first (see :mod:`search.query` for syntax).

        With ``snippets=False`` hits carry an empty snippet, which saves reading where
        the query's words stand in every paragraph shown. Queries typed without Kazakh
        letters, in Kazakh Latin or with typos are searched as :mod:`search.rewrite`
        says; the hits tell what was searched (:class:`Hits`).
        """
        with self._damage_reported():
            searcher, parsed, hits, positions = self._results(query, limit, lang)
            stored = [searcher.stored_fields(doc) for doc, _ in hits]
            marked = None
            if snippets:
                marked = hits_matched_positions(
                    positions, parsed.terms, [(doc, fields["lang"])
                                              for (doc, _), fields in zip(hits, stored)])
            return Hits([self._hit(fields, score, doc, marked)
                         for (doc, score), fields in zip(hits, stored)],
                        parsed.searched_for, parsed.did_you_mean, parsed.folded)

    def ranked_ids(self, query: str, limit: int = 100, lang: str | None = None) -> list[str]:
        """Just the ``path`` of the best paragraphs, best first: the ranking, nothing else.

        For paragraphs added with :meth:`add_paragraphs` that is their id.
        """
        with self._damage_reported():
            searcher, _, hits, _ = self._results(query, limit, lang)
            return [searcher.stored_fields(doc)["path"] for doc, _ in hits]

    @contextmanager
    def _damage_reported(self):
        # Segments are read lazily: damage inside one shows only when a search reads it.
        try:
            yield
        except Exception as error:
            if not raised_by_damage(error):
                raise
            raise CorruptIndexError(f"the index at {self.path} is damaged "
                                    f"({error.__class__.__name__} reading it); rebuild it "
                                    f"with `izde index --rebuild`") from error

    def _results(self, query: str, limit: int, lang: str | None):
        """(searcher, rewritten query, [(docnum, score)], positions read so far): docnums
        mean something only to that searcher, so stored fields must be read from it,
        not from a newer one."""
        if lang is not None and lang not in LANGUAGES:
            raise IzdeError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
        searcher = self._current_searcher()
        parsed = rewrite_query(query, self._schema, searcher.reader(), _empty_fields(searcher))
        filters = [f for f in (parsed.filter, Term("lang", lang) if lang else None) if f]
        combined = None
        if filters:
            combined = filters[0] if len(filters) == 1 else And(filters)
        positions = HitPositions(searcher)
        if not any(len(terms) > 1 for terms in parsed.words.values()):
            return searcher, parsed, self._ranked(searcher, parsed.query, limit, combined), positions
        # Words standing together rescore the best POOL by BM25 (see search.proximity);
        # whatever the limit, so a longer list starts with the same hits.
        hits = self._ranked(searcher, parsed.query, max(limit, proximity.POOL), combined)
        pool = proximity.rescore(positions, hits[:proximity.POOL], parsed.words)
        return searcher, parsed, (pool + hits[proximity.POOL:])[:limit], positions

    @staticmethod
    def _ranked(searcher, query, limit: int, filter_query) -> list[tuple[int, float]]:
        found = scored_clauses(query)
        if found is None:
            results = searcher.search(query, limit=limit, filter=filter_query)
            return [(result.docnum, result.score) for result in results]
        allowed = filter_documents(searcher, filter_query) if filter_query else None
        terms, phrases = found
        return top_documents(searcher, _WEIGHTING, terms, limit, allowed, phrases)

    def _hit(self, stored: dict, score: float, docnum: int,
             marked: dict[tuple[int, str], set[int]] | None) -> Hit:
        """``marked``: the positions the query matched (search.marked_words), None for
        no snippet."""
        lang = stored["lang"]
        if marked is not None:
            spans = matched_spans(stored["text"], {f: marked.get((docnum, f))
                                                   for f in snippet_fields(lang)}, self._schema)
            snippet = snippet_of_spans(stored["text"], spans,
                                       self._schema[text_field(lang)].analyzer.items[0])
        else:
            snippet = Snippet(())
        return Hit(stored["path"], stored["paragraph"], lang, score, stored["text"], snippet,
                   stored.get("page"), stored.get("title"))

    def stats(self) -> IndexStats:
        manifest = Manifest.load(self.path) if self.exists else None
        if manifest is None:
            raise IndexNotFoundError(f"no index at {self.path}; build it with `izde index`")
        searcher = self._current_searcher()
        languages = {lang: searcher.doc_frequency("lang", lang) for lang in LANGUAGES}
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        return IndexStats(len(manifest.files), searcher.doc_count(), languages, size)
