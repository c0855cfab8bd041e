"""The manifest: which files the index holds, so reindexing touches only what changed.

Stored as JSON inside the index directory and bound to the Whoosh commit it
describes by that commit's generation number. A writer saves the next manifest
as ``izde-manifest.pending.json`` *before* committing and renames it into place
after; a process killed between the two leaves a pending manifest whose
generation either matches the index (the commit happened: promote it) or does
not (the commit never happened: drop it). :func:`recover` makes that decision,
and only a process holding the index's write lock may call it.
"""

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from search.errors import CorruptIndexError

MANIFEST_NAME = "izde-manifest.json"
PENDING_NAME = "izde-manifest.pending.json"

# A generation no Whoosh commit has: the manifest predates generation tracking,
# so it must be checked against the index before it is trusted.
UNKNOWN_GENERATION = -1


@dataclass
class FileEntry:
    size: int
    mtime_ns: int
    sha256: str
    paragraphs: int

    def mark_stale(self) -> None:
        """Force the next update to re-read and reindex this file (no stat matches -1)."""
        self.size, self.mtime_ns, self.sha256 = -1, -1, ""


@dataclass
class SkippedFile:
    """A file that could not be indexed, remembered so ``izde check`` does not call it new
    and, when the reason lies in its content, so an update need not read it again."""
    size: int
    mtime_ns: int
    reason: str
    by_content: bool  # binary, unknown encoding, no text: holds while the file is unchanged


@dataclass
class Manifest:
    schema_version: int
    files: dict[str, FileEntry]
    generation: int = UNKNOWN_GENERATION  # the Whoosh commit this manifest describes
    roots: list[str] = field(default_factory=list)  # folders and files given to `izde index`
    skipped: dict[str, SkippedFile] = field(default_factory=dict)
    # Paragraphs added as records (Index.add_paragraphs): their ids, which no file update touches.
    records: set[str] = field(default_factory=set)
    globs: list[str] = field(default_factory=list)  # --glob patterns of the last update

    @classmethod
    def load(cls, index_dir: Path, name: str = MANIFEST_NAME) -> "Manifest | None":
        path = index_dir / name
        if not path.exists():
            return None
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            files = {name: FileEntry(**entry) for name, entry in raw["files"].items()}
            skipped = {name: SkippedFile(**entry)
                       for name, entry in raw.get("skipped", {}).items()}
            manifest = cls(int(raw["schema_version"]), files,
                           int(raw.get("generation", UNKNOWN_GENERATION)),
                           list(raw.get("roots", [])), skipped, set(raw.get("records", [])),
                           list(raw.get("globs", [])))
            _check_types(manifest)
            return manifest
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise CorruptIndexError(f"{path} is damaged ({error}); rebuild with "
                                    f"`izde index --rebuild`") from None

    def save(self, index_dir: Path, name: str = MANIFEST_NAME) -> None:
        path = index_dir / name
        temporary = path.with_name(path.name + ".tmp")
        payload = {"schema_version": self.schema_version, "generation": self.generation,
                   "roots": sorted(set(self.roots)),
                   "records": sorted(self.records),
                   "globs": self.globs,
                   "skipped": {name: asdict(entry) for name, entry in sorted(self.skipped.items())},
                   "files": {name: asdict(entry) for name, entry in sorted(self.files.items())}}
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(payload, out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)

    def save_pending(self, index_dir: Path, generation: int) -> None:
        """Write the manifest of the commit about to happen (see :func:`promote_pending`)."""
        self.generation = generation
        self.save(index_dir, PENDING_NAME)

    @staticmethod
    def promote_pending(index_dir: Path) -> None:
        """The commit happened: the pending manifest becomes the manifest."""
        os.replace(index_dir / PENDING_NAME, index_dir / MANIFEST_NAME)

    @staticmethod
    def discard_pending(index_dir: Path) -> None:
        (index_dir / PENDING_NAME).unlink(missing_ok=True)


def _check_types(manifest: Manifest) -> None:
    """Raise TypeError where valid JSON holds values of the wrong type (an edited manifest)."""
    for entry in manifest.files.values():
        if not (all(isinstance(v, int) for v in (entry.size, entry.mtime_ns, entry.paragraphs))
                and isinstance(entry.sha256, str)):
            raise TypeError(f"a file entry is not sizes, a hash and a count: {entry}")
    for entry in manifest.skipped.values():
        if not (isinstance(entry.size, int) and isinstance(entry.mtime_ns, int)
                and isinstance(entry.reason, str)):
            raise TypeError(f"a skipped entry is not sizes and a reason: {entry}")
    if not all(isinstance(root, str) for root in manifest.roots) or \
            not all(isinstance(record, str) for record in manifest.records):
        raise TypeError("roots and records must be lists of text")
    if not all(isinstance(glob, str) for glob in manifest.globs):
        raise TypeError("globs must be a list of text")


def recover(index_dir: Path, generation: int) -> Manifest | None:
    """The manifest of the index's current commit ``generation``, finishing a killed update.

    Call only while holding the write lock: another writer's pending manifest
    is not debris.
    """
    pending = Manifest.load(index_dir, PENDING_NAME)
    if pending is not None:
        if pending.generation == generation:
            Manifest.promote_pending(index_dir)  # killed after the commit, before the rename
        else:
            Manifest.discard_pending(index_dir)  # killed before the commit: nothing happened
    return Manifest.load(index_dir)
