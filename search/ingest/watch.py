"""Keeping the index current while files appear, change and disappear.

watchdog reports file-system events (inotify on Linux, FSEvents on macOS,
ReadDirectoryChangesW on Windows). Events come in bursts — an editor saving a
file, a folder copied in — so they are collected until the folders have been
quiet for ``debounce`` seconds (or ``max_delay`` passed since the first event,
so a never-ending trickle still gets indexed), and then one ordinary
:meth:`Index.update` of the watched folders brings the index up to date. That
update is what makes the watcher correct whatever watchdog missed or merged:
it stats every file and reads only the changed ones.

    import threading
    stop = threading.Event()
    Watcher(Index("index"), ["docs"], on_batch=lambda b: print(b.line())).run(stop)
"""

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from search.errors import IzdeError, PathNotFoundError
from search.ingest.ignore_rules import IGNORE_FILES
from search.ingest.indexer import TEXT_SUFFIXES, UpdateReport
from search.ingest.reading import DEFAULT_MAX_BYTES


@dataclass
class Batch:
    """One round of indexing: the paths whose events triggered it and what the update did."""
    paths: set[str]
    report: UpdateReport
    new_skips: list[tuple[str, str]] = field(default_factory=list)  # not reported before

    def line(self) -> str:
        """``+2 ~1 -0``: files added, changed and removed; skipped files when there are any."""
        r = self.report
        skipped = f" !{len(r.skipped)}" if r.skipped else ""
        return f"+{r.added} ~{r.changed} -{r.removed}{skipped}"


def process_batch(index, roots: Iterable[str | Path], paths: set[str] | None = None,
                  max_bytes: int = DEFAULT_MAX_BYTES, wait: float = 30.0,
                  reported: set[tuple[str, str]] | None = None) -> Batch:
    """Bring ``index`` up to date with ``roots`` after events on ``paths``.

    ``reported`` holds the skips already reported; only new ones land in
    ``Batch.new_skips`` (and are added to it), so a watcher warns about a bad
    file once, not after every batch.
    """
    report = index.update(list(roots), max_bytes=max_bytes, wait=wait)
    reported = set() if reported is None else reported
    new_skips = [skip for skip in report.skipped if skip not in reported]
    reported.update(new_skips)
    return Batch(set(paths or ()), report, new_skips)


class EventBatcher(FileSystemEventHandler):
    """Collects the paths of relevant events and hands them out in debounced batches."""

    def __init__(self, ignore: Path | None = None, debounce: float = 1.0,
                 max_delay: float = 10.0):
        self.ignore = ignore.resolve() if ignore else None
        self.debounce, self.max_delay = debounce, max_delay
        self._paths: set[str] = set()
        self._first = self._last = 0.0
        self._changed = threading.Condition()

    def relevant(self, path: str, is_directory: bool = False) -> bool:
        """Text files (and folders, whose moves and deletions carry files), not the index."""
        candidate = Path(path)
        if self.ignore and (candidate == self.ignore or self.ignore in candidate.parents):
            return False
        if candidate.name in IGNORE_FILES:
            return True  # what the walk skips changed: a file may come in or go out
        if any(part.startswith(".") for part in candidate.parts[1:]):
            return False
        return is_directory or candidate.suffix.lower() in TEXT_SUFFIXES

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reading a file changes nothing
        if event.is_directory and event.event_type == "modified":
            return  # a folder's mtime: its files send their own events
        paths = [p for p in (event.src_path, getattr(event, "dest_path", ""))
                 if p and self.relevant(str(p), event.is_directory)]
        if paths:
            self.add(*map(str, paths))

    def add(self, *paths: str) -> None:
        with self._changed:
            now = time.monotonic()
            if not self._paths:
                self._first = now
            self._paths.update(paths)
            self._last = now
            self._changed.notify_all()

    def next_batch(self, stop: threading.Event, poll: float = 0.1) -> set[str]:
        """Block until a batch is ready (or ``stop`` is set: then what is pending, maybe none)."""
        with self._changed:
            while not stop.is_set():
                now = time.monotonic()
                if self._paths:
                    quiet_for, waited = now - self._last, now - self._first
                    if quiet_for >= self.debounce or waited >= self.max_delay:
                        break
                    timeout = min(self.debounce - quiet_for, self.max_delay - waited, poll)
                else:
                    timeout = poll
                self._changed.wait(timeout)
            batch, self._paths = self._paths, set()
            return batch


class Watcher:
    """Watches ``paths`` and updates ``index`` after every burst of changes.

    ``on_batch`` gets a :class:`Batch` after each update (the first one at
    start, bringing the index up to date); ``on_error`` gets the
    :class:`IzdeError` of an update that failed (say, another process held the
    index longer than ``wait``), and watching goes on.
    """

    def __init__(self, index, paths: Iterable[str | Path], debounce: float = 1.0,
                 max_delay: float = 10.0, max_bytes: int = DEFAULT_MAX_BYTES,
                 wait: float = 30.0, on_batch: Callable[[Batch], None] | None = None,
                 on_error: Callable[[IzdeError], None] | None = None):
        self.index = index
        self.roots = [Path(p) for p in paths]
        for root in self.roots:
            if not root.exists():
                raise PathNotFoundError(f"{root}: no such file or folder")
        self.max_bytes, self.wait = max_bytes, wait
        self.on_batch = on_batch or (lambda batch: None)
        self.on_error = on_error
        self.batcher = EventBatcher(ignore=Path(index.path), debounce=debounce,
                                    max_delay=max_delay)
        self.reported: set[tuple[str, str]] = set()
        self.ready = threading.Event()  # set once the first update is done and events flow

    def run(self, stop: threading.Event | None = None) -> None:
        """Watch until ``stop`` is set (or KeyboardInterrupt); the index stays consistent."""
        stop = stop or threading.Event()
        observer = Observer()
        for root in self.roots:
            resolved = root.resolve()
            if resolved.is_dir():
                observer.schedule(self.batcher, str(resolved), recursive=True)
            else:
                observer.schedule(self.batcher, str(resolved.parent), recursive=False)
        observer.start()  # before the first update: nothing that changes during it is missed
        try:
            self._update(set())
            self.ready.set()
            while not stop.is_set():
                paths = self.batcher.next_batch(stop)
                if paths and not stop.is_set():
                    self._update(paths)
        finally:
            observer.stop()
            observer.join(timeout=5)

    def _update(self, paths: set[str]) -> None:
        try:
            batch = process_batch(self.index, self.roots, paths, max_bytes=self.max_bytes,
                                  wait=self.wait, reported=self.reported)
        except IzdeError as error:
            if self.on_error is None:
                raise
            self.on_error(error)
            return
        self.on_batch(batch)
