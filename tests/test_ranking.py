"""Ranking behaviour measured by `izde eval retrieval`, pinned on tiny corpora."""

import pytest

from search import Index


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
