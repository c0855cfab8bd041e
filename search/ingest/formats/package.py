"""Reading the XML parts of a zipped document (DOCX, ODT, EPUB), damage reported as such."""

import io
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree

from search.errors import UnreadableFileError

# A zip bomb guard: no document part Izde reads is anywhere near this.
_MAX_PART_BYTES = 200 * 1024 * 1024


class DocumentPackage:
    """The zip archive of a document; ``xml(name)`` parses one part of it."""

    def __init__(self, data: bytes, path: Path):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError) as error:
            raise self.damaged(error) from None

    def damaged(self, error: Exception) -> UnreadableFileError:
        kind = self.path.suffix.lower().lstrip(".").upper() or "document"
        return UnreadableFileError(f"{self.path}: skipped, the {kind} file is damaged "
                                   f"({error.__class__.__name__}: {error})"[:300])

    def has(self, name: str) -> bool:
        return name in self.zip.namelist()

    def xml(self, name: str) -> ElementTree.Element:
        try:
            info = self.zip.getinfo(name)
            if info.file_size > _MAX_PART_BYTES:
                raise ValueError(f"{name} unpacks to {info.file_size:,} bytes")
            return ElementTree.fromstring(self.zip.read(info))
        except (KeyError, ValueError, ElementTree.ParseError, zipfile.BadZipFile,
                EOFError, OSError, zlib.error, NotImplementedError) as error:
            raise self.damaged(error) from None
