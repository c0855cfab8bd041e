"""A damaged index is a one-line error, and `izde index --rebuild` brings it back (D1–D5),
without ever deleting a file Izde did not write (S3); segment checksums catch damage
inside a file (`izde check --deep`)."""

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOREST = "Лесные пожары в области Абай уничтожили сотни гектаров леса.\n"
FLOOD = "Су тасқыны кезеңіне дайындық шеңберінде жұмыстар жүргізілуде.\n"


def izde(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "search.cli", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def healthy(tmp_path_factory):
    base = tmp_path_factory.mktemp("healthy")
    docs = base / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("\n".join(f"{FOREST.strip()} День {i}." for i in range(40)),
                                 encoding="utf-8")
    (docs / "b.txt").write_text(FLOOD, encoding="utf-8")
    assert izde("index", docs, "--index", base / "ix").returncode == 0
    return base


@pytest.fixture
def index(healthy, tmp_path):
    shutil.copytree(healthy / "ix", tmp_path / "ix")
    return tmp_path / "ix", healthy / "docs"


def segment(folder: Path) -> Path:
    return max(folder.glob("MAIN_*.seg"), key=lambda f: f.stat().st_size)


def postings_part(folder: Path, seg: Path) -> tuple[int, int]:
    """(offset, length) of the postings inside a compound segment file."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage

    compound = CompoundStorage(FileStorage(str(folder)).open_file(seg.name), use_mmap=False)
    try:
        entry = next(entry for name, entry in compound._dir.items() if name.endswith(".pst"))
    finally:
        compound.close()
    return entry["offset"], entry["length"]


def one_line_error(done, code=3):
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    return done.stderr


def truncate_one_byte(folder):
    seg = segment(folder)
    seg.write_bytes(seg.read_bytes()[:-1])


def empty_segment(folder):
    segment(folder).write_bytes(b"")


def delete_segment(folder):
    segment(folder).unlink()


def delete_manifest(folder):
    (folder / "izde-manifest.json").unlink()


def wrong_types(folder):
    (folder / "izde-manifest.json").write_text('{"schema_version": "x", "files": []}')


@pytest.mark.parametrize("damage", [truncate_one_byte, empty_segment, delete_segment,
                                    delete_manifest, wrong_types])
def test_every_command_says_damaged_in_one_line_and_rebuild_recovers(index, damage):
    folder, docs = index
    damage(folder)
    for command in (["search", "пожары"], ["stats"]):
        error = one_line_error(izde(*command, "--index", folder))
        assert "rebuild" in error
    assert izde("check", "--index", folder).returncode in (1, 3)
    assert "Traceback" not in izde("check", "--index", folder).stderr
    rebuilt = izde("index", docs, "--index", folder, "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    found = izde("search", "пожары", "--index", folder)
    assert found.returncode == 0 and "a.txt" in found.stdout
    assert izde("check", "--index", folder, "--deep").returncode == 0


def test_an_update_refuses_a_truncated_segment_instead_of_reporting_success(index):
    folder, docs = index
    truncate_one_byte(folder)
    assert "damaged" in one_line_error(izde("index", docs, "--index", folder))


def test_check_deep_finds_a_byte_changed_inside_a_segment(index):
    folder, _ = index
    seg = segment(folder)
    data = bytearray(seg.read_bytes())
    # A byte of the postings, which a plain check never reads (it reads stored fields).
    start, length = postings_part(folder, seg)
    data[start + length // 2] ^= 0xFF
    seg.write_bytes(bytes(data))
    assert izde("check", "--index", folder).returncode == 0  # same size: only --deep reads it
    deep = izde("check", "--index", folder, "--deep")
    assert deep.returncode == 1 and seg.name in deep.stdout and "rebuild" in deep.stdout
    report = json.loads(izde("check", "--index", folder, "--deep", "--json").stdout)
    assert report["healthy"] is False and seg.name in report["damaged_segments"][0]


def test_a_lock_replaced_by_a_folder_is_one_line(index):
    folder, docs = index
    (folder / "MAIN_WRITELOCK").unlink(missing_ok=True)
    (folder / "MAIN_WRITELOCK").mkdir()
    assert "MAIN_WRITELOCK is a folder" in one_line_error(izde("index", docs, "--index", folder))


def test_rebuild_never_deletes_a_file_izde_did_not_write(index):
    folder, docs = index
    (folder / "my_notes.txt").write_text("мои заметки", encoding="utf-8")
    truncate_one_byte(folder)
    assert izde("index", docs, "--index", folder, "--rebuild").returncode == 0
    assert (folder / "my_notes.txt").read_text(encoding="utf-8") == "мои заметки"
    assert izde("search", "пожары", "--index", folder).returncode == 0


def test_a_folder_with_a_stray_manifest_keeps_the_users_files(tmp_path, healthy):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "my_notes.txt").write_text("мои заметки", encoding="utf-8")
    (folder / "izde-manifest.json").write_text("{}", encoding="utf-8")
    done = izde("index", healthy / "docs", "--index", folder, "--rebuild")
    assert "Traceback" not in done.stderr
    assert (folder / "my_notes.txt").read_text(encoding="utf-8") == "мои заметки"


def test_two_processes_creating_one_index_both_succeed_with_wait(tmp_path, healthy):
    for attempt in range(2):
        folder = tmp_path / f"new{attempt}"
        command = [sys.executable, "-m", "search.cli", "index", str(healthy / "docs"),
                   "--index", str(folder), "--wait", "60"]
        first, second = (subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True) for _ in range(2))
        for process in (first, second):
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
        assert izde("check", "--index", folder).returncode == 0


def test_a_creator_waits_for_one_that_is_still_writing_the_first_files(tmp_path, healthy):
    """The campaign's race made deterministic: another process holds the lock with its
    manifest half written; the second creator waits instead of calling the folder foreign."""
    from whoosh.util.filelock import FileLock

    folder = tmp_path / "new"
    folder.mkdir()
    lock = FileLock(str(folder / "MAIN_WRITELOCK"))
    assert lock.acquire()
    (folder / "izde-manifest.json.tmp").write_text('{"schema_ver', encoding="utf-8")
    second = subprocess.Popen([sys.executable, "-m", "search.cli", "index", str(healthy / "docs"),
                               "--index", str(folder), "--wait", "60"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2)
    assert second.poll() is None  # waiting for the lock, not refusing the folder
    lock.release()
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert izde("check", "--index", folder).returncode == 0
