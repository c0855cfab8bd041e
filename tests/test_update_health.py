"""`izde check`: drift between the files on disk, the manifest and the index."""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

from search import Index
from search.cli import main
from search.ingest.manifest import MANIFEST_NAME, Manifest

FOREST = "Лесные пожары в области Абай уничтожили сотни гектаров леса.\n"
FLOOD = "Су тасқыны кезеңіне дайындық шеңберінде жұмыстар жүргізілуде.\n"
FLIGHTS = "Прямые рейсы из Сеула в Алматы откроются весной.\n"


@pytest.fixture
def indexed(tmp_path, monkeypatch):
    """docs/ with three files, indexed into ix/; the working folder is tmp_path."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in (("a.txt", FOREST), ("b.txt", FLOOD), ("c.txt", FLIGHTS)):
        (docs / name).write_text(text, encoding="utf-8")
    (docs / "photo.txt").write_bytes(bytes(range(256)) * 4)  # skipped, not "new"
    monkeypatch.chdir(tmp_path)
    assert run("index", "docs", "--index", "ix").exit_code == 0
    return docs


def run(*args):
    return CliRunner().invoke(main, list(args))


def check(*extra):
    result = run("check", "--index", "ix", *extra)
    return result.exit_code, result


def test_a_fresh_index_is_healthy_and_touching_a_file_changes_nothing(indexed):
    os.utime(indexed / "a.txt", ns=(1, 1))
    code, result = check()
    assert code == 0 and result.stdout.strip() == "healthy: 3 files, 3 paragraphs"
    assert json.loads(check("--json")[1].stdout)["healthy"] is True


def test_files_changed_removed_and_added_on_disk_are_drift(indexed):
    (indexed / "a.txt").write_text(FOREST + FLIGHTS, encoding="utf-8")
    (indexed / "b.txt").unlink()
    (indexed / "d.md").write_text(FLOOD, encoding="utf-8")
    code, result = check("--json")
    report = json.loads(result.stdout)
    assert code == 1 and report["healthy"] is False
    assert [Path(p).name for p in report["changed_on_disk"]] == ["a.txt"]
    assert [Path(p).name for p in report["removed_from_disk"]] == ["b.txt"]
    assert [Path(p).name for p in report["new_on_disk"]] == ["d.md"]
    text = check()[1].stdout
    assert "changed on disk: 1\n  docs/a.txt" in text and "run `izde index`" in text

    run("index", "docs", "--index", "ix")
    assert check()[0] == 0


def test_an_index_that_disagrees_with_its_manifest_is_drift(indexed):
    docs_a, docs_b = str(indexed / "a.txt"), str(indexed / "b.txt")
    writer = whoosh_index.open_dir("ix", schema=Index("ix").schema).writer()
    writer.delete_by_term("path", docs_a)
    writer.add_document(path="/elsewhere/ghost.txt", file="ghost.txt", paragraph=1,
                        lang="ru", text="призрак", text_ru="призрак")
    writer.add_document(path=docs_b, file="b.txt", paragraph=2, lang="kk",
                        text="тағы", text_kk="тағы")
    writer.commit()
    manifest = Manifest.load(Path("ix"))
    manifest.generation += 1  # as if the manifest were saved with that commit
    manifest.save(Path("ix"))

    report = json.loads(check("--json")[1].stdout)
    assert report["missing_from_index"] == [docs_a]
    assert report["missing_from_manifest"] == ["/elsewhere/ghost.txt"]
    assert report["paragraph_mismatches"] == [{"path": docs_b, "manifest": 1, "index": 2}]


def test_an_update_killed_after_its_commit_is_reported_and_finished_by_the_next(indexed):
    manifest = Manifest.load(Path("ix"))
    ix = whoosh_index.open_dir("ix")
    ix.writer().commit()  # a commit landed ...
    manifest.save_pending(Path("ix"), ix.latest_generation())  # ... and its manifest did not
    code, result = check()
    assert code == 1 and "unfinished update" in result.stdout
    assert run("index", "docs", "--index", "ix").exit_code == 0
    assert check()[0] == 0


@pytest.mark.parametrize("damage, message", [
    (lambda ix: [toc.write_bytes(b"garbage") for toc in ix.glob("*.toc")], "damaged"),
    (lambda ix: (ix / MANIFEST_NAME).write_text("{", encoding="utf-8"), "damaged"),
    (lambda ix: (ix / MANIFEST_NAME).unlink(), "lost its izde-manifest.json; rebuild it"),
])
def test_a_damaged_index_is_a_clear_error_and_nothing_is_deleted(indexed, damage, message):
    damage(Path("ix"))
    before = sorted(p.name for p in Path("ix").iterdir())
    code, result = check()
    assert code == 3 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in Path("ix").iterdir()) == before


def test_checking_a_foreign_folder_neither_reads_nor_deletes_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("ix").mkdir()
    (Path("ix") / "notes.txt").write_text("мои заметки", encoding="utf-8")
    code, result = check()
    assert code == 3 and "not an Izde index" in result.stderr
    assert [p.name for p in Path("ix").iterdir()] == ["notes.txt"]
    assert run("check", "--index", "nowhere").exit_code == 3
