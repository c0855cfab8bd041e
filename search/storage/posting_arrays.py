"""A term's postings and a segment's lengths and deletions as numpy arrays (ranking.array_scoring).

Imported only when numpy scoring is chosen (see :mod:`search.ranking.term_scoring`).
"""

from typing import Iterable

import numpy as np

from search.storage.codec import (WEIGHTS_BYTES, WEIGHTS_FLOATS, WEIGHTS_ONES, PackedBlock,
                                  is_packed, packed_blocks)
from search.storage.postings import length_bytes, posting_blocks
from search.storage.cache import memo


def postings_arrays(reader, fieldname: str, term: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(segment docnums, term frequencies) of a term's postings, deletions included."""
    matcher = reader.postings(fieldname, term)
    matcher = getattr(matcher, "child", matcher)  # past the deletion filter: done by the caller
    if is_packed(matcher):
        return packed_arrays(packed_blocks(matcher))
    docs: list[int] = []
    tfs: list[float] = []
    for ids, weights in posting_blocks(reader, fieldname, term):
        docs.extend(ids)
        tfs.extend(weights)
    return (np.fromiter(docs, dtype=np.int64, count=len(docs)),
            np.fromiter(tfs, dtype=np.float64, count=len(tfs)))


_DELTA_DTYPES = {1: np.dtype("<u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4")}
_WEIGHT_DTYPES = {WEIGHTS_BYTES: np.dtype("u1"), WEIGHTS_FLOATS: np.dtype("<f4")}


def packed_arrays(blocks: Iterable[PackedBlock]) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, term frequencies) of a term's packed blocks, a block costing one
    ``frombuffer`` per array: each block's first docnum goes in as the gap from the
    last block's last, so one cumulative sum turns every delta into a docnum."""
    gaps, deltas, weights = [], [], []
    previous_last = 0
    for block in blocks:
        gaps.append(block.first - previous_last)
        previous_last = block.last
        split = (block.postings - 1) * block.delta_bytes
        deltas.append(np.frombuffer(block.scoring, _DELTA_DTYPES[block.delta_bytes],
                                    block.postings - 1))
        if block.weights_kind == WEIGHTS_ONES:
            weights.append(_ONES[:block.postings])
        else:
            weights.append(np.frombuffer(block.scoring, _WEIGHT_DTYPES[block.weights_kind],
                                         block.postings, split))
    counts = np.fromiter((len(part) for part in weights), np.int64, len(weights))
    starts = np.cumsum(counts) - counts
    docs = np.empty(int(counts.sum()), np.int64)
    gap_at = np.zeros(len(docs), bool)
    gap_at[starts] = True
    docs[starts] = gaps
    docs[~gap_at] = np.concatenate(deltas)
    return np.cumsum(docs, out=docs), np.concatenate(weights).astype(np.float64)


_ONES = np.ones(1 << 16, np.uint8)  # a block holds at most 65,535 postings (its header's H)


def deleted_mask(reader) -> np.ndarray:
    cache = memo(reader, "deleted_mask")
    if "mask" not in cache:
        mask = np.zeros(reader.doc_count_all(), dtype=bool)
        mask[list(reader.deleted_docs_set)] = True
        cache["mask"] = mask
    return cache["mask"]


def length_array(reader, fieldname: str) -> np.ndarray:
    cache = memo(reader, "length_arrays")
    if fieldname not in cache:
        lengths = length_bytes(reader, fieldname)
        if not isinstance(lengths, bytes):  # another codec: asked per document
            lengths = bytes(lengths[doc] for doc in range(reader.doc_count_all()))
        cache[fieldname] = np.frombuffer(lengths, dtype=np.uint8)
    return cache[fieldname]


