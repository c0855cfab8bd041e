"""Index health: does the index still describe the files on disk, and do its parts agree?

``check_index`` compares three things and lists every disagreement (drift):

- the files on disk against the manifest: changed (by content hash, after a
  stat says they may have) or removed since indexing, and new files under the
  folders that were indexed;
- the manifest against the index: files one has and the other lacks, and
  paragraph counts that differ;
- the manifest's commit against the index's: an update killed between its
  commit and its manifest (the next ``izde index`` finishes it).

Nothing is written: a check is safe while another process updates the index.

    from search import Index
    report = Index("index").check()
    report.healthy, report.summary()
"""

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from search.errors import IndexNotFoundError
from search.ingest.indexer import discover_files, paragraphs_by_path
from search.ingest.manifest import PENDING_NAME, Manifest
from search.storage.index_files import segment_damage


@dataclass
class ParagraphMismatch:
    path: str
    manifest: int
    index: int


@dataclass
class HealthReport:
    files: int = 0
    paragraphs: int = 0
    changed_on_disk: list[str] = field(default_factory=list)
    removed_from_disk: list[str] = field(default_factory=list)
    new_on_disk: list[str] = field(default_factory=list)
    missing_from_index: list[str] = field(default_factory=list)  # in the manifest only
    missing_from_manifest: list[str] = field(default_factory=list)  # in the index only
    paragraph_mismatches: list[ParagraphMismatch] = field(default_factory=list)
    unfinished_update: bool = False
    damaged_segments: list[str] = field(default_factory=list)  # missing, resized or changed files

    PROBLEMS = ("changed_on_disk", "removed_from_disk", "new_on_disk", "missing_from_index",
                "missing_from_manifest", "paragraph_mismatches", "damaged_segments")

    @property
    def drift(self) -> int:
        return sum(len(getattr(self, name)) for name in self.PROBLEMS) + self.unfinished_update

    @property
    def healthy(self) -> bool:
        return self.drift == 0

    def summary(self) -> str:
        if self.damaged_segments:
            return (f"damaged: {len(self.damaged_segments):,} segment file(s); rebuild it with "
                    f"`izde index --rebuild`")
        if self.healthy:
            return f"healthy: {self.files:,} files, {self.paragraphs:,} paragraphs"
        return (f"drift: {self.drift:,} problem(s) in {self.files:,} files; "
                f"run `izde index` to bring the index up to date")

    def as_dict(self) -> dict:
        return {"healthy": self.healthy, "files": self.files, "paragraphs": self.paragraphs,
                **{name: [asdict(m) if isinstance(m, ParagraphMismatch) else m
                          for m in getattr(self, name)] for name in self.PROBLEMS},
                "unfinished_update": self.unfinished_update}


def check_index(path: Path, ix, deep: bool = False) -> HealthReport:
    """Compare the index in folder ``path`` (opened as ``ix``) with its manifest and
    the files on disk; ``deep`` reads every segment file to compare its checksum."""
    manifest = Manifest.load(path)
    if manifest is None:
        raise IndexNotFoundError(f"no index at {path}; build it with `izde index`")
    generation = ix.latest_generation()
    pending = Manifest.load(path, PENDING_NAME)
    report = HealthReport()
    report.damaged_segments = segment_damage(path, ix, deep)
    if report.damaged_segments:
        return report  # reading the segments below could only fail
    if pending is not None and pending.generation == generation:
        manifest, report.unfinished_update = pending, True  # the index already holds it
    with ix.reader() as reader:
        indexed = paragraphs_by_path(reader)
    report.files, report.paragraphs = len(manifest.files), sum(indexed.values())

    for name, entry in sorted(manifest.files.items()):
        path = Path(name)
        try:
            stat = path.stat()
        except FileNotFoundError:
            report.removed_from_disk.append(name)
        except OSError:
            report.changed_on_disk.append(name)  # can no longer be read as it was
        else:
            if (stat.st_size, stat.st_mtime_ns) != (entry.size, entry.mtime_ns) \
                    and _sha256(path) != entry.sha256:
                report.changed_on_disk.append(name)
        if name not in indexed:
            report.missing_from_index.append(name)
        elif indexed[name] != entry.paragraphs:
            report.paragraph_mismatches.append(
                ParagraphMismatch(name, entry.paragraphs, indexed[name]))
    # Paragraphs added as records are in the index only, by design.
    report.missing_from_manifest = sorted(set(indexed) - set(manifest.files) - manifest.records)

    roots = [root for root in manifest.roots if Path(root).exists()]
    if roots:
        files, _, _ = discover_files(roots, manifest.globs)
        known = manifest.files.keys() | manifest.skipped.keys()
        report.new_on_disk = sorted(str(f) for f in files if str(f) not in known)
    return report


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()

