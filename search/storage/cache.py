"""Memos kept on a Whoosh reader or searcher, named, in one place.

Readers and searchers are replaced after every commit, so whatever is computed
from one (a segment's length bytes, a language's paragraph count, a filter's
documents) can be kept on it and dies with it: no invalidation, no global
state. Each memo is a dict under one attribute, ``_izde_memos``, by name.
"""

_ATTRIBUTE = "_izde_memos"


def memo(owner, name: str) -> dict:
    """The dict named ``name`` kept on ``owner`` (a reader or searcher), made on first use.

        >>> class Reader: pass
        >>> reader = Reader()
        >>> memo(reader, "lengths")["text_kk"] = b"..."
        >>> memo(reader, "lengths")
        {'text_kk': b'...'}
    """
    memos = owner.__dict__.get(_ATTRIBUTE)
    if memos is None:
        memos = owner.__dict__[_ATTRIBUTE] = {}
    found = memos.get(name)
    if found is None:
        found = memos[name] = {}
    return found
