import gzip
import json

import pytest
from click.testing import CliRunner

from search import Index
from search.cli import main
from search.evaluation.retrieval import (EvalDataError, ndcg_at, percentile, read_qrels,
                                   recall_at, reciprocal_rank_at)

# -- metrics against values worked out by hand ----------------------------------


def test_ndcg_of_two_relevant_documents_at_ranks_two_and_four():
    # DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068; ideal = 1 + 1/log2(3)
    assert ndcg_at(["x", "a", "y", "b"], {"a": 1, "b": 1}) == pytest.approx(0.650921, abs=1e-6)


def test_ndcg_uses_graded_relevance_with_linear_gain():
    # DCG = 1 + 2/log2(3); ideal order puts the grade-2 document first: 2 + 1/log2(3)
    assert ndcg_at(["b", "a"], {"a": 2, "b": 1}) == pytest.approx(0.859719, abs=1e-6)


def test_perfect_ranking_scores_one_and_a_miss_scores_zero():
    assert ndcg_at(["a", "b"], {"a": 1, "b": 1}) == pytest.approx(1.0)
    assert ndcg_at(["x", "y"], {"a": 1}) == 0.0
    assert ndcg_at([], {"a": 1}) == 0.0


def test_ndcg_counts_only_the_top_k():
    ranked = [f"x{i}" for i in range(10)] + ["a"]
    assert ndcg_at(ranked, {"a": 1}, k=10) == 0.0
    assert ndcg_at(ranked, {"a": 1}, k=11) == pytest.approx(1 / 3.584963, abs=1e-6)  # log2(12)


def test_reciprocal_rank_is_one_over_the_first_relevant_rank():
    assert reciprocal_rank_at(["x", "y", "a", "b"], {"a": 1, "b": 1}) == pytest.approx(1 / 3)
    assert reciprocal_rank_at(["x"] * 10 + ["a"], {"a": 1}, k=10) == 0.0
    assert reciprocal_rank_at(["a"], {"a": 0}) == 0.0  # judged not relevant


def test_recall_is_the_share_of_relevant_documents_found():
    judged = {"a": 1, "b": 1, "c": 1, "d": 0}
    assert recall_at(["a", "x", "b", "d"], judged, k=10) == pytest.approx(2 / 3)
    assert recall_at(["a", "x", "b"], judged, k=2) == pytest.approx(1 / 3)


def test_percentile_takes_the_nearest_rank():
    values = list(range(1, 21))
    assert percentile(values, 0.95) == 19
    assert percentile(values, 0.5) == 10
    assert percentile([7.0], 0.95) == 7.0


def test_qrels_read_tab_separated_and_trec_four_column(tmp_path):
    plain = tmp_path / "qrels.tsv"
    plain.write_text("q1\td1\t1\nq1\td2\t2\nq2\td3\t1\n", encoding="utf-8")
    trec = tmp_path / "qrels.trec"
    trec.write_text("q1 0 d1 1\nq1 0 d2 2\nq2 0 d3 1\n", encoding="utf-8")
    assert read_qrels(plain) == read_qrels(trec) == {"q1": {"d1": 1, "d2": 2}, "q2": {"d3": 1}}


def test_a_malformed_qrels_line_names_the_file_and_line(tmp_path):
    bad = tmp_path / "qrels.tsv"
    bad.write_text("q1\td1\t1\nq2\td3\tyes\n", encoding="utf-8")
    with pytest.raises(EvalDataError, match=r"qrels.tsv:2"):
        read_qrels(bad)


# -- indexing records and the command end to end ---------------------------------

