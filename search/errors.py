"""The failures a user can act on, one type each; the CLI prints them as one line."""


class IzdeError(Exception):
    """Base class: the message names the problem and, where there is one, the fix."""

    exit_code = 1


class IndexNotFoundError(IzdeError):
    exit_code = 3


class CorruptIndexError(IzdeError):
    exit_code = 3


class IndexLockedError(IzdeError):
    exit_code = 4


class QuerySyntaxError(IzdeError):
    exit_code = 2


class PathNotFoundError(IzdeError):
    exit_code = 2


class UnreadableFileError(IzdeError):
    """A file that cannot be indexed: unreadable, binary, empty, or in an unknown encoding."""


class ClusterUnavailableError(IzdeError):
    """The Dask scheduler of a sharded index cannot be reached (search.cluster)."""

    exit_code = 5
