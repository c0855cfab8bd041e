"""Bringing the index up to date with files on disk: new, changed and deleted files.

A file is re-read only when its size or modification time changed, and
reindexed only when its content hash changed. Every change goes into one Whoosh
commit, and the manifest describing it is bound to that commit (see
:mod:`search.ingest.manifest`). A commit is atomic, so an interrupted update leaves the
previous state searchable, and because a file's old paragraphs are always
deleted before its new ones are added, rerunning after an interruption never
duplicates anything. A renamed file is a removed file plus an added one.
"""

import hashlib
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from analyzers import detect_language, sample_language
from search.errors import PathNotFoundError, UnreadableFileError
from search.ingest.long_paragraphs import MAX_PARAGRAPH_CHARS, pieces
from search.ingest.manifest import FileEntry, Manifest, SkippedFile
from search.ingest.ignore_rules import IgnoreRules
from search.ingest.formats import READABLE_SUFFIXES, MissingReaderError, read_blocks
from search.ingest.paragraphs import Paragraph, content_paragraphs, document_paragraphs
from search.ingest.reading import DEFAULT_MAX_BYTES
from search.storage.schema import EXACT_FIELD, language_fields

TEXT_SUFFIXES = READABLE_SUFFIXES  # every suffix a reader in search.ingest.formats knows

Progress = Callable[[int, int, str], None]


