"""Paragraphs added as records (Index.add_paragraphs) live beside files without being mistaken for them."""

import json

from search import Index
from search.ingest.manifest import MANIFEST_NAME

RECORD = {"id": "note-1", "text": "Орман өрттері жазда жиі болады", "title": "Өрт туралы"}


def test_a_file_update_keeps_records(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Лесные пожары в области Абай.\n", encoding="utf-8")
    with Index(tmp_path / "ix") as index:
        index.add_paragraphs([RECORD])
        index.update([folder])
        (folder / "a.txt").unlink()
        report = index.update([folder])
        assert report.removed == 1
        assert [hit.path for hit in index.search("өрттері")] == ["note-1"]


def test_adding_a_record_again_replaces_it(tmp_path):
    with Index(tmp_path / "ix") as index:
        index.add_paragraphs([RECORD])
        index.add_paragraphs([{"id": "note-1", "text": "Су тасқыны көктемде келеді"}])
        assert index.search("өрттері") == []
        assert [hit.path for hit in index.search("тасқыны")] == ["note-1"]


def test_records_and_titles_survive_an_analysis_upgrade(tmp_path):
    with Index(tmp_path / "ix") as index:
        index.add_paragraphs([RECORD])
    manifest_path = tmp_path / "ix" / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["schema_version"] = 1  # as if built by an older Izde
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with Index(tmp_path / "ix") as index:
        index.update([])
        assert [hit.path for hit in index.search("туралы")] == ["note-1"]  # only in the title
        assert [hit.path for hit in index.search("өрттері")] == ["note-1"]
