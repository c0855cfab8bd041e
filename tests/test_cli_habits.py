"""The command line as grep, ripgrep and jq users expect it: locations editors open,
colour rules, JSON lines, JSON errors, exit codes, --version."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from search import Index
from search.cli import main

ROOT = Path(__file__).resolve().parent.parent

# Paragraph 1 starts on line 1; a blank line; paragraph 2 soft-wrapped over lines
# 3-4; debris ("0") on line 5 still counts as paragraph 3; paragraph 4 on line 7.
FILE_TEXT = ("Лесные пожары в области Абай\r\n"
             "\r\n"
             "Площадь лесных пожаров в области\r\n"
             "выросла за неделю вдвое.\r\n"
             "0\r\n"
             "\r\n"
             "Спасатели потушили пожар у озера Алаколь.\r\n")


@pytest.fixture
def notes(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "fires.txt").write_bytes(FILE_TEXT.encode("utf-8"))
    (folder / "page.html").write_text("<html><body>\n\n<p>Пожар у озера Зайсан.</p></body></html>",
                                      encoding="utf-8")
    index = tmp_path / "index"
    with Index(index) as ix:
        ix.update([folder])
    return index


def run(*args, env=None):
    return CliRunner(env=env).invoke(main, list(args))


def test_hits_carry_the_line_their_paragraph_starts_on(notes):
    with Index(notes) as ix:
        hits = {hit.text[:8]: hit for hit in ix.search("пожар", limit=10)}
    assert hits["Площадь "].line == 3 and hits["Площадь "].paragraph == 2
    assert hits["Спасател"].line == 7 and hits["Спасател"].paragraph == 4
    assert hits["Пожар у "].line is None  # HTML: the extracted text's lines are not the file's


def test_search_prints_path_line_for_editors_and_keeps_paragraph_in_json(notes):
    result = run("search", "Алаколь", "--index", str(notes))
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0]
    assert first.startswith(os.path.relpath(notes.parent / "notes" / "fires.txt") + ":7: [ru]")
    hit = json.loads(run("search", "Алаколь", "--index", str(notes), "--json").stdout)["hits"][0]
    assert (hit["line"], hit["paragraph"]) == (7, 4)


def test_jsonl_prints_one_hit_per_line(notes):
    result = run("search", "пожар", "--index", str(notes), "--jsonl")
    assert result.exit_code == 0
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    # fires.txt opens with its headline: the title of the paragraphs under it, not a hit
    assert len(hits) == 3 and all({"path", "line", "paragraph", "snippet"} <= set(h) for h in hits)


@pytest.mark.parametrize("flag", ["--json", "--jsonl"])
def test_errors_under_json_are_json_on_stderr(tmp_path, flag):
    result = run("search", "лес", "--index", str(tmp_path / "missing"), flag)
    assert result.exit_code == 3 and result.stdout == ""
    assert json.loads(result.stderr) == {"error": f"no index at {tmp_path / 'missing'}; build "
                                                  f"it with `izde index`", "exit": 3}
    usage = run("search", "лес", flag, "--limit", "zero")
    assert usage.exit_code == 2 and json.loads(usage.stderr)["exit"] == 2


def test_bad_query_under_json_is_json_with_exit_2(notes):
    result = run("search", '"unbalanced AND лес', "--index", str(notes), "--json")
    assert result.exit_code == 2 and json.loads(result.stderr)["exit"] == 2


def test_color_always_colours_a_pipe_and_never_or_no_color_do_not(notes):
    args = ("search", "Алаколь", "--index", str(notes))
    assert "\x1b[35m" in run(*args, "--color", "always").stdout
    assert "\x1b[35m" in run("--color", "always", *args).stdout
    assert "\x1b[" not in run(*args, "--color", "never").stdout
    assert "\x1b[" not in run(*args).stdout  # auto, and CliRunner's stdout is no terminal


def test_no_color_wins_on_a_terminal_in_auto(notes, monkeypatch):
    import search.cli as cli

    monkeypatch.setattr(cli.sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli._colour()
    monkeypatch.setenv("NO_COLOR", "")  # empty means unset (no-color.org)
    monkeypatch.delenv("TERM", raising=False)
    assert cli._colour()


def test_no_color_through_a_real_pipe_has_no_escape_codes(notes):
    env = {**os.environ, "NO_COLOR": "1"}
    out = subprocess.run([sys.executable, "-m", "search.cli", "search", "Алаколь", "--index",
                          str(notes)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0 and "Алаколь" in out.stdout and "\x1b" not in out.stdout


def test_missing_index_exits_3_and_no_match_exits_1(notes, tmp_path):
    assert run("search", "x", "--index", "/nonexistent").exit_code == 3
    assert run("search", "xyzzyqwerty", "--index", str(notes)).exit_code == 1


def test_a_failed_first_index_leaves_nothing_behind(tmp_path):
    result = run("index", str(tmp_path / "nope"), "--index", str(tmp_path / "ix"))
    assert result.exit_code == 2 and not (tmp_path / "ix").exists()
    (tmp_path / "given").mkdir()
    run("index", str(tmp_path / "nope"), "--index", str(tmp_path / "given"))
    assert list((tmp_path / "given").iterdir()) == []


def test_an_index_of_no_paragraphs_answers_no_match_not_a_query_error(tmp_path):
    (tmp_path / "empty").mkdir()
    assert run("index", str(tmp_path / "empty"), "--index", str(tmp_path / "ix")).exit_code == 0
    result = run("search", "лес", "--index", str(tmp_path / "ix"))
    assert result.exit_code == 1 and "no matching paragraphs" in result.stderr


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.startswith("izde ")


def test_http_api_hits_carry_the_line_too(notes):
    pytest.importorskip("starlette", reason="the serve extra is not installed")
    pytest.importorskip("httpx2", reason="httpx2 (Starlette's test client) is not installed")
    from starlette.testclient import TestClient

    from search.service.app import ServiceConfig, create_app

    with TestClient(create_app(ServiceConfig(index=str(notes)))) as client:
        hit = client.get("/api/search", params={"q": "Алаколь"}).json()["hits"][0]
    assert (hit["line"], hit["paragraph"]) == (7, 4)


SAMPLE = ROOT / "data" / "sample"


def test_eval_lemmas_prints_one_speed_per_measure():
    result = run("eval", "lemmas", str(SAMPLE / "ru.conllu"), "--lang", "ru", "--compare-stock")
    assert result.exit_code == 0
    ours = [line for line in result.stdout.splitlines() if line.startswith("throughput:")]
    assert len(ours) == 1 and ours[0].count("words/s warm") == 1
    assert result.stdout.count("words/s warm") == 2  # ours, and the stock analyzer's
    report = json.loads(run("eval", "lemmas", str(SAMPLE / "ru.conllu"), "--lang", "ru",
                            "--compare-stock", "--json").stdout)
    assert [key for key in report if "words_per_s" in key] == [
        "cold_words_per_s", "warm_words_per_s", "stock_warm_words_per_s"]


@pytest.fixture
def stages(monkeypatch):
    """The stages long commands report, as a terminal would see them."""
    import search.cli as cli

    seen = []

    class Recorded(cli._StagedProgress):
        def __call__(self, stage, done, total):
            if stage not in seen:
                seen.append(stage)

    monkeypatch.setattr(cli, "_StagedProgress", Recorded)
    return seen


def test_eval_lemmas_shows_progress(stages):
    assert run("eval", "lemmas", str(SAMPLE / "ru.conllu"), "--lang", "ru",
               "--compare-stock").exit_code == 0
    assert stages == ["analyzing forms", "timing", "timing against stock"]
    stages.clear()
    assert run("eval", "lemmas", str(SAMPLE / "kk.conllu"), "--lang", "kk",
               "--folds", "3").exit_code == 0
    assert stages == ["folds", "timing"]


def test_progress_is_drawn_on_a_terminal_only(monkeypatch):
    import io

    import search.cli as cli

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for stream, drawn in ((Terminal(), True), (io.StringIO(), False)):
        monkeypatch.setattr(cli.sys, "stderr", stream)
        with cli._StagedProgress() as progress:
            for done in range(1, 11):
                progress("searching", done, 10)
        assert ("searching" in stream.getvalue()) is drawn


def test_bench_run_names_each_engine_and_its_time_on_a_terminal(monkeypatch):
    import io

    import search.cli as cli

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(cli.sys, "stderr", Terminal())
    with cli._Ticker() as ticker:
        ticker.stage("benchmarking izde")
        ticker.stage("benchmarking whoosh")
    lines = cli.sys.stderr.getvalue().replace("\r", "\n").split("\n")
    assert any(line.startswith("benchmarking izde: 0 s") for line in lines)
    assert any(line.startswith("benchmarking whoosh: 0 s") for line in lines)
