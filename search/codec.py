"""Kept for indexes already on disk: their TOC pickles ``search.codec.IzdeCodec`` by name.

The codec lives in :mod:`search.storage.codec`; removing this module would make
every index written before the move fail to open (tests/test_old_format.py).
"""

from search.storage.codec import IzdeCodec

__all__ = ["IzdeCodec"]
