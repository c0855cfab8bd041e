"""What `izde index` reads: every encoding of Kazakh and Russian, HTML, and bad files."""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from search import Index
from search.cli import main
from search.ingest.html_text import html_to_text

KAZAKH = ("Су тасқыны кезеңіне дайындық шеңберінде облыста инженерлік іс-шаралар жүргізілуде, "
          "өзендердің жағалаулары нығайтылып, тұрғындарға ескерту жасалды.")
RUSSIAN = ("Лесные пожары в области Абай уничтожили сотни гектаров соснового леса, "
           "спасатели работали всю ночь.")
# cp1251 and KOI8-R have no ә ғ қ ң ө ұ ү һ (KOI8-R not even і): Kazakh text that
# arrives in them is written without those letters, like this sentence.
KAZAKH_IN_RUSSIAN_LETTERS = "Балалар мектепке барады. Кеше ауа райы жылы болды, жаз келе жатыр."

ENCODINGS = [
    ("utf-8", KAZAKH, "тасқыны"), ("utf-8", RUSSIAN, "пожары"),
    ("utf-8-sig", KAZAKH, "тасқыны"), ("utf-8-sig", RUSSIAN, "пожары"),
    ("utf-16", KAZAKH, "тасқыны"), ("utf-16", RUSSIAN, "пожары"),  # with BOM
    ("utf-16-le", KAZAKH, "тасқыны"), ("utf-16-be", RUSSIAN, "пожары"),  # without
    ("cp1251", RUSSIAN, "пожары"), ("cp1251", KAZAKH_IN_RUSSIAN_LETTERS, "мектепке"),
    ("koi8-r", RUSSIAN, "пожары"), ("koi8-r", KAZAKH_IN_RUSSIAN_LETTERS, "мектепке"),
    ("kz1048", KAZAKH, "тасқыны"),
]


@pytest.mark.parametrize("encoding, text, word", ENCODINGS,
                         ids=[f"{e}-{w}" for e, _, w in ENCODINGS])
def test_files_in_every_encoding_are_indexed_and_found(corpus, tmp_path, encoding, text, word):
    (corpus / "note.txt").write_bytes(text.encode(encoding))
    with Index(tmp_path / "ix") as index:
        assert index.update([corpus]).added == 1
        [hit] = index.search(word)
        assert hit.text == text


PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Су тасқыны</title>
<style>.x { color: red }</style><script>var menu = "пожары в скрипте";</script></head>
<body>
<header><a href="/">Басты бет</a> <a href="/news">Жаңалықтар</a></header>
<nav><ul><li>Саясат</li><li>Қоғам</li></ul></nav>
<main><article>
<h1>Лесные пожары в области Абай</h1>
<p>Спасатели работали всю ночь,
   огонь уничтожил сотни&nbsp;гектаров&nbsp;леса.</p>
<div>Су тасқыны кезеңіне <b>дайындық</b> жүргізілуде.</div>
</article></main>
<aside>Реклама: купите билеты</aside>
<footer>© 2024 Все права защищены</footer>
</body></html>"""


def test_html_is_read_as_text_one_paragraph_per_block_without_navigation():
    assert html_to_text(PAGE).split("\n\n") == [
        "Су тасқыны",
        "Лесные пожары в области Абай",
        "Спасатели работали всю ночь, огонь уничтожил сотни гектаров леса.",
        "Су тасқыны кезеңіне дайындық жүргізілуде.",
    ]


def test_html_and_htm_pages_are_indexed_without_tags_scripts_or_furniture(corpus, tmp_path):
    (corpus / "page.html").write_text(PAGE, encoding="utf-8")
    (corpus / "old.htm").write_bytes(
        "<html><body><p>Прямые рейсы из Сеула в Алматы.</p></body></html>".encode("cp1251"))
    with Index(tmp_path / "ix") as index:
        assert index.update([corpus]).added == 2
        assert {Path(h.path).name for h in index.search("рейсы")} == {"old.htm"}
        assert [h.text for h in index.search("спасатели")][0].startswith("Спасатели")
        for furniture in ("скрипте", "реклама", "Жаңалықтар", "права", "color"):
            assert index.search(furniture) == [], furniture


@pytest.fixture
def bad_files(corpus):
    (corpus / "good.txt").write_text(RUSSIAN, encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blank.md").write_text("\n  \n\t\n", encoding="utf-8")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 16)
    (corpus / "huge.txt").write_text(KAZAKH * 2000, encoding="utf-8")  # ~290 KB
    (corpus / "dangling.txt").symlink_to(corpus / "nowhere.txt")
    (corpus / "locked.txt").write_text(KAZAKH, encoding="utf-8")
    return corpus


def _deny_reading(monkeypatch, name):
    # Tests run as root, for whom chmod 000 changes nothing: refuse like the OS would.
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == name:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def test_each_bad_file_gets_one_warning_line_and_is_counted(bad_files, monkeypatch):
    _deny_reading(monkeypatch, "locked.txt")
    monkeypatch.chdir(bad_files.parent)
    result = CliRunner().invoke(main, ["index", "docs", "--index", "ix", "--max-size", "0.1",
                                       "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    reasons = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert report["added"] == 1
    assert set(reasons) == {"empty.txt", "blank.md", "binary.txt", "huge.txt", "dangling.txt",
                            "locked.txt"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]
    assert "limit" in reasons["huge.txt"] and "symbolic link" in reasons["dangling.txt"]
    assert "Permission denied" in reasons["locked.txt"]
    warnings = result.stderr.splitlines()
    assert len(warnings) == 6 and all(w.startswith("izde: warning: docs/") for w in warnings)

    summary = CliRunner().invoke(main, ["index", "docs", "--index", "ix", "--max-size", "0.1"])
    assert "1 unchanged, 6 skipped" in summary.stdout


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_file_without_read_permission_is_skipped(corpus, tmp_path):
    (corpus / "good.txt").write_text(RUSSIAN, encoding="utf-8")
    locked = corpus / "locked.txt"
    locked.write_text(KAZAKH, encoding="utf-8")
    locked.chmod(0)
    try:
        with Index(tmp_path / "ix") as index:
            report = index.update([corpus])
        assert report.added == 1 and [Path(p).name for p, _ in report.skipped] == ["locked.txt"]
    finally:
        locked.chmod(0o644)


def test_a_file_that_turns_bad_leaves_the_index(corpus, tmp_path):
    path = corpus / "a.txt"
    path.write_text(RUSSIAN, encoding="utf-8")
    with Index(tmp_path / "ix") as index:
        index.update([corpus])
        path.write_bytes(bytes(range(256)) * 4)
        report = index.update([corpus])
        assert report.removed == 1 and len(report.skipped) == 1
        assert index.search("пожары") == []


def test_a_bad_file_is_reported_each_time_but_read_only_once(corpus, tmp_path, monkeypatch):
    (corpus / "good.txt").write_text(RUSSIAN, encoding="utf-8")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 16)
    with Index(tmp_path / "ix") as index:
        index.update([corpus])
        monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"re-read {self}"))
        report = index.update([corpus])
        assert report.unchanged == 1 and [Path(p).name for p, _ in report.skipped] == ["binary.txt"]
        monkeypatch.undo()
        (corpus / "binary.txt").write_text(KAZAKH, encoding="utf-8")  # fixed by its owner
        assert index.update([corpus]).added == 1
