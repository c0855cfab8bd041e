"""Izde: full-text search for Kazakh, Russian and English paragraphs.

    from search import Index
    hits = Index("index").search("лесные пожары", limit=3)

Names are imported on first use (PEP 562), so ``izde --help`` and scripts that
need only an error class do not load Whoosh and the morphology.
"""

from importlib import import_module

_HOMES = {
    "Index": "search.index", "Hit": "search.hits", "Hits": "search.hits",
    "IndexStats": "search.hits", "UpdateReport": "search.ingest.indexer",
    **{name: "search.errors" for name in (
        "ClusterUnavailableError", "CorruptIndexError", "IndexLockedError", "IndexNotFoundError", "IzdeError",
        "PathNotFoundError", "QuerySyntaxError", "UnreadableFileError")},
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # the next look-up is an ordinary attribute
    return value


def __dir__():
    return sorted({*globals(), *__all__})