CORPUS = [
    {"id": "forest-ru", "lang": "xx", "title": "",
     "text": "Лесные пожары в области Абай потушены, площадь восстановленных лесов растёт."},
    {"id": "flood-kk", "lang": "xx", "title": "",
     "text": "Су тасқыны кезеңіне дайындық жұмыстары облыста жүргізілді."},
    {"id": "seoul-en", "lang": "xx", "title": "",
     "text": "Direct flights between Almaty and Seoul resume in the spring."},
    {"id": "budget-ru", "lang": "xx", "title": "",
     "text": "Бюджет города на следующий год утвердили депутаты маслихата."},
    {"id": "wheat-en", "lang": "xx", "title": "",
     "text": "The wheat harvest in the north of Kazakhstan was larger than last year."},
]
QUERIES = [
    {"id": "q-ru", "lang": "ru", "text": "Где тушили лесные пожары?"},
    {"id": "q-kk", "lang": "kk", "text": "су тасқыны"},
    {"id": "q-en", "lang": "en", "text": "When do flights to Seoul resume?"},
    {"id": "q-unjudged", "lang": "en", "text": "wheat"},
]
QRELS = "q-ru\tforest-ru\t1\nq-kk\tflood-kk\t1\nq-en\tseoul-en\t1\n"


def test_paragraph_records_are_indexed_with_detected_language_and_found_by_id(tmp_path):
    with Index(tmp_path / "index") as index:
        assert index.add_paragraphs(CORPUS) == 5
        hits = index.search("су тасқыны", limit=1)
        assert (hits[0].path, hits[0].lang) == ("flood-kk", "kk")  # the "xx" lang is not read
        assert index.ranked_ids("flights Seoul", limit=1) == ["seoul-en"]


@pytest.fixture
def collection(tmp_path):
    corpus = tmp_path / "corpus.jsonl.gz"
    with gzip.open(corpus, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in CORPUS)
    queries = tmp_path / "queries.jsonl"
    queries.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUERIES),
                       encoding="utf-8")
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text(QRELS, encoding="utf-8")
    return ["--corpus", str(corpus), "--queries", str(queries), "--qrels", str(qrels)]


