"""Files as a black-box campaign left them: bad names, a bad byte, links out of the
folder, paths too long, one enormous line, control characters (B1–B3, S2, R2)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search import Index

ROOT = Path(__file__).resolve().parent.parent
KAZAKH = ("Су тасқыны кезеңіне дайындық шеңберінде облыс әкімдігі жұмыстар жүргізуде, "
          "өзен арнасы тазартылып, бөгеттер нығайтылуда.")
FOREST = "Лесные пожары в области Абай уничтожили сотни гектаров леса."


def izde(*args):
    return subprocess.run([sys.executable, "-m", "search.cli", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_a_file_name_that_is_not_utf8_is_skipped_and_the_rest_indexed(corpus, tmp_path):
    for number in range(5):
        (corpus / f"good{number}.txt").write_text(f"{FOREST} Номер {number}.", encoding="utf-8")
    bad = os.path.join(os.fsencode(corpus), b"bad\xff.txt")
    with open(bad, "wb") as out:
        out.write(b"x")
    for _ in range(2):  # every rerun too
        done = izde("index", corpus, "--index", tmp_path / "ix", "--json")
        assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert any("not valid UTF-8" in s["reason"] for s in report["skipped"])
    with Index(tmp_path / "ix") as index:
        assert index.stats().files == 5


@pytest.mark.parametrize("paragraphs", [20, 1])
def test_one_bad_byte_in_utf8_is_replaced_not_mojibake(corpus, tmp_path, paragraphs):
    # Each paragraph ends a sentence: a short first line without one would be a title.
    text = "\n\n".join(f"{number}: {KAZAKH}" for number in range(paragraphs)).encode()
    middle = len(text) // 2
    middle = text.index(b" ", middle)  # a space, so the bad byte breaks no character
    (corpus / "kk.txt").write_bytes(text[:middle] + b"\xff" + text[middle:])
    with Index(tmp_path / "ix") as index:
        report = index.update([corpus])
        assert report.added == 1 and not report.skipped
        assert "not valid UTF-8" in report.warnings[0][1]
        hits = index.search("тасқыны", limit=50)
        assert len(hits) == paragraphs and all(hit.lang == "kk" for hit in hits)


def test_cp1251_is_still_read_as_cp1251(corpus, tmp_path):
    (corpus / "ru.txt").write_bytes((FOREST + "\n") .encode("cp1251"))
    with Index(tmp_path / "ix") as index:
        index.update([corpus])
        assert index.search("пожары")[0].text == FOREST


def test_a_path_longer_than_path_max_is_reported(corpus, tmp_path):
    (corpus / "ok.txt").write_text(FOREST, encoding="utf-8")
    deep = os.fsencode(corpus)
    os.chdir(deep)
    try:
        for _ in range(20):  # 20 x 250 bytes > PATH_MAX (4096)
            os.mkdir(b"d" * 250)
            os.chdir(b"d" * 250)
        with open("deep.txt", "w", encoding="utf-8") as out:
            out.write(FOREST)
    finally:
        os.chdir(ROOT)
    with Index(tmp_path / "ix") as index:
        report = index.update([corpus])
    assert report.added == 1
    assert any("cannot read" in reason or "too long" in reason for _, reason in report.skipped)


@pytest.fixture
def linked(tmp_path):
    """docs/ with one file of its own and links to a file and a folder outside it."""
    docs, outside = tmp_path / "docs", tmp_path / "outside"
    docs.mkdir()
    outside.mkdir()
    (docs / "own.txt").write_text(FOREST, encoding="utf-8")
    (outside / "secret.txt").write_text("Секретный пароль администратора.", encoding="utf-8")
    (docs / "passwd.txt").symlink_to(outside / "secret.txt")
    (docs / "folder").symlink_to(outside)
    (outside / "loop").symlink_to(docs)  # --follow must not walk forever
    return docs, tmp_path / "ix"


def test_a_link_to_a_file_outside_the_folder_is_skipped_with_a_warning(linked):
    docs, folder = linked
    done = izde("index", docs, "--index", folder)
    assert done.returncode == 0
    warnings = [line for line in done.stderr.splitlines() if "outside the folders" in line]
    assert len(warnings) == 1 and "--follow" in warnings[0]
    assert izde("search", "пароль", "--index", folder).returncode == 1


def test_follow_indexes_links_out_of_the_folder(linked):
    docs, folder = linked
    done = izde("index", docs, "--index", folder, "--follow")
    assert done.returncode == 0, done.stderr
    found = izde("search", "пароль", "--index", folder)
    assert found.returncode == 0 and "secret.txt" in found.stdout


def test_one_enormous_line_is_searched_in_pieces_quickly(corpus, tmp_path):
    words = (FOREST + " ") * 40_000  # 2.4 MB on one line
    (corpus / "huge.txt").write_text(words + " уникальноеслово", encoding="utf-8")
    with Index(tmp_path / "ix") as index:
        index.update([corpus])
        started = time.perf_counter()
        hits = index.search("пожары", limit=10)
        hits_end = index.search("уникальноеслово")
        assert time.perf_counter() - started < 3
    assert hits and all(len(hit.text) <= 10_000 for hit in hits)
    assert len(hits_end) == 1 and hits_end[0].paragraph == 1


def test_snippets_do_not_pass_terminal_controls(corpus, tmp_path):
    (corpus / "evil.txt").write_text(f"{FOREST}\x07\x08\x1b[2J \u202eexe.txt", encoding="utf-8")
    with Index(tmp_path / "ix") as index:
        index.update([corpus])
        snippet = index.search("пожары")[0].snippet
    assert not any(c in snippet for c in "\x07\x08\x1b\u202e")
