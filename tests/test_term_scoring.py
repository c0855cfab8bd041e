"""Plain OR queries scored term at a time rank exactly as Whoosh's own matchers rank them."""

import pytest
from whoosh import query as q

from search import Index
from search.ranking.bm25 import WEIGHTING as _WEIGHTING
from search.query.rewrite import rewrite_query
from search.ranking.term_scoring import plain_clauses, scored_clauses, top_documents

PARAGRAPHS = [
    "Лесные пожары в области Абай потушены, лесов сгорело меньше, чем в прошлом году.",
    "Орман өрттері жазда жиі болады. Ормандарды күзету күшейтілді.",
    "Forest fires in the Abai region were put out; fewer forests burned than last year.",
    "Прямой рейс из Сеула в Алматы откроют весной. Новые прямые рейсы.",
    "Су тасқыны кезінде ауылдарды байланыспен қамту маңызды.",
    "Лес восстанавливают волонтёры: посажено сто тысяч деревьев в лесах области.",
    "Мұнай өңдеу зауыты жаңғыртылды, мұнай өнімдері көбейді.",
    "Fires and floods: the ministry reports on the forest and the river.",
]

QUERIES = ["лесные пожары", "лес", "орман өрттері", "forest fires", "прямые рейсы Алматы",
           "су таскыны", "qazaq munai", "мұнай", "лесов области волонтёры", "fires floods river"]


@pytest.fixture(scope="module")
def index_with_deletions(tmp_path_factory):
    """An index of several segments, one file deleted and one changed since the first commit."""
    root = tmp_path_factory.mktemp("term-scoring")
    folder = root / "docs"
    folder.mkdir()
    for number, text in enumerate(PARAGRAPHS):
        (folder / f"{number}.txt").write_text(text + "\n\n" + text.split(".")[0] + ".\n",
                                             encoding="utf-8")
    index = Index(root / "ix")
    index.update([folder])
    (folder / "2.txt").unlink()
    (folder / "5.txt").write_text("Лес и лесные пожары: что изменилось.\n", encoding="utf-8")
    (folder / "8.txt").write_text("Лесные пожары и мұнай өңдеу.\n", encoding="utf-8")
    index.update([folder])
    yield index
    index.close()


@pytest.mark.parametrize("in_arrays", [False, True], ids=["dicts", "arrays"])
@pytest.mark.parametrize("text", QUERIES)
def test_scores_and_order_match_whoosh(index_with_deletions, text, in_arrays):
    searcher = index_with_deletions.searcher()
    assert not searcher.is_atomic() or searcher.reader().has_deletions()
    query = rewrite_query(text, searcher.schema, searcher.reader()).query
    clauses = plain_clauses(query)
    assert clauses, f"{text!r} should be a plain OR of terms"

    ours = top_documents(searcher, _WEIGHTING, clauses, limit=10, in_arrays=in_arrays)
    theirs = [(hit.docnum, hit.score) for hit in searcher.search(query, limit=10)]

    assert [doc for doc, _ in ours] == [doc for doc, _ in theirs]
    assert [score for _, score in ours] == pytest.approx([score for _, score in theirs])


def test_deleted_paragraphs_are_never_found(index_with_deletions):
    hits = index_with_deletions.search("forest fires Abai region", limit=20)
    assert "2.txt" not in {hit.path.rsplit("/", 1)[-1] for hit in hits}


def test_a_filter_keeps_only_its_paragraphs(index_with_deletions):
    hits = index_with_deletions.search("лесные пожары мұнай", limit=20, lang="kk")
    assert hits and {hit.lang for hit in hits} == {"kk"}


@pytest.mark.parametrize("query", [
    q.Phrase("text_ru", ["лес", "пожар"]),
    q.And([q.Term("text_ru", "лес"), q.Term("text_ru", "пожар")]),
    q.Or([q.Term("text_ru", "лес"), q.Term("text_ru", "пожар")], scale=0.9),
    q.Or([q.Term("text_ru", "лес"), q.AndNot(q.Term("text_ru", "пожар"), q.Term("exact", "в"))]),
])
def test_anything_but_plain_words_is_left_to_whoosh(query):
    assert plain_clauses(query) is None


def test_a_language_filter_is_read_once_per_searcher_and_matches_whoosh(index_with_deletions):
    from search.ranking.term_scoring import filter_documents
    searcher = index_with_deletions.searcher()
    kazakh = q.Term("lang", "kk")
    first = filter_documents(searcher, kazakh)
    assert first == set(searcher.docs_for_query(kazakh)) and first
    assert filter_documents(searcher, kazakh) is first
    either = q.Or([q.Term("lang", "kk"), q.Term("lang", "en")])
    assert filter_documents(searcher, either) == set(searcher.docs_for_query(either))


