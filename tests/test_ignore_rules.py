"""Which files a folder run takes (ignore files, hidden entries, --glob), and what it says
of the rest."""

import json
from pathlib import Path

from click.testing import CliRunner

from search import Index
from search.cli import main

TEXT = "Лесные пожары в области Абай потушены спасателями к утру."


def _write(folder, names):
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TEXT, encoding="utf-8")


def _indexed(index_dir, corpus):
    with Index(index_dir) as index:
        return sorted(Path(hit.path).relative_to(corpus).as_posix()
                      for hit in index.search("пожары", limit=100))


def _index(corpus, tmp_path, *options):
    result = CliRunner().invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix"),
                                       *options])
    assert result.exit_code == 0, result.output
    return result


def test_gitignore_ignore_and_izdeignore_are_honoured_with_negation(corpus, tmp_path):
    _write(corpus, ["keep.txt", "build/out.txt", "notes/draft.md", "notes/final.md",
                    "logs/a.txt", "logs/important.txt", "private.txt", "sub/private.txt"])
    (corpus / ".gitignore").write_text("build/\nlogs/*.txt\n!logs/important.txt\n")
    (corpus / "notes" / ".ignore").write_text("draft.md\n")
    (corpus / ".izdeignore").write_text("/private.txt\n")
    _index(corpus, tmp_path)
    assert _indexed(tmp_path / "ix", corpus) == ["keep.txt", "logs/important.txt",
                                                 "notes/final.md", "sub/private.txt"]


def test_a_deeper_ignore_file_overrides_a_shallower_one(corpus, tmp_path):
    _write(corpus, ["a/x.txt", "b/x.txt"])
    (corpus / ".gitignore").write_text("x.txt\n")
    (corpus / "a" / ".gitignore").write_text("!x.txt\n")
    _index(corpus, tmp_path)
    assert _indexed(tmp_path / "ix", corpus) == ["a/x.txt"]


def test_hidden_files_and_folders_are_skipped(corpus, tmp_path):
    _write(corpus, ["seen.txt", ".hidden.txt", ".git/notes.txt", ".cache/x/y.md"])
    _index(corpus, tmp_path)
    assert _indexed(tmp_path / "ix", corpus) == ["seen.txt"]


def test_glob_includes_and_excludes_and_is_remembered_by_check(corpus, tmp_path):
    _write(corpus, ["a.txt", "b.md", "drafts/c.txt"])
    _index(corpus, tmp_path, "--glob", "*.txt", "-g", "!drafts/")
    assert _indexed(tmp_path / "ix", corpus) == ["a.txt"]
    assert CliRunner().invoke(main, ["check", "--index", str(tmp_path / "ix")]).exit_code == 0
    _write(corpus, ["d.txt", "e.md"])
    check = CliRunner().invoke(main, ["check", "--index", str(tmp_path / "ix"), "--json"])
    assert [p.rsplit("/", 1)[1] for p in json.loads(check.stdout)["new_on_disk"]] == ["d.txt"]


def test_a_bad_glob_is_a_one_line_error(corpus, tmp_path):
    result = CliRunner().invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix"),
                                       "--glob", "!"])
    assert result.exit_code == 2 and "bad --glob pattern" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "ix").exists()


def test_file_types_izde_does_not_read_are_counted_in_the_summary(corpus, tmp_path):
    _write(corpus, ["a.txt", *[f"t{i}.xlsx" for i in range(7)], *[f"p{i}.pptx" for i in range(5)]])
    (corpus / "empty.txt").write_text("")
    result = _index(corpus, tmp_path)
    assert "13 skipped: 7 .xlsx, 5 .pptx, 1 with a warning" in result.stdout
    as_json = _index(corpus, tmp_path, "--json")
    assert json.loads(as_json.stdout)["unread"] == {".pptx": 5, ".xlsx": 7}


def test_izde_index_without_paths_refreshes_what_was_indexed_before(corpus, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    _write(other, ["one.txt"])
    _write(corpus, ["two.txt"])
    index = str(tmp_path / "ix")
    for folder in (corpus, other):
        CliRunner().invoke(main, ["index", str(folder), "--index", index])
    (other / "one.txt").unlink()
    _write(corpus, ["three.txt"])
    result = CliRunner().invoke(main, ["index", "--index", index])
    assert result.exit_code == 0 and "1 added" in result.stdout and "1 removed" in result.stdout
    assert CliRunner().invoke(main, ["check", "--index", index]).exit_code == 0


def test_check_does_not_call_records_or_files_named_explicitly_drift(corpus, tmp_path):
    _write(corpus, ["a.txt", "notes.log"])
    index = str(tmp_path / "ix")
    CliRunner().invoke(main, ["index", str(corpus / "notes.log"), "--index", index])
    CliRunner().invoke(main, ["index", str(corpus), "--index", index])  # the folder after
    with Index(index) as ix:
        ix.add_paragraphs([{"id": "note-1", "text": "Су тасқыны көктемде келеді"}])
        assert len(ix.search("пожары")) == 2  # the .log file was not removed by the folder run
    result = CliRunner().invoke(main, ["check", "--index", index])
    assert result.exit_code == 0, result.output
