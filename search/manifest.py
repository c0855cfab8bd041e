"""The manifest: which files the index holds, so reindexing touches only what changed.

Stored as JSON inside the index directory and replaced atomically (write to a
temporary file, then rename), after the index commit it describes.
"""

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from search.errors import CorruptIndexError

MANIFEST_NAME = "izde-manifest.json"


@dataclass
class FileEntry:
    size: int
    mtime_ns: int
    sha256: str
    paragraphs: int


@dataclass
class Manifest:
    schema_version: int
    files: dict[str, FileEntry]

    @classmethod
    def load(cls, index_dir: Path) -> "Manifest | None":
        path = index_dir / MANIFEST_NAME
        if not path.exists():
            return None
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            files = {name: FileEntry(**entry) for name, entry in raw["files"].items()}
            return cls(int(raw["schema_version"]), files)
        except (ValueError, KeyError, TypeError) as error:
            raise CorruptIndexError(f"{path} is damaged ({error}); rebuild with "
                                    f"`izde index --rebuild`") from None

    def save(self, index_dir: Path) -> None:
        path = index_dir / MANIFEST_NAME
        temporary = path.with_suffix(".tmp")
        payload = {"schema_version": self.schema_version,
                   "files": {name: asdict(entry) for name, entry in sorted(self.files.items())}}
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(payload, out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
