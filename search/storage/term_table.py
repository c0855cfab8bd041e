"""Rows of a segment's term table added many at a time, with the bytes Whoosh writes one by one.

Whoosh's ``OrderedHashWriter.add`` costs about ten Python calls per term
(checking the order, three writes and two ``tell`` through the structured
file's wrappers, the growable index's append); a 10k paragraph build writes
124k terms. :class:`TermTable` gathers ``(key, value)`` rows and adds them to
the hash writer in one write, keeping its buckets, position index and last key
as ``add`` would, so the file and its reader are unchanged.
"""

import struct
from array import array
from functools import partial
from hashlib import md5
from itertools import chain

from whoosh.filedb.filetables import _lengths, _pointer, md5_hash

try:
    # CPython's own MD5: a third faster than OpenSSL's through hashlib on keys this
    # short, where setting up each call's context is most of the work (TermTable.flush
    # of 128k rows: 0.157 -> 0.107 CPU-s). The hash picks a slot; it protects nothing.
    from _md5 import md5 as _md5
except ImportError:  # a Python built without it
    _md5 = partial(md5, usedforsecurity=False)

# Rows gathered before they are written: few enough to hold little memory.
ROWS_PER_WRITE = 4096


class TermTable:
    """Adds rows in key order to an ``OrderedHashWriter`` (``add``, then ``flush``
    before anything else writes to it)."""

    def __init__(self, hash_writer):
        self._writer = hash_writer
        self._rows: list[tuple[bytes, bytes]] = []
        # Its close writes the 256 hash tables a slot per call: one write per table.
        if _pointer.format in ("!Iq", b"!Iq"):
            hash_writer._write_hashes = lambda: _write_hash_tables(hash_writer)

    def add(self, key: bytes, value: bytes) -> None:
        self._rows.append((key, value))
        if len(self._rows) >= ROWS_PER_WRITE:
            self.flush()

    def add_rows(self, rows: list[tuple[bytes, bytes]]) -> None:
        """:meth:`add` of each row: one call for a batch writer's few thousand."""
        self._rows += rows
        if len(self._rows) >= ROWS_PER_WRITE:
            self.flush()

    def flush(self) -> None:
        rows, self._rows = self._rows, []
        if not rows:
            return
        writer = self._writer
        last = writer.lastkey
        for key, _value in rows:  # OrderedHashWriter.add's check
            if key <= last:
                raise ValueError(f"Keys must increase: {last!r}..{key!r}")
            last = key
        hashfn, buckets, pack = writer.hashfn, writer.buckets, _lengths.pack
        position = writer.dbfile.tell()
        positions, parts = [], []
        if hashfn is md5_hash:
            # Whoosh's md5_hash, int(hexdigest, 16) & 0xFFFFFFFF: the digest's last
            # four bytes, computed inline (a call per key was ~a third of it).
            from_bytes = int.from_bytes
            for key, value in rows:
                positions.append(position)
                head = pack(len(key), len(value))
                parts += (head, key, value)
                h = from_bytes(_md5(key).digest()[12:], "big")
                buckets[h & 255].append((h, position))
                position += len(head) + len(key) + len(value)
        else:
            for key, value in rows:
                positions.append(position)
                head = pack(len(key), len(value))
                parts += (head, key, value)
                h = hashfn(key)
                buckets[h & 255].append((h, position))
                position += len(head) + len(key) + len(value)
        _extend_index(writer.index, positions)
        writer.dbfile.write(b"".join(parts))
        writer.lastkey = last


def _extend_index(index, positions: list[int]) -> None:
    # GrowableArray.append per position, which widens the array when one overflows it.
    try:
        array(index.array.typecode, positions[-1:])
    except (OverflowError, AttributeError, TypeError):
        for position in positions:
            index.append(position)
        return
    index.array.extend(positions)


def _write_hash_tables(writer) -> None:
    """``HashWriter._write_hashes``: the same tables (linear probing from
    ``(hash >> 8) % slots``, empty slots (0, 0)), each packed in one call."""
    dbfile = writer.dbfile
    for entries in writer.buckets:
        slots = 2 * len(entries)
        writer.directory.append((dbfile.tell(), slots))
        if not slots:
            continue
        table = [_EMPTY] * slots
        for hashval, position in entries:
            slot = (hashval >> 8) % slots
            while table[slot] is not _EMPTY:
                slot = (slot + 1) % slots
            table[slot] = (hashval, position)
        dbfile.write(struct.pack("!" + "Iq" * slots, *chain.from_iterable(table)))


_EMPTY = (0, 0)  # an empty slot (no key starts at 0, the file's header)
