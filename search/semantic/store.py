"""Paragraph embeddings on disk beside the Whoosh index, keyed by content hash.

The folder ``<index>/embeddings/`` holds batches, each two ``.npy`` files: the
64-bit content keys (:func:`search.semantic.embedder.content_key`) and their
vectors as float16 (half the size of float32; cosines move by < 1e-3), read
through a memory map. ``store.json`` names the embedder, the dimension and the
batches; it is replaced atomically after each batch lands, so a process killed
while embedding loses at most the batch in flight, and a batch file it names
is always complete.

The store is a cache: a key stays until :meth:`EmbeddingStore.compact` drops
keys no paragraph of the index holds any more (see :mod:`search.semantic.sync`,
which decides which keys are live).
"""

import json
import os
import uuid
from pathlib import Path

import numpy as np

from search.errors import CorruptIndexError
from search.semantic.errors import EmbedderMismatchError

STORE_FILE = "store.json"
DTYPE = np.float16
FORMAT = 1


class EmbeddingStore:
    """The embeddings of one index: look vectors up by key, append batches, compact."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._stamp = None
        self._meta: dict = {}
        self._sorted_keys = np.empty(0, np.uint64)
        self._order = np.empty(0, np.int64)      # sorted position -> row across batches
        self._offsets = np.zeros(1, np.int64)    # first row of each batch
        self._vectors: list[np.ndarray] = []

    # -- metadata --------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return (self.folder / STORE_FILE).exists()

    @property
    def embedder_name(self) -> str:
        self.refresh()
        return self._meta["embedder"]

    @property
    def dimension(self) -> int:
        self.refresh()
        return int(self._meta["dimension"])

    def create(self, embedder_name: str, dimension: int) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._write_meta({"format": FORMAT, "embedder": embedder_name,
                          "dimension": int(dimension), "dtype": "float16", "batches": []})

    def check_embedder(self, embedder_name: str, dimension: int) -> None:
        """Refuse to mix: raise when the stored embeddings came from another model."""
        self.refresh()
        if (self._meta["embedder"], int(self._meta["dimension"])) != (embedder_name, dimension):
            raise EmbedderMismatchError(
                f"the embeddings in {self.folder} were made by {self._meta['embedder']} "
                f"({self._meta['dimension']} dimensions), not {embedder_name} ({dimension}); "
                f"search with that model, or drop them with `izde index --no-semantic` and "
                f"embed again with `izde index --semantic`")

    def _write_meta(self, meta: dict) -> None:
        path = self.folder / STORE_FILE
        temporary = path.with_name(f".{STORE_FILE}.{uuid.uuid4().hex}.tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(meta, out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
        self._stamp = None  # reload on next read

    # -- reading ---------------------------------------------------------------

    def refresh(self) -> None:
        """Reload when another process replaced ``store.json`` (a batch or a compaction)."""
        for _attempt in range(5):
            try:
                stat = (self.folder / STORE_FILE).stat()
                stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
                if stamp == self._stamp:
                    return
                self._load(stamp)
                return
            except FileNotFoundError:
                continue  # a compaction removed a batch between reading the list and opening it
        raise CorruptIndexError(f"{self.folder} is damaged or missing; rebuild the index and "
                                f"its embeddings with `izde index --rebuild`")

    def _load(self, stamp) -> None:
        try:
            meta = json.loads((self.folder / STORE_FILE).read_text(encoding="utf-8"))
            keys, vectors = [], []
            for batch in meta["batches"]:
                keys.append(np.load(self.folder / f"{batch}.keys.npy"))
                vectors.append(np.load(self.folder / f"{batch}.vectors.npy", mmap_mode="r"))
        except FileNotFoundError:
            raise
        except (ValueError, KeyError, TypeError, OSError) as error:
            raise CorruptIndexError(f"{self.folder} is damaged ({error}); rebuild the index and "
                                    f"its embeddings with `izde index --rebuild`") from None
        all_keys = np.concatenate(keys) if keys else np.empty(0, np.uint64)
        self._order = np.argsort(all_keys, kind="stable")
        self._sorted_keys = all_keys[self._order]
        self._offsets = np.cumsum([0, *(len(k) for k in keys)])
        self._vectors = vectors
        self._meta = meta
        self._stamp = stamp

    def __len__(self) -> int:
        self.refresh()
        return len(self._sorted_keys)

    def keys(self) -> np.ndarray:
        self.refresh()
        return self._sorted_keys

    def vectors_for(self, keys: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(float32 vectors, one row per key, zero where missing; mask of the keys found)."""
        self.refresh()
        wanted = np.asarray(keys, dtype=np.uint64)
        out = np.zeros((len(wanted), int(self._meta["dimension"])), np.float32)
        if not len(self._sorted_keys) or not len(wanted):
            return out, np.zeros(len(wanted), bool)
        at = np.minimum(np.searchsorted(self._sorted_keys, wanted), len(self._sorted_keys) - 1)
        found = self._sorted_keys[at] == wanted
        rows = self._order[at]
        batches = np.searchsorted(self._offsets, rows, side="right") - 1
        for batch in np.unique(batches[found]):  # one gather per batch, not one per row
            where = np.flatnonzero(found & (batches == batch))
            out[where] = self._vectors[batch][rows[where] - self._offsets[batch]]
        return out, found

    # -- writing (only under the index's write lock) ----------------------------

    def append(self, keys: list[int], vectors: np.ndarray) -> None:
        """Write one batch and name it in ``store.json``: after this, it survives a kill."""
        self.refresh()
        batch = uuid.uuid4().hex[:12]
        self._save_batch(batch, np.asarray(keys, np.uint64), vectors)
        meta = dict(self._meta, batches=[*self._meta["batches"], batch])
        self._write_meta(meta)

    def _save_batch(self, batch: str, keys: np.ndarray, vectors: np.ndarray) -> None:
        for suffix, array in (("keys", keys), ("vectors", np.asarray(vectors, DTYPE))):
            path = self.folder / f"{batch}.{suffix}.npy"
            temporary = path.with_name(f".{path.name}.tmp")
            with open(temporary, "wb") as out:
                np.save(out, array)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)

    def compact(self, live, min_dead_share: float = 0.1, max_batches: int = 64) -> int:
        """Drop keys not in ``live`` (a set or an array of keys, repeats allowed) and merge
        batches, when worth it; returns keys dropped.

        Rewriting is proportional to the store, so it waits until a tenth is dead
        or batches pile up; the dead keys are unreachable meanwhile (no paragraph
        of the index has them), and serve as a cache if their text comes back.
        """
        self.refresh()
        total = len(self._sorted_keys)
        if isinstance(live, (set, frozenset)):
            live = np.fromiter(live, np.uint64, len(live))
        live = np.unique(np.asarray(live, np.uint64))
        # the store's keys are sorted and unique: look them up rather than intersect1d,
        # which sorts both again (90 ms at 100k keys)
        at = np.minimum(np.searchsorted(live, self._sorted_keys), max(len(live) - 1, 0))
        keep = self._sorted_keys[live[at] == self._sorted_keys] if len(live) \
            else np.empty(0, np.uint64)
        dead = total - len(keep)
        if dead <= min_dead_share * total and len(self._meta["batches"]) <= max_batches:
            return 0
        old = list(self._meta["batches"])
        batches = []
        if len(keep):
            vectors, _found = self.vectors_for(keep.tolist())
            batches.append(uuid.uuid4().hex[:12])
            self._save_batch(batches[0], keep, vectors)
        self._write_meta(dict(self._meta, batches=batches))
        for name in old:
            for suffix in ("keys", "vectors"):
                (self.folder / f"{name}.{suffix}.npy").unlink(missing_ok=True)
        self.remove_debris()
        return dead

    def damage(self) -> str | None:
        """Why the store cannot be read (a file lost or unreadable), or None."""
        try:
            self.refresh()
        except CorruptIndexError as error:
            return str(error)
        return None

    def discard(self) -> None:
        """Delete the store's own files (``store.json`` first: no batch outlives it named)."""
        (self.folder / STORE_FILE).unlink(missing_ok=True)
        for path in self.folder.iterdir():
            if path.name.endswith(".npy") or (path.name.startswith(".") and
                                              path.name.endswith(".tmp")):
                path.unlink(missing_ok=True)
        self._stamp, self._meta = None, {}

    def remove_debris(self) -> None:
        """Files a killed writer left: batches ``store.json`` does not name, temporaries."""
        self.refresh()
        named = set(self._meta["batches"])
        for path in self.folder.iterdir():
            if path.name.startswith(".") and path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)
            elif path.name.endswith(".npy") and path.name.split(".")[0] not in named:
                path.unlink(missing_ok=True)
