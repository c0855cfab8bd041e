"""The failures of semantic mode a user can act on."""

from search.errors import IzdeError


class SemanticUnavailableError(IzdeError):
    """The embedding model cannot run here: not installed, or the CPU lacks what it needs."""

    exit_code = 2


class EmbedderMismatchError(IzdeError):
    """The index's embeddings came from another model (or dimension) than the one given."""

    exit_code = 2


class NotSemanticError(IzdeError):
    """Semantic ranking was asked of an index that keeps no embeddings."""

    exit_code = 2
