"""Dense pseudo-relevance feedback in the hybrid's fusion (search.semantic.fusion)."""

import numpy as np
import pytest

from search.evaluation.semantic_folds import FoldReport, most_chosen
from search.semantic.fusion import Feedback, Fusion, feedback_query

HITS = [("a", 9.0), ("b", 8.0), ("c", 7.9), ("d", 1.0)]
COSINES = np.array([0.80, 0.79, 0.79, 0.70])
# "c" is much like the best lexical hits, "b" is not
FEEDBACK = Feedback({"a": 0.95, "b": 0.70, "c": 0.93, "d": 0.70}, mean=0.75, std=0.05)


def ranked(fusion, feedback=FEEDBACK):
    return [doc for doc, _ in fusion.fuse(HITS, COSINES, [], 0.75, 0.04, feedback=feedback)]


def test_a_paragraph_like_the_best_lexical_hits_rises_with_feedback():
    plain = Fusion("zscore", pool=4, nearest=0, weight=0.5)
    assert ranked(plain) == ["a", "b", "c", "d"]
    with_feedback = Fusion("zscore", pool=4, nearest=0, weight=0.5, feedback=1,
                           feedback_weight=0.2)
    assert ranked(with_feedback) == ["a", "c", "b", "d"]


def test_without_a_feedback_weight_the_fusion_scores_exactly_as_before():
    plain = Fusion("zscore", pool=3, nearest=0, weight=0.65)
    for unused in (Fusion("zscore", pool=3, nearest=0, weight=0.65, feedback=5),
                   Fusion("zscore", pool=3, nearest=0, weight=0.65, feedback_weight=0.1)):
        assert unused.fuse(HITS, COSINES, [], 0.75, 0.04, feedback=FEEDBACK) == \
            plain.fuse(HITS, COSINES, [], 0.75, 0.04)


def test_the_feedback_query_is_the_unit_mean_of_the_best_hits_vectors():
    vectors = np.array([[3.0, 0.0, 0.0], [0.0, 4.0, 0.0]], np.float32)
    query = feedback_query(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    assert np.linalg.norm(query) == pytest.approx(1.0)
    assert query.tolist() == pytest.approx([2 ** -0.5, 2 ** -0.5, 0.0])


def test_weights_that_leave_the_lexical_side_nothing_are_refused():
    with pytest.raises(ValueError, match="less than 0"):
        Fusion("zscore", weight=0.95, feedback=5, feedback_weight=0.1)


def test_reports_say_which_feedback_a_setting_uses():
    fusion = Fusion("zscore", 100, 10, 0.65, feedback=5, feedback_weight=0.05)
    assert fusion.as_dict()["feedback"] == 5 and fusion.as_dict()["feedback_weight"] == 0.05
    assert "feedback" not in Fusion("zscore", 100, 10, 0.65).as_dict()
    chosen = [fusion, fusion, Fusion("zscore", 100, 10, 0.65)]
    assert most_chosen(FoldReport(3, chosen, {}, {})) == fusion
