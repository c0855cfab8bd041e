"""One write to an index: changes and manifest committed together, or neither.

Before the caller adds anything, it finishes an earlier update that was killed
(see :mod:`search.ingest.manifest`) and, when the analysis changed since the
index was built, re-analyzes all it holds: files from their folders, records
from their stored text. After, the manifest is saved as pending, the Whoosh
commit lands (atomic), and only then is the pending manifest promoted.
"""

import time
from contextlib import contextmanager
from pathlib import Path

from whoosh.writing import CLEAR

from search.errors import CorruptIndexError
from search.ingest.indexer import (Progress, UpdateReport, add_records, paragraphs_by_path,
                                   reconcile, stored_records, update_index)
from search.ingest.manifest import MANIFEST_NAME, Manifest, recover
from search.ingest.reading import DEFAULT_MAX_BYTES
from search.storage.index_files import record_checksums
from search.storage.schema import SCHEMA_VERSION


@contextmanager
def transaction(path: Path, writer, rebuild: bool = False, progress: Progress | None = None,
                max_bytes: int | None = None):
    """Yields (manifest, report) for ``writer`` (which holds the lock), then commits both.

    ``rebuild`` starts from an empty index in the same single commit, so the old
    index stays searchable until the new one replaces it.
    """
    committed = False
    try:
        manifest = recover(path, writer.generation - 1)
        if manifest is None:
            raise CorruptIndexError(f"{path} lost its {MANIFEST_NAME}; rebuild it with "
                                    f"`izde index --rebuild`")
        report = UpdateReport()
        if manifest.generation != writer.generation - 1 and not rebuild:
            # The manifest does not describe this commit (written by an older
            # Izde, or edited): trust the index and let the update fix the rest.
            with writer.reader() as reader:
                report.repaired = reconcile(manifest, paragraphs_by_path(reader))
        if manifest.schema_version != SCHEMA_VERSION:
            manifest = _reanalyze(writer, manifest, report, progress, max_bytes)
            rebuild = True
        elif rebuild:
            # Only the paths given now; the --glob patterns stay unless new ones are given.
            manifest = Manifest(SCHEMA_VERSION, {}, globs=manifest.globs)
        yield manifest, report
        started = time.perf_counter()
        manifest.save_pending(path, writer.generation)
        # CLEAR drops every old segment in this same commit: a rebuild is atomic.
        writer.commit(mergetype=CLEAR if rebuild else None)
        committed = True
        report.seconds += time.perf_counter() - started
    finally:
        if not committed:
            if not writer.is_closed:
                writer.cancel()
            Manifest.discard_pending(path)
    Manifest.promote_pending(path)
    record_checksums(path, writer)  # what `izde check --deep` compares the segments with


def _reanalyze(writer, old: Manifest, report: UpdateReport, progress: Progress | None,
               max_bytes: int | None) -> Manifest:
    """A fresh manifest whose files and records are indexed again with today's analysis."""
    roots = [root for root in old.roots if Path(root).exists()]
    with writer.reader() as reader:
        records = stored_records(reader, old.records)
    manifest = Manifest(SCHEMA_VERSION, {}, roots=roots, globs=old.globs)
    paths = roots or [p for p in old.files if Path(p).exists()]
    report.absorb(update_index(writer, manifest, paths, progress=progress,
                               max_bytes=max_bytes or DEFAULT_MAX_BYTES))
    add_records(writer, manifest, records, progress=progress)
    return manifest
