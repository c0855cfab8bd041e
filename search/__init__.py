"""Izde: full-text search for Kazakh, Russian and English paragraphs.

    >>> from search import Index
    >>> hits = Index("index").search("лесные пожары", limit=3)
"""

from search.errors import (CorruptIndexError, IndexLockedError, IndexNotFoundError, IzdeError,
                           PathNotFoundError, QuerySyntaxError, UnreadableFileError)
from search.index import Hit, Index, IndexStats
from search.ingest.indexer import UpdateReport

__all__ = ["CorruptIndexError", "Hit", "Index", "IndexLockedError", "IndexNotFoundError",
           "IndexStats", "IzdeError", "PathNotFoundError", "QuerySyntaxError",
           "UnreadableFileError", "UpdateReport"]