@pytest.mark.parametrize("text", ["лесные пожары мұнай", 'лес "лесные пожары" forest'])
def test_arrays_and_dicts_give_the_same_scores_to_the_last_bit(index_of_long_posting_lists, text):
    searcher = index_of_long_posting_lists.searcher()
    terms, phrases = scored_clauses(rewrite_query(text, searcher.schema, searcher.reader()).query)
    every_other = {doc for doc, _ in top_documents(searcher, _WEIGHTING, terms, 1000)[::2]}
    for allowed in (None, every_other):  # a filter's docnums
        ranked = [top_documents(searcher, _WEIGHTING, terms, 1000, allowed, phrases, in_arrays=flag)
                  for flag in (False, True)]
        assert ranked[0] and ranked[0] == ranked[1]


def test_a_one_query_process_on_a_small_index_never_imports_numpy(index_with_deletions):
    import subprocess
    import sys
    code = ("import sys; from search import Index; ix = Index(sys.argv[1]);"
            "assert ix.search('лесные пожары forest fires мұнай'); print('numpy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(index_with_deletions.path)],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"  # its import would cost more than it saves


def test_ties_at_the_cut_go_to_the_lower_document_number():
    from search.ranking.term_scoring import best_of
    scores = {12: 1.0, 4: 3.0, 8: 1.0, 2: 1.0, 30: 0.1}
    assert best_of(scores, 3) == [(4, 3.0), (2, 1.0), (8, 1.0)]
    assert best_of(scores, 10) == sorted(scores.items(), key=lambda i: (-i[1], i[0]))
    assert best_of({}, 5) == [] and best_of(scores, 0) == []


def test_ties_at_the_cut_go_to_the_lower_document_number_in_arrays_too():
    import numpy as np
    from search.ranking.array_scoring import best_of
    scores = np.zeros(40)
    for doc, score in {12: 1.0, 4: 3.0, 8: 1.0, 2: 1.0, 30: 0.1}.items():
        scores[doc] = score
    docs = np.array([2, 4, 8, 12, 30])
    assert best_of(docs, scores, 3) == [(4, 3.0), (2, 1.0), (8, 1.0)]
    assert best_of(docs[:0], scores, 5) == [] and best_of(docs, scores, 0) == []


@pytest.fixture(scope="module")
def index_of_long_posting_lists(tmp_path_factory):
    """360 paragraphs in three commits, some deleted: common words span many postings blocks."""
    from generated_corpus import write_corpus
    root = tmp_path_factory.mktemp("long-postings")
    index = Index(root / "ix")
    for start in (0, 10, 20):
        write_corpus(root / "docs", files=10, paragraphs_per_file=12, tag="long", start=start)
        index.update([root / "docs"])
    for number in (3, 14, 25):
        (root / "docs" / f"long{number:05d}.txt").unlink()
    index.update([root / "docs"])
    yield index
    index.close()


@pytest.mark.parametrize("in_arrays", [False, True], ids=["dicts", "arrays"])
@pytest.mark.parametrize("text", ["long", "лесные пожары", "орман өрттері", "Kazakhstan Today"])
def test_long_posting_lists_in_several_segments_score_as_in_whoosh(index_of_long_posting_lists,
                                                                   text, in_arrays):
    searcher = index_of_long_posting_lists.searcher()
    assert len(searcher.leaf_searchers()) > 1 and searcher.reader().has_deletions()
    query = rewrite_query(text, searcher.schema, searcher.reader()).query
    clauses = plain_clauses(query)
    assert clauses
    ours = top_documents(searcher, _WEIGHTING, clauses, limit=400, in_arrays=in_arrays)
    theirs = [(hit.docnum, hit.score) for hit in searcher.search(query, limit=400)]
    assert len(ours) == len(theirs) > 0
    if text == "long":  # every paragraph left: more than one 128-posting block per segment
        assert len(ours) == 360 - 3 * 12
    assert [doc for doc, _ in ours] == [doc for doc, _ in theirs]
    assert [score for _, score in ours] == pytest.approx([score for _, score in theirs])


PHRASE_QUERIES = ['"Kazakhstan Today"', '"uniq17p3 long"', '"uniq2p11 long"', '"авторлық құқық"', '"Республики Казахстан"',
                  '"стран Центральной Азии"', 'лес "лесные пожары"', '"пожары лесные"',
                  'мұнай "Kazakhstan Today" "болып табылады"']


@pytest.mark.parametrize("in_arrays", [False, True], ids=["dicts", "arrays"])
@pytest.mark.parametrize("text", PHRASE_QUERIES)
def test_phrases_score_as_in_whoosh(index_of_long_posting_lists, text, in_arrays):
    searcher = index_of_long_posting_lists.searcher()
    query = rewrite_query(text, searcher.schema, searcher.reader()).query
    found = scored_clauses(query)
    assert found and found[1], f"{text!r} should be scored with its phrases here"
    terms, phrases = found
    ours = top_documents(searcher, _WEIGHTING, terms, limit=400, phrases=phrases,
                         in_arrays=in_arrays)
    theirs = [(hit.docnum, hit.score) for hit in searcher.search(query, limit=400)]
    assert [doc for doc, _ in ours] == [doc for doc, _ in theirs]
    assert [score for _, score in ours] == pytest.approx([score for _, score in theirs])
    if "uniq" in text:  # a rare word leads, a word of every paragraph skips to it
        assert len(ours) == 1


def test_a_phrase_needs_its_words_next_to_each_other_in_order(index_with_deletions):
    together = index_with_deletions.search('"лесные пожары"', limit=20)
    assert together and all("есные пожары" in hit.text for hit in together)
    assert not index_with_deletions.search('"пожары лесные"', limit=20)
    assert not index_with_deletions.search('"лесные области"', limit=20)


@pytest.fixture(scope="module")
def index_of_common_phrases(tmp_path_factory):
    """Three commits of 200 paragraphs: every one has both words, every third in phrase order."""
    root = tmp_path_factory.mktemp("common-phrases")
    index = Index(root / "ix")
    for commit in range(3):
        folder = root / f"docs{commit}"
        folder.mkdir()
        for number in range(20):
            paragraphs = []
            for i in range(10):
                n = (commit * 20 + number) * 10 + i
                words = "жаңа мектеп" if n % 3 == 0 else "мектеп салынды, жаңа"
                paragraphs.append(f"Ауылда {words} жол{n} бар. Тағы {n % 7} сөз.")
            (folder / f"{number}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        index.update([folder])
    yield index
    index.close()


def test_a_phrase_of_two_common_words_is_found_across_blocks_and_segments(index_of_common_phrases):
    searcher = index_of_common_phrases.searcher()
    assert len(searcher.leaf_searchers()) > 1
    query = rewrite_query('"жаңа мектеп"', searcher.schema, searcher.reader()).query
    terms, phrases = scored_clauses(query)
    ours = top_documents(searcher, _WEIGHTING, terms, limit=1000, phrases=phrases)
    theirs = [(hit.docnum, hit.score) for hit in searcher.search(query, limit=1000)]
    assert len(ours) == 200  # every third of 600 paragraphs
    assert [doc for doc, _ in ours] == [doc for doc, _ in theirs]
    assert [score for _, score in ours] == pytest.approx([score for _, score in theirs])


@pytest.mark.parametrize("in_arrays", [False, True], ids=["dicts", "arrays"])
@pytest.mark.parametrize("text", ['"Республики Казахстан"', '"болып табылады"',
                                  'long "болып табылады"', 'мұнай "және де"'])
def test_phrase_positions_are_read_only_where_they_can_change_the_top(
        index_of_long_posting_lists, monkeypatch, text, in_arrays):
    import search.ranking.term_scoring as term_scoring
    checked = []
    holds = term_scoring.holds_phrase
    monkeypatch.setattr(term_scoring, "holds_phrase",
                        lambda values: checked.append(values) or holds(values))
    searcher = index_of_long_posting_lists.searcher()
    query = rewrite_query(text, searcher.schema, searcher.reader()).query
    terms, phrases = scored_clauses(query)
    ours = top_documents(searcher, _WEIGHTING, terms, limit=3, phrases=phrases,
                         in_arrays=in_arrays)
    theirs = [(hit.docnum, hit.score) for hit in searcher.search(query, limit=3)]
    assert [doc for doc, _ in ours] == [doc for doc, _ in theirs]
    assert [score for _, score in ours] == pytest.approx([score for _, score in theirs])
    pruned = len(checked)
    top_documents(searcher, _WEIGHTING, terms, limit=10**6, phrases=phrases, in_arrays=in_arrays)
    assert pruned < len(checked) - pruned  # every candidate is checked when all are wanted


def test_a_word_repeated_by_a_respelling_is_read_once_and_scores_as_in_whoosh(
        index_of_long_posting_lists, monkeypatch):
    import search.ranking.term_scoring as term_scoring
    searcher = index_of_long_posting_lists.searcher()
    original = rewrite_query("лесные пожары", searcher.schema, searcher.reader()).query
    query = q.Or([q.Or(original.subqueries, boost=0.2), original])  # as a respelling is OR-ed
    clauses = plain_clauses(query)
    read = []
    segment_terms = term_scoring.segment_terms
    monkeypatch.setattr(term_scoring, "segment_terms",
                        lambda searcher, clauses: read.extend(clauses) or segment_terms(searcher, clauses))
    ours = top_documents(searcher, _WEIGHTING, clauses, limit=50)
    theirs = [(hit.docnum, hit.score) for hit in searcher.search(query, limit=50)]
    assert len(read) == len(clauses) // 2
    assert [doc for doc, _ in ours] == [doc for doc, _ in theirs]
    assert [score for _, score in ours] == pytest.approx([score for _, score in theirs])
