"""Opening, creating and writing the Whoosh side of an index folder.

The one place that calls ``whoosh.index``: it installs the memory-mapped segment
reader (:mod:`search.storage.segment_files`) before the first segment is opened,
retries a TOC whose segments a concurrent commit just removed, and turns
Whoosh's many failure types into Izde's errors.
"""

import time
import warnings
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import LockError

from search.errors import CorruptIndexError, IndexLockedError
from search.storage import safe_pickle, segment_files
from search.storage.index_files import LOCK_NAME

# Reading a TOC whose segments a concurrent commit has just removed: tries.
_OPEN_ATTEMPTS = 5


def has_index_files(path: Path) -> bool:
    """Whether ``path`` holds a Whoosh TOC (without unpickling the stored schema, which
    fails when an analyzer class of an older Izde has been renamed or removed)."""
    return any(path.glob("_MAIN_*.toc"))


def open_index(path: Path, schema):
    """The Whoosh index in ``path``, read with ``schema``; :class:`CorruptIndexError` if damaged."""
    segment_files.install()
    safe_pickle.install()  # nothing in the folder may run code (search.storage.safe_pickle)
    failure = None
    # Whoosh leaves a damaged TOC file open when it fails to read it; the file
    # is closed as the exception goes, so don't warn about it then.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        for _ in range(_OPEN_ATTEMPTS):
            try:
                return whoosh_index.open_dir(str(path), schema=schema)
            except FileNotFoundError:
                # A commit (a rebuild's, say) removed the segments of the TOC just
                # read; reading the TOC again finds the new ones.
                failure = "FileNotFoundError"
            except Exception as error:  # Whoosh raises many types for a damaged folder
                failure = error.__class__.__name__
                break
    raise CorruptIndexError(f"the index at {path} is damaged ({failure}); "
                            f"rebuild it with `izde index --rebuild`")


def create_index(path: Path, schema) -> None:
    """Write an empty Whoosh index with ``schema`` into the folder ``path``."""
    whoosh_index.create_in(str(path), schema).close()


@contextmanager
def creation_lock(path: Path, wait: float):
    """Hold the index's write lock (the one writers take) while its first files are written,
    so two processes creating one index at once wait for each other instead of racing."""
    from whoosh.util.filelock import FileLock

    lock = FileLock(str(path / LOCK_NAME))
    deadline = time.monotonic() + wait
    try:
        while not lock.acquire(blocking=False):
            if time.monotonic() >= deadline:
                raise _locked(path)
            time.sleep(0.05)
    except IsADirectoryError:
        raise _lock_is_a_folder(path) from None
    try:
        yield
    finally:
        lock.release()


def _locked(path: Path) -> IndexLockedError:
    return IndexLockedError(f"{path}: the index is being updated by another process; "
                            f"try again when it finishes, or pass --wait SECONDS")


def _lock_is_a_folder(path: Path) -> CorruptIndexError:
    return CorruptIndexError(f"{path / LOCK_NAME} is a folder, not the index's lock file; "
                             f"remove it and try again")


def open_writer(ix, path: Path, wait: float, procs: int = 1, limitmb: int = 128):
    """A writer holding the index's lock; :class:`IndexLockedError` after ``wait`` seconds.

    ``procs`` > 1 analyzes in that many processes: Whoosh's own MpWriter can drop
    a worker's documents silently, :class:`ParallelWriter` cannot.
    """
    # Loaded when writing: a search never pays for multiprocessing.
    from search.storage.parallel import ParallelWriter
    from search.storage.posting_pool import TermPoolSegmentWriter

    try:
        if procs > 1:
            return ParallelWriter(ix, procs=procs, timeout=wait, limitmb=limitmb)
        return TermPoolSegmentWriter(ix, timeout=wait, limitmb=limitmb)
    except LockError:
        raise _locked(path) from None
    except IsADirectoryError:
        raise _lock_is_a_folder(path) from None
