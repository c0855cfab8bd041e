"""The query's embedding centred on its neighbourhood (search.semantic.fusion)."""

import numpy as np
import pytest

from search.evaluation.semantic_folds import GRID, FoldReport, most_chosen
from search.semantic.fusion import Fusion, centred_query
from search.semantic.hybrid import FUSION


def unit(rows):
    rows = np.asarray(rows, np.float32)
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


# Three "hub" paragraphs like every question of a kind, and the one that answers this
# question; the query leans towards the hubs, as e5 embeds many Kazakh questions.
PARAGRAPHS = unit([[1.0, 0.00, 0.0], [1.0, 0.05, 0.0], [1.0, 0.10, 0.0], [0.5, 0.866, 0.0]])
QUERY = unit([0.9, 0.436, 0.0])


def test_centring_on_the_neighbourhood_lets_the_specific_paragraph_win():
    cosines = PARAGRAPHS @ QUERY
    assert int(np.argmax(cosines)) != 3  # a hub is nearest the plain query
    neighbours = PARAGRAPHS[np.argsort(-cosines)[:3]]
    centred = PARAGRAPHS @ centred_query(QUERY, neighbours, 0.5)
    assert int(np.argmax(centred)) == 3


def test_the_centred_query_is_the_query_less_a_share_of_the_neighbours_mean():
    neighbours = PARAGRAPHS[:2]
    assert centred_query(QUERY, neighbours, 0.5).tolist() == pytest.approx(
        (QUERY - 0.5 * neighbours.mean(axis=0)).tolist())
    assert centred_query(QUERY, neighbours, 0.0).tolist() == pytest.approx(QUERY.tolist())
    assert centred_query(QUERY, PARAGRAPHS[:0], 0.5).tolist() == pytest.approx(QUERY.tolist())


def test_reports_say_how_a_setting_centres_the_query():
    plain = Fusion("zscore", 100, 10, 0.55, feedback=10, feedback_weight=0.15)
    centred = Fusion("zscore", 100, 10, 0.55, feedback=10, feedback_weight=0.15,
                     centre=20, centre_weight=0.5)
    assert centred.centres and not plain.centres
    assert not Fusion("zscore", centre=20).centres  # no weight: no centring
    assert centred.as_dict()["centre"] == 20 and centred.as_dict()["centre_weight"] == 0.5
    assert "centre" not in plain.as_dict()
    assert "centred on its 20 nearest by 0.5" in centred.describe()
    assert most_chosen(FoldReport(3, [centred, centred, plain], {}, {})) == centred


def test_the_shipped_setting_is_one_the_cross_validation_scores():
    assert FUSION in GRID and FUSION.centres
