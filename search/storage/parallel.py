"""Indexing on several cores: Whoosh's multiprocessing writer, made to fail loudly.

Whoosh's ``MpWriter`` hands batches of documents to sub-processes, each of which
analyzes its share into a segment of its own; with ``multisegment`` those
segments join the index as they are, so the commit does no serial merge (the
merge policy folds small segments on later commits). Three things in it are
fixed here, because each one loses documents or hangs without a word:

* it joins the workers and then waits one second per worker for its result,
  dropping a result that is late (``queue.Empty``) together with its documents;
* a worker that dies (an exception in an analyzer, the OOM killer) sends no
  result, which is dropped the same way;
* ``cancel`` only flags the parent's copy of each worker, so the workers wait
  for jobs for ever and the interpreter hangs at exit joining them.

:class:`ParallelWriter` waits for every result for as long as its worker lives,
checks that the segments hold exactly the documents it handed out, and
terminates its workers on cancel. Its workers (:func:`_write_segment`) pool
postings by term (:mod:`search.storage.posting_pool`), as the serial writer does.

    writer = ParallelWriter(whoosh_index, procs=2, limitmb=256)
"""

import multiprocessing
import pickle
import queue
import sys
import threading

from whoosh.multiproc import MpWriter
from whoosh.writing import SegmentWriter

from search.errors import IzdeError
from search.storage.collector import fewer_collections
from search.storage.posting_pool import TermPoolSegmentWriter, TermPoolWriting


def start_method() -> str:
    """``fork`` where it is safe (Linux, one thread), else ``spawn``.

    A forked worker starts at once with the parent's modules and morphology
    dictionaries already loaded; ``spawn`` imports them again (about a second).
    Forking a process that runs other threads can deadlock the child, and
    Python 3.12+ warns about it, so threaded callers (``izde watch``) spawn.
    """
    if (sys.platform.startswith("linux") and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods()):
        return "fork"
    return "spawn"


class WorkerFailedError(IzdeError):
    """A worker process of a parallel update died or its segment lost documents."""


class ParallelWriter(TermPoolWriting, MpWriter):
    """``MpWriter`` with one segment per worker that never loses documents silently."""

    def __init__(self, ix, procs: int, **kwargs):
        super().__init__(ix, procs=procs, multisegment=True, start_method=start_method(),
                         **kwargs)
        self.handed_out = 0

    def add_document(self, **fields):
        super().add_document(**fields)
        self.handed_out += 1

    def _new_task(self):
        args = (self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs)
        task = self._mpctx.Process(target=_write_segment, args=args)
        self.tasks.append(task)
        task.start()
        return task

    def _commit(self, mergetype, optimize, merge):
        # MpWriter._commit with its results gathered safely; see the module docstring.
        if self.docbuffer:
            self._enqueue()
        for _task in self.tasks:
            self.jobqueue.put(None)
        finalsegments = self._merge_segments(mergetype, optimize, merge)
        # Read results before joining: a worker exits only once its result is sent.
        segments = [segment for _run, _fields, segment in self._results()]
        for task in self.tasks:
            task.join()
        written = sum(segment.doc_count_all() for segment in segments)
        if written != self.handed_out:
            raise WorkerFailedError(f"the indexing workers wrote {written:,} paragraphs of the "
                                    f"{self.handed_out:,} given; nothing was committed")
        finalsegments += segments
        if self._added:
            finalsegments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(finalsegments)
        self._finish()

    def _results(self) -> list:
        results = []
        while len(results) < len(self.tasks):
            try:
                results.append(self.resultqueue.get(timeout=1))
                continue
            except queue.Empty:
                pass
            failed = [task.exitcode for task in self.tasks if task.exitcode not in (None, 0)]
            if failed:
                raise WorkerFailedError(f"an indexing worker died (exit code {failed[0]}); "
                                        f"nothing was committed")
            if all(task.exitcode is not None for task in self.tasks):
                try:  # every worker is gone, so whatever they sent is in the pipe by now
                    results.append(self.resultqueue.get(timeout=1))
                except queue.Empty:
                    raise WorkerFailedError("an indexing worker exited without its segment; "
                                            "nothing was committed") from None
        return results

    def cancel(self):
        try:
            for task in self.tasks:
                if task.is_alive():
                    task.terminate()
            for task in self.tasks:
                task.join()
        finally:
            SegmentWriter.cancel(self)


def _write_segment(storage, indexname, jobqueue, resultqueue, writer_args: dict) -> None:
    """A worker: add the documents of each job file to a segment of its own, then send it.

    Whoosh's worker loop, with postings pooled by term (search.storage.posting_pool). A
    job is ``(file name, document count)``: the parent pickled that many
    ``(0, fields)`` tuples into the file; ``None`` means no more jobs.
    """
    writer = TermPoolSegmentWriter(storage.open_index(indexname), _lk=False, **writer_args)
    tempstorage = writer.temp_storage()
    with fewer_collections():
        while (job := jobqueue.get()) is not None:
            filename, doc_count = job
            with tempstorage.open_file(filename).raw_file() as jobfile:
                for _ in range(doc_count):
                    _code, fields = pickle.load(jobfile)
                    writer.add_document(**fields)
            tempstorage.delete_file(filename)
        fieldnames = writer.pool.fieldnames
        segment = writer._finalize_segment()
    resultqueue.put((None, fieldnames, segment), timeout=5)
