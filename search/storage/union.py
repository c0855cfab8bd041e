"""Several indexes read as one: the statistics of a sharded index.

A Whoosh index of several segments is read through a ``MultiReader`` that sums
its segments' document frequencies, document counts and field lengths. The
shards of a sharded index are segments too, only in other folders: reading
every shard's segments through one ``MultiReader`` gives the statistics one
index holding all their paragraphs would have (the same integers, so the same
idf and average lengths to the last bit), and a vocabulary to rewrite queries
against (spelling, Kazakh letters, Latin).
"""

from whoosh.reading import MultiReader
from whoosh.searching import Searcher


def union_searcher(searchers: list, weighting) -> Searcher:
    """A searcher over every segment of ``searchers`` (left open: they own their readers)."""
    readers = [leaf for searcher in searchers for leaf, _ in searcher.reader().leaf_readers()]
    return Searcher(MultiReader(readers), weighting=weighting, closereader=False)


def weighted_searcher(searcher, weighting) -> Searcher:
    """``searcher``'s reader scored by ``weighting`` (same docnums; the reader stays open)."""
    return Searcher(searcher.reader(), weighting=weighting, closereader=False)
