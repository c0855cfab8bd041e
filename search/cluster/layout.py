"""The layout of a sharded index: N shard folders and the manifest that says how files map to them.

    DIR/izde-cluster.json    {"format": 1, "shards": 4, "assignment": "sha1-path-mod", ...}
    DIR/shard-000/ ...       ordinary Izde indexes (izde-manifest.json, Whoosh segments)

A file goes to the shard given by the SHA-1 of its absolute path modulo the
shard count, so it always lands in the same shard whatever else changes, and
an update of the file replaces its paragraphs in that shard only.

    >>> shard_of("/data/news/2024/001.txt", 4)
    3
"""

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from search.errors import CorruptIndexError, IzdeError

CLUSTER_MANIFEST = "izde-cluster.json"
FORMAT_VERSION = 1
ASSIGNMENT = "sha1-path-mod"  # shard = int(sha1(absolute path, UTF-8)) mod shards
MAX_SHARDS = 1024


def shard_of(path: str | Path, shards: int) -> int:
    """The shard that holds the file at ``path`` (an absolute path) among ``shards``."""
    digest = hashlib.sha1(str(path).encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % shards


def shard_name(shard: int) -> str:
    return f"shard-{shard:03d}"


@dataclass
class ShardRecord:
    """What the last build of a shard left: kept beside the shard count for `stats` and bench."""
    files: int = 0
    paragraphs: int = 0
    seconds: float = 0.0  # the last update's wall time on its worker
    worker: str = ""


@dataclass
class ClusterManifest:
    shards: int
    format: int = FORMAT_VERSION
    assignment: str = ASSIGNMENT
    shard_records: dict[str, ShardRecord] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> "ClusterManifest | None":
        path = Path(folder) / CLUSTER_MANIFEST
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            raise CorruptIndexError(f"{path} is damaged ({error.__class__.__name__}); "
                                    f"rebuild the index with `izde index --rebuild`") from None
        if raw.get("format") != FORMAT_VERSION or raw.get("assignment") != ASSIGNMENT:
            raise CorruptIndexError(f"{path} was written by another version of Izde "
                                    f"(format {raw.get('format')}); rebuild the index")
        records = {name: ShardRecord(**record)
                   for name, record in raw.get("shard_records", {}).items()}
        return cls(int(raw["shards"]), raw["format"], raw["assignment"], records)

    def save(self, folder: Path) -> None:
        """Written to a temporary file and renamed: a reader never sees half a manifest."""
        path = Path(folder) / CLUSTER_MANIFEST
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        os.replace(temporary, path)

    def shard_paths(self, folder: Path) -> list[Path]:
        return [Path(folder) / shard_name(shard) for shard in range(self.shards)]


def is_sharded(folder: str | Path) -> bool:
    """Whether ``folder`` holds a sharded index (its cluster manifest)."""
    return (Path(folder) / CLUSTER_MANIFEST).exists()


def check_shard_count(shards: int) -> int:
    if not 1 <= shards <= MAX_SHARDS:
        raise IzdeError(f"--shards {shards}: use 1 to {MAX_SHARDS}")
    return shards
