"""The engines the benchmark compares: Izde, stock Whoosh and tantivy.

All three index the same paragraphs (Izde's paragraph splitting and language
detection run for every engine, so that cost is on every side) and answer the
same :class:`QuerySpec` queries, each in its own syntax, and every engine
returns what Izde's ``Index.search`` returns: the top 10 with stored fields and
a highlighted passage. The references are
what a user would get without Izde: Whoosh's ``StemmingAnalyzer`` on one text
field in one process, and tantivy's default tokenizer on its multithreaded
writer.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from search.ingest.formats import read_blocks
from search.ingest.indexer import documents_of
from search.ingest.paragraphs import document_paragraphs

TANTIVY_MISSING = "tantivy not installed (pip install izde[bench])"


@dataclass(frozen=True)
class QuerySpec:
    """One benchmark query: plain words, an optional phrase, an optional language filter."""
    words: tuple[str, ...]
    phrase: tuple[str, ...] = ()
    lang: str | None = None

    def izde(self) -> str:
        """The query in Izde's syntax (also what a user types): ``су "өрт сөндіру" lang:kk``."""
        parts = list(self.words)
        if self.phrase:
            parts.append('"' + " ".join(self.phrase) + '"')
        if self.lang:
            parts.append(f"lang:{self.lang}")
        return " ".join(parts)

    def terms(self) -> str:
        """Words and phrase without the filter, in Whoosh's and tantivy's common syntax."""
        parts = list(self.words)
        if self.phrase:
            parts.append('"' + " ".join(self.phrase) + '"')
        return " ".join(parts)


def file_documents(path: Path) -> list[dict]:
    """The paragraphs of one file as Izde indexes them."""
    return list(documents_of(path, document_paragraphs(read_blocks(path.read_bytes(), path))))


def _add_files(add: Callable, writer, files: list[Path], progress: Callable | None) -> int:
    """Every file's paragraphs through ``add(writer, path)``; how many were added."""
    count = 0
    for done, path in enumerate(files, start=1):
        count += add(writer, path)
        if progress:
            progress(done, len(files), str(path))
    return count


class IzdeEngine:
    name = "izde"

    def __init__(self, folder: Path, procs: int = 1, limitmb: int = 128):
        from search import Index
        self.folder = folder
        self.procs, self.limitmb = procs, limitmb
        self.index = Index(folder)

    def build(self, corpus: Path, files: list[Path], progress: Callable | None = None) -> int:
        report = self.index.update([corpus], progress=progress, rebuild=True,
                                   procs=self.procs, limitmb=self.limitmb)
        return report.paragraphs_added

    def update(self, corpus: Path, changed: list[Path]) -> None:
        # One process: starting sub-writers costs more than analyzing 1% of the files.
        self.index.update([corpus], limitmb=self.limitmb)

    def reopen(self) -> None:
        from search import Index
        self.index.close()
        self.index = Index(self.folder)

    def search(self, query: QuerySpec, limit: int) -> int:
        return len(self.index.search(query.izde(), limit=limit))

    def close(self) -> None:
        self.index.close()


