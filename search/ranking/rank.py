"""The one entry point from a query object to the best ``(docnum, score)``.

Plain ORs of words and phrases are scored term at a time
(:mod:`search.ranking.term_scoring`); anything else (AND, NOT, fuzzy words)
through Whoosh's matchers with the same BM25F (:mod:`search.ranking.bm25`).
Then words standing together rescore the best :data:`config.POOL`
(:mod:`search.ranking.proximity`), whatever syntax the query used.
"""

from whoosh import query as q
from whoosh.collectors import TimeLimitCollector

from search.ranking import config, proximity
from search.ranking.bm25 import WEIGHTING
from search.ranking.term_scoring import Ranked, filter_documents, scored_clauses, top_documents
from search.storage.positions import HitPositions
from search.storage.union import weighted_searcher


def rank(searcher, query: q.Query, words: dict[str, list[frozenset[str]]],
         filter_query: q.Query | None, limit: int,
         seconds: float | None = None) -> tuple[Ranked, HitPositions]:
    """(the best ``limit`` (docnum, score), best first, with ``total``, how many matched;
    the positions read on the way).

    ``words`` holds each text field's index terms of each query word, in query
    order (see :class:`search.query.syntax.ParsedQuery`); the positions are the
    search's own, so snippets reuse what proximity read.

    ``seconds`` bounds the time spent matching a query Whoosh's matchers score
    (wildcards, exclusions ...): past it, ``whoosh.searching.TimeLimit`` is raised.
    """
    positions = HitPositions(searcher)
    if not proximity_applies(words):
        return scored(searcher, query, limit, filter_query, seconds=seconds), positions
    # Whatever the limit, the best POOL are rescored, so a longer list starts
    # with the same hits.
    hits = scored(searcher, query, max(limit, config.POOL), filter_query, seconds=seconds)
    pool = proximity.rescore(positions, hits[:config.POOL], words)
    return Ranked((pool + hits[config.POOL:])[:limit], hits.total), positions


def proximity_applies(words: dict[str, list[frozenset[str]]]) -> bool:
    """Whether the query has neighbouring words for :mod:`search.ranking.proximity` to rescore."""
    return any(len(terms) > 1 for terms in words.values())


def scored(searcher, query: q.Query, limit: int, filter_query,
           weighting=WEIGHTING, seconds: float | None = None) -> Ranked:
    """The best ``limit`` (docnum, score) by BM25F alone (before proximity), with ``total``.

    ``weighting`` other than the searcher's (a shard scoring with the whole
    collection's statistics, :mod:`search.ranking.global_statistics`) is used
    on every path; ``seconds`` bounds Whoosh's matching (see :func:`rank`).
    """
    found = scored_clauses(query)
    if found is None:
        if weighting is not WEIGHTING:
            searcher = weighted_searcher(searcher, weighting)
        # Not skipping blocks by their best score, so the collector counts every match.
        collector = searcher.collector(limit=limit, filter=filter_query, optimize=False)
        if seconds is not None:
            # Checked between matches, not by SIGALRM: searches also run in threads.
            collector = TimeLimitCollector(collector, seconds, use_alarm=False)
        searcher.search_with_collector(query, collector)
        results = collector.results()
        return Ranked([(result.docnum, result.score) for result in results], len(results))
    allowed = filter_documents(searcher, filter_query) if filter_query else None
    terms, phrases = found
    return top_documents(searcher, weighting, terms, limit, allowed, phrases)
