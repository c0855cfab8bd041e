"""Whoosh's W3 codec with postings blocks pickled in a protocol that reads bytes fast.

A W3 postings block is a pickled ``(docnum deltas, weights, values)`` tuple,
and for a field with positions each value is a ``bytes`` string. Whoosh pickles
blocks with protocol 2, which has no opcode for ``bytes``: each value becomes a
call of ``_codecs.encode`` when the block is read, so a block of 128 postings
took ~100 µs to unpickle against ~10 µs in protocol 5, and reading blocks was
most of a query on a 100k-paragraph index.

:class:`IzdeCodec` writes the same blocks in protocol 5. Readers need nothing
new: ``pickle.loads`` reads any protocol, and a block's header, compression and
layout are Whoosh's own, so indexes with blocks of either kind read alike.
"""

import pickle
import zlib

from whoosh.codec.whoosh3 import (COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC, W3Codec,
                                  W3PostingsWriter)
from whoosh.util.numeric import length_to_byte

BLOCK_PROTOCOL = 5


class IzdeCodec(W3Codec):
    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)


class _PostingsWriter(W3PostingsWriter):
    def _write_block(self, last=False):
        # W3PostingsWriter._write_block with the data pickled in BLOCK_PROTOCOL;
        # the rest (header magic, statistics, compression, block info) unchanged.
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)

        data = (self._mini_ids(), self._mini_weights(), self._mini_values())
        databytes = pickle.dumps(data, BLOCK_PROTOCOL)
        compression = self._compression if len(databytes) >= COMPRESSION_MIN_SIZE else 0
        if compression:
            databytes = zlib.compress(databytes, compression)

        ids = self._ids
        infobytes = pickle.dumps((len(ids), ids[-1], self._maxweight, compression,
                                  length_to_byte(self._minlength),
                                  length_to_byte(self._maxlength)), 2)
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)

        self._blockcount += 1
        self._new_block()