def test_eval_retrieval_scores_every_judged_query_per_language(collection):
    result = CliRunner().invoke(main, ["eval", "retrieval", *collection, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["queries"] == {"en": 1, "kk": 1, "ru": 1, "all": 3}
    assert report["skipped_queries"] == 1
    for group in ("en", "kk", "ru", "all"):
        assert report["scores"][group] == {"ndcg@10": 1.0, "mrr@10": 1.0,
                                           "recall@10": 1.0, "recall@100": 1.0}
    assert report["latency_ms"]["median"] > 0 and report["full_latency_ms"]["p95"] > 0
    assert report["paragraphs"] == 5


def test_eval_retrieval_prints_a_table_and_reuses_a_cached_index(collection, tmp_path):
    cache = tmp_path / "cache"
    args = ["eval", "retrieval", *collection, "--cache", str(cache), "--no-snippets"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "ndcg@10" in first.stdout and "\nall " in first.stdout
    assert len(list(cache.iterdir())) == 1
    second = CliRunner().invoke(main, args)
    assert second.stdout.splitlines()[1:][:5] == first.stdout.splitlines()[1:][:5]
    assert len(list(cache.iterdir())) == 1


def test_eval_retrieval_compares_several_rewrites_in_one_run(collection, tmp_path):
    args = ["eval", "retrieval", *collection, "--cache", str(tmp_path / "cache"),
            "--no-snippets", "--rewrite", "exact", "--rewrite", "typo1", "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    reports = json.loads(result.stdout)
    assert list(reports) == ["exact", "typo1"]
    assert reports["exact"]["scores"]["all"]["mrr@10"] == 1.0
    assert reports["typo1"]["queries"] == reports["exact"]["queries"]


def test_eval_retrieval_reports_a_broken_corpus_line_on_stderr(collection, tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "a", "text": "ok"}\n{"id": "b"}\n', encoding="utf-8")
    args = ["eval", "retrieval", *collection, "--cache", str(tmp_path / "cache")]
    args[3] = str(broken)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "broken.jsonl:2: missing text" in result.stderr
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_eval_retrieval_compares_with_stock_whoosh_on_the_same_queries(collection):
    result = CliRunner().invoke(main, ["eval", "retrieval", *collection, "--no-snippets",
                                       "--compare-stock", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    stock = report["stock_whoosh"]
    assert stock["queries"] == report["queries"]
    assert stock["paragraphs"] == 5
    assert stock["scores"]["en"]["ndcg@10"] == 1.0  # "flights Seoul resume": stems suffice
    assert 0.0 <= stock["scores"]["all"]["ndcg@10"] <= 1.0
    table = CliRunner().invoke(main, ["eval", "retrieval", *collection, "--no-snippets",
                                      "--compare-stock"])
    assert "stock Whoosh (StemmingAnalyzer" in table.stdout
    assert table.stdout.count("\nall ") == 2


def test_cross_validation_weighs_candidates_exactly_as_a_search_fuses_them():
    # The grid is scored by re-weighing candidates read once (grid_table); each cell
    # must equal the ranking Fusion.fuse, what a search runs, gives for that setting.
    import numpy as np

    from search.evaluation.semantic_folds import QueryPool, grid_table
    from search.semantic.fusion import Feedback, Fusion

    rng = np.random.default_rng(7)
    pools = []
    for q in range(12):
        docs = [f"d{i}" for i in rng.permutation(40)]
        hits = [(doc, float(score)) for doc, score in
                zip(docs[:rng.integers(0, 25)], sorted(rng.random(25) * 10, reverse=True))]
        every = {doc: float(c) for doc, c in zip(docs, rng.random(40) * 0.2 + 0.7)}
        nearest = sorted(every.items(), key=lambda item: -item[1]) if q % 3 else []
        judged = {doc: int(rng.integers(0, 3)) for doc in docs[:8]}
        # feedback cosines for depth 2 only (a depth without them must still agree)
        second = {doc: float(c) for doc, c in zip(docs, rng.random(40) * 0.3 + 0.6)}
        feedback = {2: Feedback(second, 0.75, 0.08)} if q % 4 else {}
        # the centred query's cosines for one centring only (another must still agree)
        centred = {doc: float(c) for doc, c in zip(docs, rng.random(40) * 0.4 + 0.1)}
        views = {(20, 0.5): (np.array([centred[doc] for doc, _ in hits]),
                             sorted(centred.items(), key=lambda item: -item[1]) if q % 3 else [],
                             0.3, 0.1)}
        pools.append(QueryPool("kk", "kk", judged, hits,
                               np.array([every[doc] for doc, _ in hits]), nearest,
                               float(np.mean(list(every.values()))),
                               float(np.std(list(every.values()))), feedback, views))
    grid = [Fusion(method, pool, near, weight) for method in ("minmax", "zscore", "rrf")
            for pool in (5, 20) for near in (0, 3) for weight in (0.0, 0.3, 0.9, 1.0)]
    grid += [Fusion(method, pool, 3, weight, feedback=depth, feedback_weight=0.1)
             for method in ("minmax", "zscore", "rrf") for pool in (5, 20)
             for depth in (2, 3) for weight in (0.0, 0.3, 0.9)]
    grid += [Fusion("zscore", 20, 3, weight, feedback=2, feedback_weight=0.1, centre=centre,
                    centre_weight=0.5) for centre in (20, 50) for weight in (0.0, 0.3, 0.9)]
    table = grid_table(pools, grid)
    expected = [[pool.ndcg(fusion) for fusion in grid] for pool in pools]
    assert np.allclose(table, expected)
    assert table.std() > 0  # the settings do rank differently
    with_feedback = grid.index(Fusion("zscore", 20, 3, 0.3, feedback=2, feedback_weight=0.1))
    assert (table[:, with_feedback] != table[:, grid.index(Fusion("zscore", 20, 3, 0.3))]).any()
    centred = grid.index(Fusion("zscore", 20, 3, 0.3, feedback=2, feedback_weight=0.1,
                                centre=20, centre_weight=0.5))
    assert (table[:, centred] != table[:, with_feedback]).any()
    # the centred setting ranks by the centred cosines, as a search would pass them
    pool = pools[1]
    ranked = grid[centred].fuse(pool.hits, *pool.centred[20, 0.5], feedback=pool.feedback.get(2))
    assert table[1, centred] == pytest.approx(ndcg_at([doc for doc, _ in ranked], pool.judged))
