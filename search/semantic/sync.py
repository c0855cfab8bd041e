"""Keeping embeddings in step with the paragraphs of one write transaction.

A :class:`TrackingWriter` stands in for the Whoosh writer and notes every
paragraph added and every path deleted, so the index's *live keys* (each
path's paragraphs' content keys) follow the write exactly. Before the Whoosh
commit, the paragraphs whose keys the store lacks are embedded in batches, each
saved as it lands (:meth:`EmbeddingStore.append`): a process killed meanwhile
loses at most one batch and the index keeps its last commit; the next update
re-adds the same paragraphs and finds their embeddings already stored.

The live keys are saved as ``live.pending.json`` bound to the commit's
generation and promoted after it lands, as the manifest is
(:mod:`search.ingest.manifest`), so the keys a commit deletes are dropped with
it; the store is then compacted when enough of it is dead. ``live.json`` is
also the index's semantic setting: an index that has it keeps embeddings
through later updates.
"""

import json
import os
import shutil
import time
from pathlib import Path
from typing import Callable

import numpy as np

from search.errors import CorruptIndexError
from search.semantic.embedder import Embedder, content_key, passage_text
from search.semantic.setting import LIVE_FILE, store_folder
from search.semantic.store import EmbeddingStore

LIVE_PENDING = "live.pending.json"
BATCH = 32                # paragraphs embedded (and saved) at a time
EMBEDDING_STAGE = "embedding"  # the label progress callbacks get while embedding

Progress = Callable[[int, int, str], None]


def _load_live(folder: Path, name: str) -> tuple[int, dict[str, list[int]]] | None:
    path = folder / name
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        live = {p: [int(h[i:i + 16], 16) for i in range(0, len(h), 16)]
                for p, h in raw["paths"].items()}
        return int(raw["generation"]), live
    except (ValueError, KeyError, TypeError) as error:
        raise CorruptIndexError(f"{path} is damaged ({error}); drop the embeddings with "
                                f"`izde index --no-semantic`") from None


def _save_live(folder: Path, name: str, generation: int, live: dict[str, list[int]]) -> None:
    path = folder / name
    temporary = path.with_name(f".{name}.tmp")
    # Keys as 16 hex digits run together: a third of the size of a JSON list of ints.
    payload = {"generation": generation,
               "paths": {p: "".join(f"{k:016x}" for k in keys) for p, keys in live.items()}}
    with open(temporary, "w", encoding="utf-8") as out:
        json.dump(payload, out, ensure_ascii=False)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


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
        self.live: dict[str, list[int]] = {}
        self._texts: dict[int, str] = {}  # keys the store lacks -> the passage to embed
        self._known: set[int] = set()

    def begin(self, writer, clears: bool):
        """The writer to write through; ``clears``: the commit replaces every paragraph."""
        check = getattr(self.embedder, "check", None)
        if check is not None:
            check()  # fail before any indexing when the model cannot run
        generation = writer.generation - 1
        pending = _load_live(self.folder, LIVE_PENDING) if self.folder.exists() else None
        if pending is not None:
            if pending[0] == generation:
                os.replace(self.folder / LIVE_PENDING, self.folder / LIVE_FILE)
            else:
                (self.folder / LIVE_PENDING).unlink()
        if self.store.exists:
            self.store.check_embedder(self.embedder.name, self.embedder.dimension)
            self.store.remove_debris()
        else:
            self.store.create(self.embedder.name, self.embedder.dimension)
        self._known = set(self.store.keys().tolist())
        saved = _load_live(self.folder, LIVE_FILE)
        if not clears:
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
        self.live.setdefault(fields["path"], []).append(key)
        if key not in self._known:
            self._texts[key] = passage

    def deleted(self, path: str) -> None:
        self.live.pop(path, None)

    def live_keys(self) -> set[int]:
        return {key for keys in self.live.values() for key in keys}

    def before_commit(self, generation: int) -> tuple[int, float]:
        """Embed what the store lacks, batch by batch; save the live keys as pending.

        Returns (paragraphs embedded, seconds)."""
        live = self.live_keys()
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
            self._known.update(keys)
            if self.progress:
                self.progress(start + len(keys), len(todo), EMBEDDING_STAGE)
        _save_live(self.folder, LIVE_PENDING, generation, self.live)
        return len(todo), time.perf_counter() - started

    def committed(self) -> None:
        os.replace(self.folder / LIVE_PENDING, self.folder / LIVE_FILE)
        self.store.compact(self.live_keys())

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