@dataclass
class UpdateReport:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    paragraphs_added: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    repaired: int = 0  # manifest entries corrected against the index after a crash
    seconds: float = 0.0
    unread: Counter = field(default_factory=Counter)  # suffix -> files of types Izde does not read
    embedded: int = 0  # paragraphs embedded (semantic indexes; search.semantic.sync)
    embed_seconds: float = 0.0
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (path, what was done) indexed anyway

    def absorb(self, other: "UpdateReport") -> None:
        """Add ``other``'s counts to this report (two passes of one update)."""
        for name in ("added", "changed", "removed", "unchanged", "paragraphs_added", "repaired"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped.extend(other.skipped)
        self.unread.update(other.unread)
        self.warnings.extend(other.warnings)
        self.seconds += other.seconds

    def skipped_summary(self) -> str:
        """``12 skipped: 7 .xlsx, 5 .pptx`` (files of types not read, then files with a warning)."""
        total = len(self.skipped) + sum(self.unread.values())
        parts = [f"{count:,} {suffix}" for suffix, count in
                 sorted(self.unread.items(), key=lambda item: (-item[1], item[0]))]
        if parts and self.skipped:
            parts.append(f"{len(self.skipped):,} with a warning")
        return f"{total:,} skipped" + (": " + ", ".join(parts) if parts else "")

    def summary(self) -> str:
        repaired = f", {self.repaired:,} repaired" if self.repaired else ""
        embedded = (f", {self.embedded:,} embedded in {self.embed_seconds:.1f} s"
                    if self.embedded else "")
        return (f"{self.added:,} added, {self.changed:,} changed, {self.removed:,} removed, "
                f"{self.unchanged:,} unchanged, {self.skipped_summary()}{repaired} "
                f"({self.paragraphs_added:,} {_paragraphs(self.paragraphs_added)} indexed in "
                f"{self.seconds:.1f} s"
                f"{embedded})")

    def as_dict(self) -> dict:
        return {"added": self.added, "changed": self.changed, "removed": self.removed,
                "unchanged": self.unchanged, "paragraphs_added": self.paragraphs_added,
                "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
                "unread": dict(sorted(self.unread.items())),
                "repaired": self.repaired, "seconds": round(self.seconds, 3),
                "embedded": self.embedded, "embed_seconds": round(self.embed_seconds, 3),
                "warnings": [{"path": p, "warning": w} for p, w in self.warnings]}
def _paragraphs(count: int) -> str:
    return "paragraph" if count == 1 else "paragraphs"


def discover_files(paths: Iterable[str | Path], globs: Iterable[str] = (),
                   unread: Counter | None = None, follow: bool = False
                   ) -> tuple[list[Path], list[Path], list[tuple[str, str]]]:
    """(files to index, the roots they came from, problems) for files and folders given.

    Folders are walked recursively for the file types Izde reads, skipping hidden
    entries and what ignore files and ``globs`` leave out (:mod:`search.ingest.ignore_rules`);
    other files are counted by suffix in ``unread`` when given. A file named
    explicitly is taken whatever its name. A symbolic link found while walking
    whose target lies outside the roots given is skipped with a warning unless
    ``follow`` (ripgrep's ``-L``), which also walks links to folders. Names that are
    not valid UTF-8 and paths the system cannot open are problems, never a crash
    nor a silent skip.
    """
    globs = list(globs)
    files: dict[Path, None] = {}
    roots: list[Path] = []
    problems: list[tuple[str, str]] = []
    for path in (Path(given) for given in paths):
        if not path.exists():
            if path.is_symlink():
                problems.append((shown_path(path), "broken symbolic link"))
                continue
            raise PathNotFoundError(f"{shown_path(path)}: no such file or folder")
        roots.append(path.resolve())
    for resolved in roots:
        if resolved.is_file():
            files[resolved] = None
            continue
        rules = IgnoreRules(resolved, globs)
        seen_folders = {resolved}
        for folder, dirnames, filenames in os.walk(resolved, followlinks=follow,
                                                   onerror=_walk_problem(problems)):
            here = Path(folder)
            rules.enter(here)
            dirnames[:] = sorted(d for d in dirnames
                                 if not rules.skips(here / d, is_dir=True)
                                 and _new_folder(here / d, seen_folders, follow))
            for name in sorted(filenames):
                candidate = here / name
                if rules.skips(candidate):
                    continue
                suffix = candidate.suffix.lower()
                if suffix not in TEXT_SUFFIXES:
                    if unread is not None:
                        unread[suffix or "(no extension)"] += 1
                    continue
                problem = _unusable(candidate, roots, follow)
                if problem:
                    problems.append((shown_path(candidate), problem))
                    continue
                files[candidate.resolve()] = None
    return list(files), roots, problems


def shown_path(path: str | Path) -> str:
    """``path`` as text that can be printed and stored: bytes that are not UTF-8 shown as �."""
    return os.fsencode(path).decode("utf-8", errors="replace")


def _walk_problem(problems: list[tuple[str, str]]):
    def record(error: OSError) -> None:
        problems.append((shown_path(error.filename or "?"),
                         f"cannot read the folder ({error.strerror or error})"))
    return record


def _new_folder(folder: Path, seen: set[Path], follow: bool) -> bool:
    """Whether to walk ``folder``: with ``follow``, a linked folder once (links can loop)."""
    if not follow or not folder.is_symlink():
        return True
    target = folder.resolve()
    if target in seen:
        return False
    seen.add(target)
    return True


def _unusable(candidate: Path, roots: list[Path], follow: bool) -> str | None:
    """Why a file found while walking cannot be indexed, or None."""
    try:
        os.fsencode(candidate).decode("utf-8")
    except UnicodeDecodeError:
        return "its name is not valid UTF-8; rename it to index it"
    try:
        candidate.stat()
    except FileNotFoundError:
        return "broken symbolic link" if candidate.is_symlink() else "vanished while reading"
    except OSError as error:
        return f"cannot read ({error.strerror or error})"
    if candidate.is_symlink() and not follow:
        target = candidate.resolve()
        if not _under(str(target), roots):
            return (f"symbolic link to {shown_path(target)}, outside the folders indexed; "
                    f"pass --follow to index it")
    return None


def _under(path: str, roots: list[Path]) -> bool:
    return any(Path(path) == root or root in Path(path).parents for root in roots)


def documents_for(path: Path, text: str):
    """The Whoosh documents (one per content paragraph) of one file's text."""
    return documents_of(path, content_paragraphs(text))


def documents_of(path: Path, paragraphs: list[Paragraph]):
    """The Whoosh documents of a file's paragraphs, with their titles, pages and lines."""
    # The language of the first 50 paragraphs together, their words found once for it
    # and for each paragraph's own detection (analyzers.detect.sample_language).
    evidence = {}
    file_lang = sample_language([p.text for p in paragraphs[:50]], MAX_PARAGRAPH_CHARS * 10,
                                evidence)
    for paragraph in paragraphs:
        for piece in pieces(paragraph.text):  # a 50 MB line is not one paragraph to show
            lang = detect_language(piece, default=file_lang, evidence=evidence)
            document = {
                "path": str(path), "file": path.name, "paragraph": paragraph.number,
                "line": paragraph.line, "lang": lang, "text": piece, EXACT_FIELD: piece,
                **language_fields(lang, piece, paragraph.title),
            }
            if paragraph.title:
                document["title"] = paragraph.title
            if paragraph.page is not None:
                document["page"] = paragraph.page
            yield document


def document_for_record(record: dict) -> dict:
    """The Whoosh document of one paragraph given as a record ``{"id", "text"}``.

    The id is kept as the document's ``path`` (and its ``file`` name, for
    ``file:`` filters); the language is detected from the text as for files.
    A ``title``, if the record has one, is searched in its own field.
    """
    text = record["text"]
    lang = detect_language(text)
    doc_id = str(record["id"])
    document = {"path": doc_id, "file": doc_id, "paragraph": 1, "lang": lang, "text": text,
                EXACT_FIELD: text, **language_fields(lang, text, record.get("title"))}
    if record.get("title"):
        document["title"] = record["title"]
    return document


def add_records(writer, manifest: Manifest, records: Iterable[dict],
                progress: Progress | None = None) -> int:
    """Add (or replace, by id) paragraphs that are not files; returns how many were added."""
    records = list(records)
    for done, record in enumerate(records, start=1):
        document = document_for_record(record)
        writer.delete_by_term("path", document["path"])
        writer.add_document(**document)
        manifest.records.add(document["path"])
        if progress:
            progress(done, len(records), document["path"])
    return len(records)


def stored_records(reader, ids: set[str]) -> list[dict]:
    """The records ``ids`` as stored in the index, to analyze them again."""
    return [{"id": fields["path"], "text": fields["text"], "title": fields.get("title")}
            for fields in reader.all_stored_fields() if fields["path"] in ids]


def paragraphs_by_path(reader) -> Counter:
    """How many paragraphs the index holds for each path (deleted documents excluded)."""
    return Counter(fields["path"] for fields in reader.all_stored_fields())


def reconcile(manifest: Manifest, indexed: Counter) -> int:
    """Make ``manifest`` agree with what the index holds; returns how many entries changed.

    A file the index holds but the manifest does not know (or knows with another
    paragraph count) is marked stale: the next update re-reads it and, deleting
    before adding, replaces its paragraphs instead of duplicating them; if it is
    gone from disk, the update removes it.
    """
    repaired = 0
    for name, count in indexed.items():
        if name in manifest.records:
            continue  # a record, not a file
        entry = manifest.files.get(name)
        if entry is None:
            entry = manifest.files[name] = FileEntry(0, 0, "", count)
            entry.mark_stale()
            repaired += 1
        elif entry.paragraphs != count:
            entry.mark_stale()
            repaired += 1
    for name, entry in manifest.files.items():
        if name not in indexed:
            entry.mark_stale()  # in the manifest, not in the index: index it again
            repaired += 1
    return repaired


def update_index(writer, manifest: Manifest, paths: Iterable[str | Path],
                 progress: Progress | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, globs: Iterable[str] | None = None,
                 only: Callable[[Path], bool] | None = None,
                 follow: bool = False) -> UpdateReport:
    """Index new and changed files under ``paths`` and drop deleted ones into ``writer``.

    ``globs`` (``--glob``) include or exclude files in folders; None keeps the
    manifest's, from the last update. ``only``, when given, picks the files this
    index holds among those found (a shard's, :mod:`search.cluster.layout`): the
    others are neither added nor removed. Updates ``manifest`` to match; the caller
    commits the writer and saves the manifest.
    """
    started = time.perf_counter()
    report = UpdateReport()
    if globs is not None:
        manifest.globs = list(globs)
    files, roots, problems = discover_files(paths, manifest.globs, report.unread, follow)
    if only is not None:
        files = [path for path in files if only(path)]
    report.skipped.extend(problems)
    manifest.roots = sorted({*manifest.roots, *map(str, roots)})
    # Files named explicitly before stay, whatever a walk of their folder takes.
    found = {str(path) for path in files} | {root for root in manifest.roots
                                             if Path(root).is_file()}
    gone = [name for name in manifest.files if name not in found and _under(name, roots)]
    for name in gone:
        writer.delete_by_term("path", name)
        del manifest.files[name]
        report.removed += 1
    for name in [n for n in manifest.skipped if n not in found and _under(n, roots)]:
        del manifest.skipped[name]
    for done, path in enumerate(files, start=1):
        if progress:
            progress(done, len(files), str(path))
        _index_file(writer, manifest, path, report, max_bytes)
    report.seconds = time.perf_counter() - started
    return report


def _index_file(writer, manifest: Manifest, path: Path, report: UpdateReport,
                max_bytes: int) -> None:
    name = str(path)
    known = manifest.files.get(name)
    try:
        stat = path.stat()
    except OSError as error:
        report.skipped.append((name, f"cannot read ({error.strerror or error})"))
        return
    if known and known.size == stat.st_size and known.mtime_ns == stat.st_mtime_ns:
        report.unchanged += 1
        return
    bad = manifest.skipped.pop(name, None)
    if bad and bad.by_content and (bad.size, bad.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
        _skip(writer, manifest, name, known, report, stat, bad.reason, by_content=True)
        return  # still the same binary or empty file: no need to read it again
    if stat.st_size == 0:
        _skip(writer, manifest, name, known, report, stat, "the file is empty", by_content=True)
        return
    if stat.st_size > max_bytes:
        _skip(writer, manifest, name, known, report, stat,
              f"{stat.st_size:,} bytes is over the {max_bytes:,}-byte limit")
        return
    try:
        data = path.read_bytes()
    except OSError as error:
        _skip(writer, manifest, name, None, report, stat,
              f"cannot read ({error.strerror or error})")
        return
    digest = hashlib.sha256(data).hexdigest()
    if known and known.sha256 == digest:
        known.size, known.mtime_ns = stat.st_size, stat.st_mtime_ns
        report.unchanged += 1
        return
    try:
        paragraphs = document_paragraphs(read_blocks(data, path))
    except UnreadableFileError as error:
        # A missing reader library is not the file's fault: read it again once installed.
        _skip(writer, manifest, name, known, report, stat,
              str(error).removeprefix(f"{path}: skipped, "),
              by_content=not isinstance(error, MissingReaderError))
        return
    replaced = sum(p.text.count("\ufffd") for p in paragraphs) - data.count("\ufffd".encode())
    if replaced > 0:
        report.warnings.append((name, f"{replaced:,} byte(s) not valid UTF-8, replaced with \ufffd"))
    documents = list(documents_of(path, paragraphs))
    if not documents:
        _skip(writer, manifest, name, known, report, stat, "no text paragraphs in it",
              by_content=True)
        return
    # Always delete first: a rerun after an interrupted update must not duplicate.
    writer.delete_by_term("path", name)
    for document in documents:
        writer.add_document(**document)
    manifest.files[name] = FileEntry(stat.st_size, stat.st_mtime_ns, digest, len(documents))
    report.paragraphs_added += len(documents)
    if known:
        report.changed += 1
    else:
        report.added += 1


def _skip(writer, manifest: Manifest, name: str, known: FileEntry | None, report: UpdateReport,
          stat: os.stat_result, reason: str, by_content: bool = False) -> None:
    report.skipped.append((name, reason))
    manifest.skipped[name] = SkippedFile(stat.st_size, stat.st_mtime_ns, reason, by_content)
    if known:
        # A file that became empty or binary no longer holds what was indexed from it.
        writer.delete_by_term("path", name)
        del manifest.files[name]
        report.removed += 1