class WhooshEngine:
    """Stock Whoosh: ``StemmingAnalyzer``, one text field, one process, default writer."""
    name = "whoosh"

    def __init__(self, folder: Path):
        from whoosh import fields
        from whoosh.analysis import StemmingAnalyzer
        self.folder = folder
        self.schema = fields.Schema(
            path=fields.ID(stored=True), lang=fields.ID(stored=True),
            paragraph=fields.STORED(),
            text=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True, phrase=True))
        self.ix = self.searcher = None

    def build(self, corpus: Path, files: list[Path], progress: Callable | None = None) -> int:
        from whoosh import index
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        self.ix = index.create_in(str(self.folder), self.schema)
        writer = self.ix.writer()
        count = _add_files(self._add, writer, files, progress)
        writer.commit()
        return count

    @staticmethod
    def _add(writer, path: Path) -> int:
        documents = file_documents(path)
        for d in documents:
            writer.add_document(path=d["path"], lang=d["lang"], paragraph=d["paragraph"],
                                text=d["text"])
        return len(documents)

    def update(self, corpus: Path, changed: list[Path]) -> None:
        writer = self.ix.writer()
        for path in changed:
            writer.delete_by_term("path", str(path))
            self._add(writer, path)
        writer.commit()

    def reopen(self) -> None:
        from whoosh import index, qparser
        self.close()
        self.ix = index.open_dir(str(self.folder))
        self.searcher = self.ix.searcher()
        self.parser = qparser.QueryParser("text", self.ix.schema, group=qparser.OrGroup)

    def search(self, query: QuerySpec, limit: int) -> int:
        from whoosh.query import Term
        parsed = self.parser.parse(query.terms())
        filter_ = Term("lang", query.lang) if query.lang else None
        results = self.searcher.search(parsed, limit=limit, filter=filter_)
        # Stored fields and a highlighted passage per hit, as Izde's Index.search returns.
        return len([(hit.fields(), hit.highlights("text")) for hit in results])

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
            self.searcher = None
        if self.ix is not None:
            self.ix.close()
            self.ix = None


class TantivyEngine:
    """tantivy with its default tokenizer (split on non-alphanumerics, lowercase)."""
    name = "tantivy"

    def __init__(self, folder: Path, threads: int = 1, heap_mb: int = 256):
        import tantivy  # optional: pip install izde[bench]
        self.tantivy = tantivy
        self.folder = folder
        self.threads, self.heap_mb = threads, heap_mb
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("text", stored=True)
        builder.add_text_field("path", stored=True, tokenizer_name="raw")
        builder.add_text_field("lang", stored=True, tokenizer_name="raw")
        builder.add_integer_field("paragraph", stored=True)
        self.schema = builder.build()
        self.index = self.searcher = None

    def _writer(self):
        return self.index.writer(self.heap_mb * 1024 * 1024, self.threads)

    def build(self, corpus: Path, files: list[Path], progress: Callable | None = None) -> int:
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        self.index = self.tantivy.Index(self.schema, path=str(self.folder))
        writer = self._writer()
        count = _add_files(self._add, writer, files, progress)
        writer.commit()
        writer.wait_merging_threads()
        return count

    def _add(self, writer, path: Path) -> int:
        documents = file_documents(path)
        for d in documents:
            writer.add_document(self.tantivy.Document(
                path=d["path"], lang=d["lang"], paragraph=d["paragraph"], text=d["text"]))
        return len(documents)

    def update(self, corpus: Path, changed: list[Path]) -> None:
        writer = self._writer()
        for path in changed:
            writer.delete_documents("path", str(path))
            self._add(writer, path)
        writer.commit()
        writer.wait_merging_threads()

    def reopen(self) -> None:
        self.index = self.tantivy.Index.open(str(self.folder))
        self.searcher = self.index.searcher()

    def search(self, query: QuerySpec, limit: int) -> int:
        text = query.terms()
        if query.lang:
            text = f"({text}) AND lang:{query.lang}"
        parsed = self.index.parse_query(text, ["text"])
        hits = self.searcher.search(parsed, limit).hits
        # Stored fields and a highlighted passage per hit, as Izde's Index.search returns.
        snippets = self.tantivy.SnippetGenerator.create(self.searcher, parsed, self.schema, "text")
        return len([snippets.snippet_from_doc(self.searcher.doc(address)).to_html()
                    for _score, address in hits])

    def close(self) -> None:
        self.searcher = self.index = None


def tantivy_available() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def make_engine(name: str, folder: Path, procs: int, limitmb: int):
    if name == "izde":
        return IzdeEngine(folder, procs=procs, limitmb=limitmb)
    if name == "whoosh":
        return WhooshEngine(folder)
    if name == "tantivy":
        return TantivyEngine(folder, threads=procs)
    raise ValueError(f"unknown engine {name!r}")


def engine_names(names: Iterable[str]) -> list[str]:
    return [n for n in ("izde", "whoosh", "tantivy") if n in set(names)]
