import json
import shutil

import pytest
from click.testing import CliRunner

from search.cli import main

from conftest import FOREST_SEED, KAZAKH_SEED, SEEDS


@pytest.fixture
def in_project(tmp_path, monkeypatch):
    """A working folder with seeds/ and no index yet, as on a fresh checkout."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_search_builds_the_index_on_first_use_and_prints_ranked_snippets(in_project):
    result = run("search", "лесные пожары", "--limit", "3")
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"seeds/{FOREST_SEED}:") and "[ru]" in first
    assert "**лесных**" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour codes when not on a terminal
    assert (in_project / "index").is_dir()


def test_search_json_for_scripts(in_project):
    result = run("search", "су тасқыны", "--json", "--limit", "2")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)["hits"]
    assert hits[0]["path"].endswith(KAZAKH_SEED) and hits[0]["lang"] == "kk"
    assert {"path", "paragraph", "lang", "score", "snippet", "text"} <= set(hits[0])


def test_search_lang_option(in_project):
    result = run("search", "Абай", "--lang", "kk", "--json")
    assert {h["lang"] for h in json.loads(result.stdout)["hits"]} == {"kk"}


def test_no_match_exits_1_like_grep(in_project):
    run("index")
    result = run("search", "zzzqqqxxx")
    assert result.exit_code == 1 and "no matching" in result.stderr


def test_index_reports_what_it_did_and_stats_describe_the_index(in_project):
    result = run("index", "seeds")
    assert result.exit_code == 0 and "5 added" in result.stdout
    again = run("index", "--json")
    assert json.loads(again.stdout)["unchanged"] == 5
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["files"] == 5 and stats["paragraphs"] > 100
    assert "paragraphs:" in run("stats").stdout


def test_index_on_two_processes_indexes_the_same_paragraphs(in_project):
    one = json.loads(run("index", "--json").stdout)
    two = json.loads(run("index", "--rebuild", "--procs", "2", "--json", "--index", "index2").stdout)
    assert two["added"] == 5 and two["paragraphs_added"] == one["paragraphs_added"] > 100
    stats = json.loads(run("stats", "--json", "--index", "index2").stdout)
    assert stats["paragraphs"] == one["paragraphs_added"]


def test_bad_files_are_warned_about_one_line_each(in_project):
    (in_project / "seeds" / "broken.txt").write_bytes(bytes(range(256)) * 4)
    (in_project / "seeds" / "empty.txt").write_bytes(b"")
    result = run("index")
    assert result.exit_code == 0 and "5 added" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 2 and any("binary" in w for w in warnings)


@pytest.mark.parametrize("args, code, message", [
    (["search", '"лесные пожары -лес'], 2, "unbalanced quote"),
    (["search", "?!"], 2, "no words"),
    (["index", "no-such-folder"], 2, "no such file"),
    (["stats", "--index", "nowhere"], 3, "no index"),
    (["search", "лес", "--index", "nowhere"], 3, "no index"),
])
def test_errors_are_one_line_with_a_meaningful_exit_code(in_project, args, code, message):
    result = run(*args)
    assert result.exit_code == code
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_corrupt_index_is_reported_not_a_traceback(in_project):
    run("index")
    for toc in (in_project / "index").glob("*.toc"):
        toc.write_bytes(b"garbage")
    result = run("search", "лес")
    assert result.exit_code == 3 and "damaged" in result.stderr


def test_a_segment_damaged_inside_is_reported_when_a_search_reads_it(in_project):
    # Opening reads only the TOC; the damage shows when a query reads the postings.
    run("index")
    segment = max((in_project / "index").glob("*.seg"), key=lambda path: path.stat().st_size)
    data = bytearray(segment.read_bytes())
    quarter = len(data) // 4
    data[quarter:3 * quarter] = b"\xff" * (2 * quarter)
    segment.write_bytes(bytes(data))
    for query in ("лес", "орман", '"лесных пожаров"'):
        result = run("search", query)
        assert result.exit_code == 3, result.output
        assert "damaged" in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def test_an_error_outside_the_segment_readers_is_not_taken_for_damage():
    from search.storage.damage import raised_by_damage
    try:
        [].index("a bug, not a damaged index")
    except ValueError as error:
        assert not raised_by_damage(error)


def test_search_without_seeds_or_index_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("search", "лес")
    assert result.exit_code == 3 and "izde index" in result.stderr


def test_search_rebuilds_an_index_built_by_another_version(in_project, monkeypatch):
    run("index")
    manifest = in_project / "index" / "izde-manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["schema_version"] = -1
    manifest.write_text(json.dumps(data), encoding="utf-8")
    result = run("search", "лесные пожары", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["hits"]
    assert json.loads(run("stats", "--json").stdout)["files"] == 5


def test_the_command_process_settings_stay_out_of_library_callers():
    # `izde` (search.cli.run) collects cycles less often and freezes what is alive at
    # exit; a program that calls main() itself, as CliRunner does, keeps its settings.
    import gc

    before = gc.get_threshold(), gc.get_freeze_count()
    CliRunner().invoke(main, ["--help"])
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
