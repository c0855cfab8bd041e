"""The segments a searcher reads, for callers that cache work per segment.

A Whoosh segment's documents never change once written; a later commit can
only mark some deleted, or merge segments into a new one (with a new id). So
what was computed from a segment's stored fields, keyed by its id, holds for
as long as the segment exists, minus the documents since deleted.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class SegmentView:
    segment_id: str | None  # None: a reader without a segment (nothing to cache by)
    offset: int             # the searcher's docnum of the segment's document 0
    reader: object          # the segment's reader: iter_docs() gives (local docnum, fields)
    deleted: np.ndarray     # local docnums deleted so far, sorted


def segments_of(searcher) -> list[SegmentView]:
    views = []
    for reader, offset in searcher.reader().leaf_readers():
        segment = reader.segment() if hasattr(reader, "segment") else None
        deleted = sorted(reader.deleted_docs_set) if reader.has_deletions() else []
        views.append(SegmentView(segment.segment_id() if segment is not None else None,
                                 offset, reader, np.asarray(deleted, np.int64)))
    return views
