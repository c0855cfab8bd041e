"""Bringing the index up to date with files on disk: new, changed and deleted files.

A file is re-read only when its size or modification time changed, and
reindexed only when its content hash changed. Every change goes into one Whoosh
commit; the manifest is written after it. A commit is atomic, so an interrupted
update leaves the previous state searchable, and because a file's old
paragraphs are always deleted before its new ones are added, rerunning after
an interruption never duplicates anything.
"""

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from whoosh.index import LockError

from analyzers import detect_language
from search.errors import IndexLockedError, PathNotFoundError, UnreadableFileError
from search.manifest import FileEntry, Manifest
from search.paragraphs import content_paragraphs
from search.reading import DEFAULT_MAX_BYTES, decode
from search.schema import text_field

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})

Progress = Callable[[int, int, str], None]


@dataclass
class UpdateReport:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    paragraphs_added: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{self.added:,} added, {self.changed:,} changed, {self.removed:,} removed, "
                f"{self.unchanged:,} unchanged, {len(self.skipped):,} skipped "
                f"({self.paragraphs_added:,} paragraphs indexed in {self.seconds:.1f} s)")

    def as_dict(self) -> dict:
        return {"added": self.added, "changed": self.changed, "removed": self.removed,
                "unchanged": self.unchanged, "paragraphs_added": self.paragraphs_added,
                "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
                "seconds": round(self.seconds, 3)}


def discover_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path], list[tuple[str, str]]]:
    """(files to index, the roots they came from, problems) for files and folders given.

    Folders are walked recursively for text files, skipping hidden entries; a file
    named explicitly is taken whatever its extension.
    """
    files: dict[Path, None] = {}
    roots: list[Path] = []
    problems: list[tuple[str, str]] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            if path.is_symlink():
                problems.append((str(path), "broken symbolic link"))
                continue
            raise PathNotFoundError(f"{given}: no such file or folder")
        resolved = path.resolve()
        roots.append(resolved)
        if resolved.is_file():
            files[resolved] = None
            continue
        for folder, dirnames, filenames in os.walk(resolved):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                candidate = Path(folder, name)
                if Path(name).suffix.lower() not in TEXT_SUFFIXES:
                    continue
                if not candidate.exists():
                    problems.append((str(candidate), "broken symbolic link"))
                    continue
                files[candidate.resolve()] = None
    return list(files), roots, problems


def _under(path: str, roots: list[Path]) -> bool:
    return any(Path(path) == root or root in Path(path).parents for root in roots)


def documents_for(path: Path, text: str):
    """The Whoosh documents (one per content paragraph) of one file."""
    file_lang = detect_language(text)
    for paragraph in content_paragraphs(text):
        lang = detect_language(paragraph.text, default=file_lang)
        yield {
            "path": str(path), "file": path.name, "paragraph": paragraph.number,
            "lang": lang, "text": paragraph.text, text_field(lang): paragraph.text,
        }


def update_index(ix, manifest: Manifest, paths: Iterable[str | Path],
                 progress: Progress | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                 timeout: float = 0.0, procs: int = 1, limitmb: int = 128) -> UpdateReport:
    """Index new and changed files under ``paths`` and drop deleted ones; updates ``manifest``.

    ``procs`` > 1 analyzes paragraphs in that many processes (Whoosh's
    multiprocessing writer), still in one atomic commit; ``limitmb`` is each
    writer's memory budget before it spills a sorted run to disk.
    """
    started = time.perf_counter()
    report = UpdateReport()
    files, roots, problems = discover_files(paths)
    report.skipped.extend(problems)
    found = {str(path) for path in files}
    gone = [name for name in manifest.files if name not in found and _under(name, roots)]

    try:
        writer = ix.writer(timeout=timeout, procs=procs, limitmb=limitmb, **({"multisegment": True} if procs > 1 else {}))
    except LockError:
        raise IndexLockedError(f"{ix.storage.folder}: the index is being updated by another "
                               f"process; try again when it finishes") from None
    try:
        for name in gone:
            writer.delete_by_term("path", name)
            del manifest.files[name]
            report.removed += 1
        for done, path in enumerate(files, start=1):
            if progress:
                progress(done, len(files), str(path))
            _index_file(writer, manifest, path, report, max_bytes)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    report.seconds = time.perf_counter() - started
    return report


def _index_file(writer, manifest: Manifest, path: Path, report: UpdateReport,
                max_bytes: int) -> None:
    name = str(path)
    known = manifest.files.get(name)
    try:
        stat = path.stat()
        if known and known.size == stat.st_size and known.mtime_ns == stat.st_mtime_ns:
            report.unchanged += 1
            return
        if stat.st_size == 0:
            raise UnreadableFileError(f"{path}: skipped, the file is empty")
        if stat.st_size > max_bytes:
            raise UnreadableFileError(f"{path}: skipped, {stat.st_size:,} bytes is over the "
                                      f"{max_bytes:,}-byte limit")
        data = path.read_bytes()
    except UnreadableFileError as error:
        _skip(writer, manifest, name, known, report, str(error))
        return
    except OSError as error:
        report.skipped.append((name, f"cannot read ({error.strerror or error})"))
        return
    digest = hashlib.sha256(data).hexdigest()
    if known and known.sha256 == digest:
        known.size, known.mtime_ns = stat.st_size, stat.st_mtime_ns
        report.unchanged += 1
        return
    try:
        text = decode(data, path)
    except UnreadableFileError as error:
        _skip(writer, manifest, name, known, report, str(error))
        return
    documents = list(documents_for(path, text))
    if not documents:
        _skip(writer, manifest, name, known, report,
              f"{path}: skipped, no text paragraphs in it")
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


def _skip(writer, manifest, name, known, report, reason) -> None:
    # A file that became empty or binary no longer holds what was indexed from it.
    report.skipped.append((name, reason.split(": ", 1)[-1]))
    if known:
        writer.delete_by_term("path", name)
        del manifest.files[name]
        report.removed += 1
