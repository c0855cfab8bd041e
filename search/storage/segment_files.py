"""Read compound segment files straight from their memory map, without a copy.

Whoosh keeps each segment in one compound file, memory-maps it, and hands out
each part (postings, terms, lengths, stored fields) as a ``BufferFile`` over a
slice of the map. whoosh3's ``BufferFile`` wraps that slice in ``io.BytesIO``
for its ``read``/``seek`` calls, and ``BytesIO`` copies what it is given: opening
an index read every segment whole into memory. At 1M paragraphs that was 2 s
and ~3 GB before the first search; at 100k, ~0.2 s of every ``izde search``.

:class:`MappedBufferFile` reads through :class:`_MappedReader`, a file-like
cursor over the same slice, so opening costs nothing and the operating system
pages in only what searches touch. Whoosh's hot paths read through
``BufferFile.get*``, which slice the map directly either way.

:func:`install` points Whoosh's compound storage at it; ``search.index`` calls it
on import.
"""

import io

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile

from search.storage.safe_pickle import safe_load


# Bytes copied to unpickle a postings block header (six numbers: ~40 bytes).
_PICKLE_WINDOW = 512


class _MappedReader:
    """``read``, ``readline``, ``seek`` and ``tell`` over a memoryview, copying only what is read."""

    __slots__ = ("_view", "_position", "closed")

    def __init__(self, view: memoryview):
        self._view = view
        self._position = 0
        self.closed = False

    def read(self, size: int | None = -1) -> bytes:
        start = self._position
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        self._position = max(start, end)
        return self._view[start:end].tobytes()

    def readline(self, size: int | None = -1) -> bytes:
        start = self._position
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        rest = self._view[start:end]
        newline = rest.tobytes().find(b"\n")
        line = rest if newline < 0 else rest[:newline + 1]
        self._position = start + len(line)
        return line.tobytes()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._view)}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def tell(self) -> int:
        return self._position

    def read_pickle(self):
        """The pickled object at the cursor, the cursor moved past it.

        ``pickle.load`` on a Python file object reads opcode by opcode (~15
        calls per postings block header); here it reads a small window that
        is copied once, and the rest of the file only if the pickle is longer.
        """
        start = self._position
        rest = len(self._view) - start
        for size in (min(_PICKLE_WINDOW, rest), rest):
            window = io.BytesIO(self._view[start:start + size])
            try:
                value = safe_load(window)
            except Exception:
                if size == rest:
                    raise  # damaged: Whoosh reports a corrupt index
                continue  # cut short by the window
            self._position = start + window.tell()
            return value

    def __iter__(self):
        while line := self.readline():
            yield line

    def close(self) -> None:
        # The view is BufferFile's own buffer, released by BufferFile.close().
        self._view = memoryview(b"")
        self.closed = True


class MappedBufferFile(BufferFile):
    """whoosh3's ``BufferFile`` without the copy of its buffer into ``BytesIO``."""

    def __init__(self, buf, name=None, onclose=None):
        self._buf = buf
        self._name = name
        self.file = _MappedReader(buf if isinstance(buf, memoryview) else memoryview(buf))
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def read_pickle(self):
        return self.file.read_pickle()


def install() -> None:
    """Make Whoosh's compound storage hand out :class:`MappedBufferFile` parts."""
    compound.BufferFile = MappedBufferFile
