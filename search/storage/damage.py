"""Tell a search that failed on a damaged segment from a search that failed on a bug.

Whoosh reads segments lazily, so damage inside one (a disk error, a file
overwritten by another program) shows only when a search reads the damaged
bytes, and as whatever decoding failed first: a block's bad tag, zlib or
pickle giving up, a term that is not UTF-8, but also a ``KeyError``, an
``IndexError`` or a ``ValueError`` ("negative seek position") from offsets
that point nowhere. Those three are also what a bug raises, so they count as
damage only when raised inside the code that decodes segments.
"""

import pickle
import struct
import zlib
from pathlib import Path

import whoosh
from whoosh.automata.fst import FileVersionError
from whoosh.filedb.filetables import FileFormatError
from whoosh.reading import CorruptIndexError as WhooshCorruptIndexError

# Raised only by decoding bytes: damage wherever they come from.
_DECODING_ERRORS = (WhooshCorruptIndexError, FileFormatError, FileVersionError, UnicodeError,
                    zlib.error, struct.error, pickle.UnpicklingError, EOFError)
# Damage when raised while decoding a segment; anywhere else, a bug to show.
_LOOKUP_ERRORS = (LookupError, ValueError, OverflowError)
_SEGMENT_READERS = (str(Path(whoosh.__file__).parent),
                    *(str(Path(__file__).with_name(name)) for name in (
                        "codec.py", "segment_files.py", "postings.py", "posting_arrays.py")))


def raised_by_damage(error: BaseException) -> bool:
    """Whether ``error`` is what reading a damaged segment raises (see the module)."""
    if isinstance(error, _DECODING_ERRORS):
        return True
    return isinstance(error, _LOOKUP_ERRORS) and _innermost_file(error).startswith(_SEGMENT_READERS)


def _innermost_file(error: BaseException) -> str:
    traceback, filename = error.__traceback__, ""
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        traceback = traceback.tb_next
    return filename
