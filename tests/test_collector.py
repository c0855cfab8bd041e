"""Indexing runs the cycle collector less often, and leaves it as it found it."""

import gc

from search import Index
from search.storage.collector import WRITING_THRESHOLDS, fewer_collections


def test_the_collector_runs_less_often_inside_and_as_before_after(tmp_path):
    before = gc.get_threshold()
    seen = []

    class Watching(Index):
        def _transaction(self, *args):
            seen.append(gc.get_threshold())
            yield from super()._transaction(*args)

    index = Watching(tmp_path / "index")
    index.add_paragraphs([{"id": "p1", "text": "Орман шаруашылығы туралы есеп"}])
    index.close()
    assert seen == [WRITING_THRESHOLDS]
    assert gc.get_threshold() == before


def test_a_collector_switched_off_stays_off_and_an_error_restores_it():
    before = gc.get_threshold()
    try:
        gc.set_threshold(0)
        with fewer_collections():
            assert gc.get_threshold()[0] == 0
        gc.set_threshold(*before)
        try:
            with fewer_collections():
                raise ValueError
        except ValueError:
            pass
        assert gc.get_threshold() == before
    finally:
        gc.set_threshold(*before)
