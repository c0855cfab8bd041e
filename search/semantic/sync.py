"""Keeping embeddings in step with the paragraphs of one write transaction.

A :class:`TrackingWriter` stands in for the Whoosh writer and notes every
paragraph added and every path deleted, so the index's *live keys* (each
path's paragraphs' content keys) follow the write exactly. Before the Whoosh
commit, the paragraphs whose keys the store lacks are embedded in batches, each
saved as it lands (:meth:`EmbeddingStore.append`): a process killed meanwhile
loses at most one batch and the index keeps its last commit; the next update
re-adds the same paragraphs and finds their embeddings already stored.

The live keys (:mod:`search.semantic.live_keys`) are saved as
``live.pending.npz`` bound to the commit's
generation and promoted after it lands, as the manifest is
(:mod:`search.ingest.manifest`), so the keys a commit deletes are dropped with
it; the store is then compacted when enough of it is dead. ``live.npz`` (or
``live.json``, the first format) is also the index's semantic setting: an index that has it keeps embeddings
through later updates.
"""

import os
import shutil
import time
from pathlib import Path
from typing import Callable

import numpy as np

from search.errors import CorruptIndexError
from search.semantic.embedder import Embedder, content_key, passage_text
from search.semantic.live_keys import LiveKeys, load_live
from search.semantic.setting import LEGACY_LIVE_FILE, LIVE_FILE, store_folder
from search.semantic.store import EmbeddingStore

LIVE_PENDING = "live.pending.npz"
LEGACY_LIVE_PENDING = "live.pending.json"  # what the first format's writer left if killed
BATCH = 32                # paragraphs embedded (and saved) at a time
EMBEDDING_STAGE = "embedding"  # the label progress callbacks get while embedding

Progress = Callable[[int, int, str], None]


class TrackingWriter:
    """The Whoosh writer, noting which paragraphs each path holds after the write."""

    def __init__(self, writer, sync: "EmbeddingSync"):
        self._writer = writer
        self._sync = sync

    def __getattr__(self, name):
        return getattr(self._writer, name)

    def add_document(self, **fields):
        self._writer.add_document(**fields)
        self._sync.added(fields)

    def delete_by_term(self, fieldname, text, searcher=None):
        self._writer.delete_by_term(fieldname, text, searcher=searcher)
        if fieldname == "path":
            self._sync.deleted(text)


