"""The library's front door: an on-disk index of paragraphs you update and search.

    >>> from search import Index
    >>> ix = Index("index")
    >>> report = ix.update(["seeds"])
    >>> for hit in ix.search("лесные пожары", limit=3):
    ...     print(hit.path, hit.paragraph, hit.lang, round(hit.score, 2), hit.snippet)
"""

import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from whoosh import index as whoosh_index
from whoosh import scoring
from whoosh.query import And, Term

from analyzers import LANGUAGES, analyzer_for
from search.errors import CorruptIndexError, IndexNotFoundError, IzdeError
from search.indexer import Progress, UpdateReport, update_index
from search.manifest import MANIFEST_NAME, Manifest
from search.query import ParsedQuery, parse_query
from search.reading import DEFAULT_MAX_BYTES
from search.schema import SCHEMA_VERSION, build_schema, text_field
from search.snippets import Snippet, make_snippet

# BM25F: Whoosh's defaults (Lucene's too) until the ranking evaluation says otherwise.
_WEIGHTING = scoring.BM25F(B=0.75, K1=1.2)


@dataclass(frozen=True)
class Hit:
    path: str
    paragraph: int  # 1-based, counting every paragraph of the file
    lang: str
    score: float
    text: str
    highlighted: Snippet

    @property
    def snippet(self) -> str:
        """The best passage with matched words marked as ``**word**``."""
        return self.highlighted.render()

    def as_dict(self) -> dict:
        return {"path": self.path, "paragraph": self.paragraph, "lang": self.lang,
                "score": round(self.score, 4), "snippet": self.snippet,
                "matches": self.highlighted.matches, "text": self.text}


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

    def _open(self):
        if self._ix is not None:
            return self._ix
        if not self.path.exists():
            raise IndexNotFoundError(f"no index at {self.path}; build it with `izde index`")
        manifest = Manifest.load(self.path)
        if manifest is None:
            if self.path.is_dir() and any(self.path.iterdir()):
                raise CorruptIndexError(f"{self.path} is not an Izde index (no {MANIFEST_NAME})")
            raise IndexNotFoundError(f"no index at {self.path}; build it with `izde index`")
        if manifest.schema_version != SCHEMA_VERSION:
            raise CorruptIndexError(f"the index at {self.path} was built by another version of "
                                    f"Izde; rebuild it with `izde index --rebuild`")
        failure = None
        # Whoosh leaves a damaged TOC file open when it fails to read it; the
        # file is closed as the exception goes, so don't warn about it then.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                self._ix = whoosh_index.open_dir(str(self.path), schema=self._schema)
            except Exception as error:  # Whoosh raises many types for a damaged folder
                failure = error.__class__.__name__
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
               wait: float = 0.0, procs: int = 1, limitmb: int = 128) -> UpdateReport:
        """Index new and changed files under ``paths``; drop files deleted from them.

        ``procs`` > 1 analyzes in that many processes (one commit all the same).
        """
        paths = list(paths)
        if rebuild:
            self.close()
            self._remove_index_files()
        if not self.exists:
            self._create()
        manifest = Manifest.load(self.path)
        if manifest.schema_version != SCHEMA_VERSION:
            # Analysis changed: every file must be analyzed again.
            self.close()
            known = list(manifest.files)
            self._remove_index_files()
            self._create()
            manifest = Manifest.load(self.path)
            paths = [*paths, *(p for p in known if Path(p).exists())]
        ix = self._open()
        report = update_index(ix, manifest, paths, progress=progress, max_bytes=max_bytes,
                              timeout=wait, procs=procs, limitmb=limitmb)
        manifest.save(self.path)
        self._close_searcher()  # the next search opens the new state
        return report

    def _create(self) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise CorruptIndexError(f"{self.path} is a file, not an index folder")
        if self.path.exists() and any(self.path.iterdir()) and not self.exists:
            raise CorruptIndexError(f"{self.path} is not empty and is not an Izde index; "
                                    f"choose another --index folder")
        self.path.mkdir(parents=True, exist_ok=True)
        whoosh_index.create_in(str(self.path), self._schema).close()
        Manifest(SCHEMA_VERSION, {}).save(self.path)

    def _remove_index_files(self) -> None:
        # Only what Izde wrote: never a folder that is not an Izde index.
        if not self.path.exists():
            return
        if not self.exists:
            raise CorruptIndexError(f"{self.path} is not an Izde index; refusing to delete it")
        shutil.rmtree(self.path)

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

    def search(self, query: str, limit: int = 10, lang: str | None = None) -> list[Hit]:
        """The best paragraphs for ``query``, best first (see :mod:`search.query` for syntax)."""
        if lang is not None and lang not in LANGUAGES:
            raise IzdeError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
        parsed = self.parse(query)
        searcher = self._current_searcher()
        filters = [f for f in (parsed.filter, Term("lang", lang) if lang else None) if f]
        combined = None
        if filters:
            combined = filters[0] if len(filters) == 1 else And(filters)
        results = searcher.search(parsed.query, limit=limit, filter=combined)
        return [self._hit(result, parsed) for result in results]

    def _hit(self, result, parsed: ParsedQuery) -> Hit:
        stored = result.fields()
        lang = stored["lang"]
        terms = parsed.terms.get(text_field(lang), set())
        snippet = make_snippet(stored["text"], terms, analyzer_for(lang))
        return Hit(stored["path"], stored["paragraph"], lang, result.score, stored["text"], snippet)

    def stats(self) -> IndexStats:
        manifest = Manifest.load(self.path) if self.exists else None
        if manifest is None:
            raise IndexNotFoundError(f"no index at {self.path}; build it with `izde index`")
        searcher = self._current_searcher()
        languages = {lang: searcher.doc_frequency("lang", lang) for lang in LANGUAGES}
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        return IndexStats(len(manifest.files), searcher.doc_count(), languages, size)
