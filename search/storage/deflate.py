"""Deflating an index's blocks with ISA-L where it is installed, zlib otherwise.

A 10k paragraph build compresses ~66,000 small parts (a term's docnums and
weights, its positions, a paragraph's stored fields, ~200-750 bytes each), and
zlib spends most of each call setting up and building its Huffman tables: 0.79
CPU-s of the build's ~7. ISA-L's deflate (the ``isal`` package) writes the same
zlib format in about half the time (values parts 8.0 -> 4.9 us, larger parts 19.8
-> 8.8 us, one run over the build's parts) and slightly larger (+4% on the small
parts, +2% on the large, +0.7% on the whole index). Readers decompress either
with zlib, so an index written with one is read without the other, and indexes
written before are read as they were.

Only Izde's codec (search.storage.codec) uses this; a zlib level from 1 to 9
becomes ISA-L's :data:`ISAL_LEVEL`, 0 stays no compression.

Unlike zlib's, ISA-L's bytes are not always the same for the same input: in two
builds of the 10k bench corpus one of the ~66,000 parts came out different (same
length, both decompressing to the input). An index is rebuilt with the same
contents, not always the same bytes (its segment names already differ per build).
"""

import zlib

try:
    from isal import isal_zlib
except ImportError:  # optional: plain zlib then, the same format
    isal_zlib = None

# ISA-L's levels are 0-3; 1 and 2 measured the same here, 0 doubled the size.
ISAL_LEVEL = 1


def _isal_compress(data: bytes, level: int = -1) -> bytes:
    # A zlib stream (header and Adler-32), as zlib.compress writes.
    return isal_zlib.compress(data, ISAL_LEVEL)


# compress(data, level) -> a zlib stream; ``level`` is a zlib level (see the module).
compress = zlib.compress if isal_zlib is None else _isal_compress