class EmbeddingSync:
    """The embedding side of one write transaction (see the module's docstring)."""

    def __init__(self, index_path: Path, embedder: Embedder, progress: Progress | None = None):
        self.folder = store_folder(index_path)
        self.embedder = embedder
        self.progress = progress
        self.store = EmbeddingStore(self.folder)
        self.live = LiveKeys()
        self._texts: dict[int, str] = {}  # keys the store lacks -> the passage to embed
        self._stored = np.empty(0, np.uint64)  # the store's keys when the write began, sorted
        self._embedded: set[int] = set()  # and those embedded since

    def begin(self, writer, clears: bool):
        """The writer to write through; ``clears``: the commit replaces every paragraph."""
        check = getattr(self.embedder, "check", None)
        if check is not None:
            check()  # fail before any indexing when the model cannot run
        generation = writer.generation - 1
        self._promote_pending(generation, clears)
        if clears and self.store.exists and self.store.damage():
            self.store.discard()  # a rebuild re-embeds what a damaged store held
        if self.store.exists:
            self.store.check_embedder(self.embedder.name, self.embedder.dimension)
            self.store.remove_debris()
        else:
            self.store.create(self.embedder.name, self.embedder.dimension)
        self._stored = self.store.keys()
        if not clears:  # a commit replacing every paragraph needs no saved live keys
            saved = load_live(self.folder / LIVE_FILE) or load_live(self.folder / LEGACY_LIVE_FILE)
            if saved is not None and saved[0] == generation:
                self.live = saved[1]
            else:
                # Converting a lexical index, or live keys of another commit: read the index.
                with writer.reader() as reader:
                    for fields in reader.all_stored_fields():
                        self.added(fields)
        return TrackingWriter(writer, self)

    def added(self, fields: dict) -> None:
        passage = passage_text(fields)
        key = content_key(passage)
        self.live.add(fields["path"], key)
        if not self._is_stored(key):
            self._texts[key] = passage

    def deleted(self, path: str) -> None:
        self.live.delete(path)

    def _is_stored(self, key: int) -> bool:
        if key in self._embedded:
            return True
        at = int(np.searchsorted(self._stored, np.uint64(key)))
        return at < len(self._stored) and int(self._stored[at]) == key

    def _promote_pending(self, generation: int, clears: bool) -> None:
        """A commit killed after it landed but before its live keys were promoted
        (``clears``: this commit replaces them anyway, so just drop them)."""
        for pending_name, live_name in ((LIVE_PENDING, LIVE_FILE),
                                        (LEGACY_LIVE_PENDING, LEGACY_LIVE_FILE)):
            pending = self.folder / pending_name
            if not pending.exists():
                continue
            saved = None if clears else load_live(pending)
            if saved is not None and saved[0] == generation:
                os.replace(pending, self.folder / live_name)
                if live_name == LIVE_FILE:
                    (self.folder / LEGACY_LIVE_FILE).unlink(missing_ok=True)
            else:
                pending.unlink()

    def before_commit(self, generation: int) -> tuple[int, float]:
        """Embed what the store lacks, batch by batch; save the live keys as pending.

        Returns (paragraphs embedded, seconds)."""
        live = self.live.changed_keys()  # what this write added that is still live
        todo = [key for key in self._texts if key in live]
        started = time.perf_counter()
        for start in range(0, len(todo), BATCH):
            keys = todo[start:start + BATCH]
            vectors = np.asarray(self.embedder.encode_passages([self._texts[k] for k in keys]),
                                 np.float32)
            if vectors.shape != (len(keys), self.embedder.dimension):
                raise CorruptIndexError(f"{self.embedder.name} returned vectors of shape "
                                        f"{vectors.shape} for {len(keys)} paragraphs, expected "
                                        f"dimension {self.embedder.dimension}")
            self.store.append(keys, vectors)
            self._embedded.update(keys)
            if self.progress:
                self.progress(start + len(keys), len(todo), EMBEDDING_STAGE)
        self.live.save(self.folder / LIVE_PENDING, generation)
        return len(todo), time.perf_counter() - started

    def committed(self) -> None:
        os.replace(self.folder / LIVE_PENDING, self.folder / LIVE_FILE)
        (self.folder / LEGACY_LIVE_FILE).unlink(missing_ok=True)  # converted to LIVE_FILE
        self.store.compact(self.live.array())

    def abandoned(self) -> None:
        (self.folder / LIVE_PENDING).unlink(missing_ok=True)


class NoEmbeddings:
    """The writing side of an index without embeddings (or losing them in this commit)."""

    def __init__(self, writer, index_path: Path, drop: bool):
        self.writer = writer
        self.folder = store_folder(index_path)
        self.drop = drop

    def before_commit(self, generation: int) -> tuple[int, float]:
        return 0, 0.0

    def committed(self) -> None:
        if self.drop and self.folder.exists():
            (self.folder / LIVE_FILE).unlink(missing_ok=True)  # the setting goes first
            (self.folder / LEGACY_LIVE_FILE).unlink(missing_ok=True)
            shutil.rmtree(self.folder)

    def abandoned(self) -> None:
        pass


class KeptEmbeddings:
    """The writing side of an index that keeps embeddings: wraps :class:`EmbeddingSync`."""

    def __init__(self, writer, index_path: Path, embedder: Embedder, clears: bool,
                 progress: Progress | None):
        self.sync = EmbeddingSync(index_path, embedder, progress)
        self.writer = self.sync.begin(writer, clears)
        self.before_commit = self.sync.before_commit
        self.committed = self.sync.committed
        self.abandoned = self.sync.abandoned


def writing_embeddings(index_path: Path, embedder: Embedder | None, writer, clears: bool,
                       progress: Progress | None = None):
    """What a write transaction does about embeddings: ``.writer`` to write through, then
    ``.before_commit(generation)``, and ``.committed()`` or ``.abandoned()``.

    ``embedder`` None: the index keeps none (those it had are dropped after the commit).
    """
    if embedder is None:
        return NoEmbeddings(writer, index_path, drop=True)
    return KeptEmbeddings(writer, index_path, embedder, clears, progress)
