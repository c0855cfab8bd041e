"""Ranking behaviour measured by `izde eval retrieval`, pinned on tiny corpora."""

import pytest

from search import Index
from search.index import LanguageBM25F


@pytest.fixture
def records_index(tmp_path):
    def build(records):
        index = Index(tmp_path / "index")
        index.add_paragraphs([{"id": str(i), "text": t} for i, t in enumerate(records)])
        return index
    return build


def test_a_question_mark_ends_the_question_and_is_no_wildcard(records_index):
    with records_index(["How many points did the Panthers defense surrender in the season",
                        "The weather in Almaty was mild"]) as index:
        assert index.ranked_ids("What did the defense surrender?") == ["0"]
        # inside a word it still stands for one letter
        assert index.ranked_ids("weath?r") == ["1"]


def test_field_length_is_averaged_over_paragraphs_of_its_language_only(records_index):
    # Many short Kazakh paragraphs must not make English paragraphs look long.
    kazakh = ["Су тасқыны кезеңі"] * 30
    long_answer = ("The Panthers defense gave up just 308 points, ranking sixth in the league, "
                   "while also leading the NFL in interceptions with 24 and boasting four "
                   "Pro Bowl selections during a season the fans will remember for years")
    short_noise = "Panthers points league league league"
    with records_index([*kazakh, long_answer, short_noise]) as index:
        searcher = index._current_searcher()
        scorer = LanguageBM25F().scorer(searcher, "text_en", "panther")
        assert scorer.avgfl == pytest.approx(searcher.field_length("text_en") / 2)
