"""An index written by an earlier Izde (main at e5e5345, before search/ became subpackages)
keeps opening and searching: its TOC pickles ``search.codec.IzdeCodec`` by name, and
its blocks are in the packed layout of that day. Formats are code that must not break
silently (tantivy keeps old-format indexes in its tests the same way)."""

import shutil
from pathlib import Path

import pytest

from search import Index

FIXTURE = Path(__file__).parent / "fixtures" / "format_e5e5345"


@pytest.fixture
def old_index(tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(FIXTURE / "index", copy)
    with Index(copy) as index:
        yield index


def test_the_toc_names_the_codec_by_its_old_module_path():
    toc = next((FIXTURE / "index").glob("_MAIN_*.toc")).read_bytes()
    assert b"search.codec" in toc and b"search.storage" not in toc


@pytest.mark.parametrize("query, file, paragraph, lang, score", [
    ("лесные пожары", "000_91e10abcbcaecb03.txt", 6, "ru", 14.1846),
    ("forest fire", "en_note.txt", 1, "en", 9.3931),
    ("орман", "kk_note.txt", 1, "kk", 5.5561),
])
def test_an_index_of_the_earlier_layout_answers_as_it_did(old_index, query, file, paragraph,
                                                          lang, score):
    # The figures are what the earlier Izde answered when it wrote the fixture.
    best = old_index.search(query, limit=3)[0]
    assert (Path(best.path).name, best.paragraph, best.lang) == (file, paragraph, lang)
    assert best.score == pytest.approx(score, abs=1e-3)
    assert "**" in best.snippet


def test_an_index_of_the_earlier_layout_takes_updates(old_index, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "new.txt").write_text("Орман шаруашылығы жаңа көшеттер отырғызды.\n", encoding="utf-8")
    old_index.update([docs])
    assert any(Path(hit.path).name == "new.txt" for hit in old_index.search("көшеттер"))
    assert any(Path(hit.path).name == "kk_note.txt" for hit in old_index.search("ормандарды"))
