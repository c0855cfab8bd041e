"""Reading the documents people keep: a file's bytes in, its text blocks out.

Every reader turns one file into :class:`Block` s in reading order: a block is
one paragraph (or, for plain text, a stretch of lines the paragraph splitter
cuts further), marked as a heading or not, with the page it stands on where
the format has pages. Headings become the title of the blocks under them
(:func:`search.paragraphs.document_paragraphs`), as a record's ``title`` does.

Readers are looked up by suffix (:func:`reader_for`). The libraries some of them
need are an extra (``pip install 'izde[documents]'``); without it such a file is
skipped with one warning that says so (:class:`MissingReaderError`).

    >>> [b.text for b in read_blocks(b"# Su\\n\\nText.", "note.md")]
    ['Su', 'Text.']
"""

import importlib
from dataclasses import dataclass
from pathlib import Path

from search.errors import UnreadableFileError


@dataclass(frozen=True)
class Block:
    text: str
    heading: bool = False
    page: int | None = None  # 1-based, for formats that have pages
    # 1-based line of the file where the block starts, for formats whose text is the
    # file's own lines (plain text, Markdown); None elsewhere.
    line: int | None = None


class MissingReaderError(UnreadableFileError):
    """A format whose library is not installed; installing the extra fixes it."""


# suffix -> module of search.ingest.formats with a ``read(data: bytes, path) -> Iterable[Block]``.
# Imported on first use: `izde search` never reads a document.
_READERS = {
    ".txt": "text", ".text": "text", ".md": "text", ".markdown": "text",
    ".html": "text", ".htm": "text", ".xhtml": "text",
    ".pdf": "pdf", ".docx": "docx", ".odt": "odt", ".epub": "epub", ".rtf": "rtf",
    ".eml": "mail", ".mbox": "mail",
}
READABLE_SUFFIXES = frozenset(_READERS)
DOCUMENT_SUFFIXES = frozenset(s for s, module in _READERS.items() if module != "text")


def reader_for(path: str | Path):
    """The reader module for ``path``'s suffix; plain text for a suffix Izde does not know
    (a file named explicitly is read as text whatever its name)."""
    module = _READERS.get(Path(path).suffix.lower(), "text")
    return importlib.import_module(f"search.ingest.formats.{module}")


def read_blocks(data: bytes, path: str | Path) -> list[Block]:
    """The blocks of a file's content, headings included; raises :class:`UnreadableFileError`."""
    return list(reader_for(path).read(data, Path(path)))


def require(module_name: str, package: str, path: Path):
    """Import a reader's library, or say which extra installs it."""
    try:
        return importlib.import_module(module_name)
    except ImportError:
        raise MissingReaderError(f"{path}: skipped, reading {path.suffix.lower()} files needs "
                                 f"{package}: pip install 'izde[documents]'") from None
