"""An index written by an earlier Izde (main at e5e5345, before search/ became subpackages)
keeps opening: its TOC pickles ``search.codec.IzdeCodec`` by name and its blocks are in
the packed layout of that day. Formats are code that must not break silently (tantivy
keeps old-format indexes in its tests the same way). Its schema version is older than
today's, so Izde re-analyzes it on the next update, as it would for a user."""

import json
import shutil
from pathlib import Path

import pytest

from search import Index
from search.storage.open import open_index
from search.storage.schema import SCHEMA_VERSION, build_schema

FIXTURE = Path(__file__).parent / "fixtures" / "format_e5e5345"
WRITTEN_AT = "/work/main/tests/fixtures/format_e5e5345/docs"  # the paths its manifest holds


@pytest.fixture
def old_index(tmp_path):
    """A copy of the fixture whose manifest points at a copy of its documents."""
    docs, folder = tmp_path / "docs", tmp_path / "index"
    shutil.copytree(FIXTURE / "docs", docs)
    shutil.copytree(FIXTURE / "index", folder)
    manifest = folder / "izde-manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(WRITTEN_AT, str(docs)),
                        encoding="utf-8")
    with Index(folder) as index:
        yield index, docs


def test_the_toc_names_the_codec_by_its_old_module_path():
    toc = next((FIXTURE / "index").glob("_MAIN_*.toc")).read_bytes()
    assert b"search.codec" in toc and b"search.storage" not in toc


def test_its_segments_open_and_read_through_todays_storage_layer(old_index):
    index, _ = old_index
    ix = open_index(index.path, build_schema())
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 25
        assert searcher.doc_frequency("lang", "ru") == 21
        # Postings of the packed layout, read by today's codec.
        assert searcher.doc_frequency("text_ru", "пожар") >= 2
        assert {searcher.stored_fields(doc)["paragraph"]
                for doc in searcher.document_numbers(lang="kk")} == {1, 2}
    ix.close()


@pytest.mark.parametrize("query, file, paragraph, lang", [
    ("лесные пожары", "000_91e10abcbcaecb03.txt", 6, "ru"),
    ("forest fire", "en_note.txt", 1, "en"),
    ("орман", "kk_note.txt", 1, "kk"),
])
def test_an_update_brings_it_to_todays_analysis_with_the_same_answers(old_index, query, file,
                                                                      paragraph, lang):
    # What the earlier Izde answered when it wrote the fixture.
    index, _ = old_index
    if json.loads((index.path / "izde-manifest.json").read_text())["schema_version"] \
            != SCHEMA_VERSION:
        assert index.is_stale
    index.update([])
    assert not index.is_stale
    best = index.search(query, limit=3)[0]
    assert (Path(best.path).name, best.paragraph, best.lang) == (file, paragraph, lang)
    assert "**" in best.snippet


def test_an_index_of_the_earlier_layout_takes_new_files(old_index, tmp_path):
    index, docs = old_index
    (docs / "new.txt").write_text("Орман шаруашылығы жаңа көшеттер отырғызды.\n", encoding="utf-8")
    index.update([docs])
    assert any(Path(hit.path).name == "new.txt" for hit in index.search("көшеттер"))
    assert any(Path(hit.path).name == "kk_note.txt" for hit in index.search("ормандарды"))
