"""Index readers lent to request threads, one thread per reader at a time.

An :class:`search.Index` keeps one Whoosh searcher and replaces it when another
process has committed, so each reader must serve one thread at a time; a small
pool of them lets searches run in parallel. Every search sees the last commit:
the searcher is checked against the index's generation before it is used.
"""

import queue
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, TypeVar

from search import CorruptIndexError, Index

T = TypeVar("T")
# A commit that removes segments (a rebuild, a merge) can land between reading the
# table of contents and opening its segments: opening again finds the new ones.
READ_ATTEMPTS = 3


class IndexPool:
    def __init__(self, path: str | Path, size: int = 4):
        self.path = Path(path)
        self._free: "queue.LifoQueue[Index]" = queue.LifoQueue()
        self._all = [Index(self.path) for _ in range(max(1, size))]
        for index in self._all:
            self._free.put(index)

    @contextmanager
    def lend(self):
        index = self._free.get()
        try:
            yield index
        finally:
            self._free.put(index)

    def read(self, task: Callable[[Index], T]) -> T:
        """``task(index)`` on a lent reader, retried on a fresh one if a commit got in its way."""
        for attempt in range(READ_ATTEMPTS):
            with self.lend() as index:
                try:
                    return task(index)
                except (CorruptIndexError, FileNotFoundError):
                    index.close()  # reopened from the last commit on next use
                    if attempt == READ_ATTEMPTS - 1:
                        raise
            time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def close(self) -> None:
        for index in self._all:
            index.close()
