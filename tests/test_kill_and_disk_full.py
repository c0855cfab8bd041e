"""The campaign's crash scripts in small: SIGKILL anywhere in an update or a rebuild
loses and duplicates nothing; a full disk is one line, and a later run succeeds."""

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "search.cli"]


def izde(*args):
    return subprocess.run([*COMMAND, *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def write_corpus(folder: Path, files: int, variant: str = "") -> None:
    folder.mkdir(exist_ok=True)
    for number in range(files):
        paragraphs = [f"Лесные пожары {variant} номер {number} в области Абай, абзац {p}."
                      for p in range(12)]
        (folder / f"{number:03}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")


def paragraphs(folder: Path) -> int:
    done = izde("stats", "--index", folder, "--json")
    assert done.returncode == 0, done.stderr
    import json
    return json.loads(done.stdout)["paragraphs"]


@pytest.mark.parametrize("rebuild", [False, True])
def test_sigkill_anywhere_loses_and_duplicates_nothing(tmp_path, rebuild):
    docs, folder = tmp_path / "docs", tmp_path / "ix"
    write_corpus(docs, 30)
    assert izde("index", docs, "--index", folder).returncode == 0
    write_corpus(docs, 60, variant="новые")  # 30 changed, 30 new: 720 paragraphs
    extra = ["--rebuild"] if rebuild else []
    for delay in (0.4, 1.2, 2.5):
        process = subprocess.Popen([*COMMAND, "index", str(docs), "--index", str(folder), *extra],
                                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        # Whatever the moment: the index opens, a search answers, nothing says damaged.
        searched = izde("search", "пожары", "--index", folder)
        assert searched.returncode in (0, 1) and "Traceback" not in searched.stderr
        assert izde("check", "--index", folder).returncode in (0, 1)
    assert izde("index", docs, "--index", folder).returncode == 0
    assert izde("check", "--index", folder, "--deep").returncode == 0
    assert paragraphs(folder) == 720


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs, where this system lets the tests mount one."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or 'refused'})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_a_full_disk_is_one_line_and_a_later_run_succeeds(tmp_path, small_disk):
    docs, folder = tmp_path / "docs", small_disk / "ix"
    write_corpus(docs, 20)
    assert izde("index", docs, "--index", folder).returncode == 0
    before = paragraphs(folder)
    write_corpus(docs, 400, variant="больше")
    filler = small_disk / "filler"
    with open(filler, "wb") as out:  # leave ~200 KB
        while shutil.disk_usage(small_disk).free > 200_000:
            out.write(b"\0" * 65536)
    full = izde("index", docs, "--index", folder)
    assert full.returncode == 1 and "no space left" in full.stderr
    assert "Traceback" not in full.stderr and len(full.stderr.strip().splitlines()) == 1
    assert paragraphs(folder) == before  # the previous index is intact
    filler.unlink()
    assert izde("index", docs, "--index", folder).returncode == 0
    assert paragraphs(folder) == 400 * 12
    assert izde("check", "--index", folder, "--deep").returncode == 0
