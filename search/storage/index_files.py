"""Which files of an index folder Izde wrote, and whether its segments are still what it wrote.

Izde deletes only what it can prove it wrote: the names Whoosh gives its TOCs,
segments, lock and temporary folders, Izde's own ``izde-*.json`` files, and
nothing else, so a user's ``my_notes.txt`` in an index folder survives a
``--rebuild``. :data:`MARKER_NAME`, written when an index is created, says a
folder is an index even after its manifest is lost.

Segments carry no checksums in Whoosh's format, so random damage inside one
went unnoticed until a search read it (13 of 15 cases). After each commit
:func:`record_checksums` stores every segment file's size and CRC32 (Lucene's
codec footers use CRC32 too) in :data:`CHECKSUMS_NAME`; :func:`segment_damage`
compares sizes (cheap: before every update) or contents too (``izde check --deep``).
Segment files never change once written (deletions live in the TOC), so a file
is hashed once.
"""

import json
import os
import re
import shutil
import zlib
from pathlib import Path

MARKER_NAME = "izde-index.json"
CHECKSUMS_NAME = "izde-checksums.json"
LOCK_NAME = "MAIN_WRITELOCK"

# Whoosh: _MAIN_<gen>.toc (and its temporary _MAIN_<gen>.toc.<time>), MAIN_<segid>.<ext>,
# MAIN_WRITELOCK, <random>.tmp (writer's temporary storage); Izde: izde-<name>.json[.tmp].
_INDEX_FILE = re.compile(r"_MAIN_\d+\.toc(\.[\d.]+)?|MAIN_[a-z0-9]+(\.[a-z0-9]+)+|MAIN_WRITELOCK"
                         r"|[a-z0-9]{28}\.tmp|izde-[a-z.-]+\.json(\.tmp)?")
_HASH_BLOCK = 1 << 20


def is_index_file(name: str) -> bool:
    """Whether a folder entry named ``name`` is one Izde or Whoosh writes.

    >>> is_index_file("_MAIN_3.toc"), is_index_file("MAIN_a89pxsxlvo88t24n.seg"), is_index_file("my_notes.txt")
    (True, True, False)
    """
    return _INDEX_FILE.fullmatch(name) is not None


def foreign_entries(folder: Path) -> list[str]:
    """Entries of ``folder`` that Izde did not write."""
    return sorted(entry.name for entry in folder.iterdir() if not is_index_file(entry.name))


def remove_index_files(folder: Path, keep: tuple[str, ...] = ()) -> None:
    """Delete what Izde wrote in ``folder`` but ``keep`` (the lock held meanwhile); anything
    else stays, and so does the folder."""
    for entry in folder.iterdir():
        if not is_index_file(entry.name) or entry.name in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            if entry.name.endswith(".tmp"):
                shutil.rmtree(entry, ignore_errors=True)  # a writer's temporary storage
            continue  # a folder named like a file of ours was not made by Izde
        entry.unlink(missing_ok=True)


def remove_unfinished_files(folder: Path, ix) -> None:
    """Delete segment and temporary files no commit of ``ix`` names: what a writer that
    failed (a full disk) left. Call only while holding the write lock."""
    kept = set(segment_file_names(ix))
    for entry in folder.iterdir():
        name = entry.name
        unfinished = (name.startswith("MAIN_") and name != LOCK_NAME and name not in kept) \
            or re.fullmatch(r"_MAIN_\d+\.toc\.[\d.]+|[a-z0-9]{28}\.tmp|izde-[a-z.-]+\.json\.tmp",
                            name)
        if not unfinished or not is_index_file(name):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def write_marker(folder: Path) -> None:
    with open(folder / MARKER_NAME, "w", encoding="utf-8") as out:
        json.dump({"izde_index": 1}, out)


def segment_file_names(ix) -> list[str]:
    """The files the segments of ``ix``'s latest TOC are stored in (empty for an empty index);
    a segment whose files are all gone is named by its compound file."""
    names = []
    for segment in ix._segments():
        found = segment.list_files(ix.storage)
        names.extend(found or [segment.make_filename(".seg")])
    return names


def _crc32(path: Path) -> int:
    value = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_HASH_BLOCK), b""):
            value = zlib.crc32(block, value)
    return value


def _load_checksums(folder: Path) -> dict[str, dict]:
    try:
        loaded = json.loads((folder / CHECKSUMS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {name: entry for name, entry in loaded.items()
            if isinstance(entry, dict) and isinstance(entry.get("size"), int)
            and isinstance(entry.get("crc32"), int)}


def record_checksums(folder: Path, writer) -> None:
    """Store size and CRC32 of each segment file of the commit ``writer`` just made.

    Files hashed before keep their entry, new ones are hashed now; files a
    concurrent commit has already removed are left out.
    """
    from whoosh.index import FileIndex

    ix = FileIndex(writer.storage, writer.schema, writer.indexname)
    known = _load_checksums(folder)
    recorded = {}
    for name in segment_file_names(ix):
        path = folder / name
        try:
            size = path.stat().st_size
            entry = known.get(name)
            recorded[name] = entry if entry and entry["size"] == size else \
                {"size": size, "crc32": _crc32(path)}
        except OSError:
            continue
    temporary = folder / (CHECKSUMS_NAME + ".tmp")
    with open(temporary, "w", encoding="utf-8") as out:
        json.dump(recorded, out, indent=0)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, folder / CHECKSUMS_NAME)


def segment_damage(folder: Path, ix, deep: bool = False) -> list[str]:
    """What is wrong with the segment files of ``ix``: one line each, none when healthy.

    Missing files and sizes that differ from the recorded ones are always found;
    ``deep`` also reads every file and compares its CRC32. A file written before
    checksums existed (or by a commit killed before recording them) is not judged.
    """
    for _ in range(3):
        generation = ix.latest_generation()
        problems = _segment_damage(folder, segment_file_names(ix), deep)
        if ix.latest_generation() == generation:
            break  # no commit replaced the segments meanwhile: "missing" means missing
    return problems


def _segment_damage(folder: Path, names: list[str], deep: bool) -> list[str]:
    known = _load_checksums(folder)
    problems = []
    for name in names:
        path = folder / name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            problems.append(f"{name}: missing")
            continue
        entry = known.get(name)
        if entry is None:
            continue
        if size != entry["size"]:
            problems.append(f"{name}: {size:,} bytes, {entry['size']:,} when written")
        elif deep and _crc32(path) != entry["crc32"]:
            problems.append(f"{name}: content differs from when it was written (CRC32)")
    return problems
