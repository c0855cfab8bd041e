"""BM25F for plain OR queries, scored term at a time instead of through Whoosh's matchers.

Nearly every query is plain words: a flat OR of (field, term, boost) clauses, a
score that is the sum of each clause's boost × BM25. Whoosh answers it with a
tree of union matchers that moves posting by posting through several method
calls each; on the evaluation collection that was two thirds of a search. Here
each term's postings are read a block at a time and added into one table of
scores, which gives the same scores 2–3 times faster.

Phrases OR-ed with the words are scored here too (each matching phrase adds
its words' BM25 × its boost, as Whoosh scores it; :mod:`search.ranking.phrase_matching`
finds them). Anything else (AND, NOT, coordination scaling, fuzzy terms) goes to
Whoosh: :func:`scored_clauses` says which queries qualify.

    >>> from whoosh.query import Or, Term
    >>> plain_clauses(Or([Term("text_ru", "лес"), Or([Term("exact", "лесов", boost=0.25)])]))
    [('text_ru', 'лес', 1.0), ('exact', 'лесов', 0.25)]
"""

import heapq
import sys
from typing import Iterator, NamedTuple

from whoosh import query as q
from search.storage.postings import LENGTH_OF_BYTE, length_bytes, posting_blocks
from search.ranking.bm25 import bm25_parts
from search.ranking.phrase_matching import holds_phrase, phrase_candidates
from search.storage.cache import memo

Clause = tuple[str, str, float]  # field, index term, boost


class PhraseClause(NamedTuple):
    fieldname: str
    words: tuple[str, ...]  # index terms, in order
    boost: float



def plain_clauses(query: q.Query) -> list[Clause] | None:
    """The (field, term, boost) clauses of a query made only of ORs and terms, else None."""
    found = scored_clauses(query)
    return found[0] if found and not found[1] else None


def scored_clauses(query: q.Query) -> tuple[list[Clause], list[PhraseClause]] | None:
    """The term and phrase clauses of a query made only of ORs, terms and phrases, else None.

    >>> from whoosh.query import Or, Phrase, Term
    >>> scored_clauses(Or([Term("exact", "су"), Phrase("text_kk", ["өрт", "сөндір"], boost=2)]))
    ([('exact', 'су', 1.0)], [PhraseClause(fieldname='text_kk', words=('өрт', 'сөндір'), boost=2.0)])
    """
    clauses: list[Clause] = []
    phrases: list[PhraseClause] = []

    def walk(node: q.Query, boost: float) -> bool:
        if type(node) is q.Term:
            clauses.append((node.fieldname, node.text, boost * node.boost))
            return True
        if type(node) is q.Phrase and node.slop == 1 and len(node.words) > 1:
            phrases.append(PhraseClause(node.fieldname, tuple(node.words), boost * node.boost))
            return True
        if type(node) is q.Or and not node.scale and not node.minmatch:
            return all(walk(sub, boost * node.boost) for sub in node.subqueries)
        return False

    return (clauses, phrases) if walk(query, 1.0) else None


def top_documents(searcher, weighting, clauses: list[Clause], limit: int,
                  allowed: set[int] | None = None,
                  phrases: list[PhraseClause] = (),
                  in_arrays: bool | None = None) -> list[tuple[int, float]]:
    """The best ``limit`` (docnum, score), best first; ties go to the lower docnum, as in Whoosh.

    ``weighting`` gives each term's BM25 constants (``term_constants``);
    ``allowed``, when given, is the set of docnums a filter lets through.
    ``in_arrays`` scores with numpy (:mod:`search.ranking.array_scoring`) or not; by
    default, when the postings are many enough to pay for it. Both give the
    same scores to the last bit.
    """
    found = list(segment_terms(searcher, _merged(clauses)))
    if in_arrays is None:
        in_arrays = arrays_pay_off(sum(each.postings for each in found))
    if in_arrays:
        from search.ranking import array_scoring  # numpy: imported only when it pays
        return array_scoring.top_documents(searcher, weighting, found, limit, allowed, phrases)
    scores: dict[int, float] = {}
    for reader, offset, deleted, fieldname, term, boost, _ in found:
        factor, base, per_length = bm25_parts(searcher, weighting, fieldname, term, boost)
        _add_term_scores(scores, reader, fieldname, term, offset, deleted, allowed,
                         factor, base, per_length)
    if phrases:
        best = best_of(scores, limit)
        for docnum, gains in phrase_additions(searcher, weighting, phrases, allowed, limit,
                                              lambda doc: scores.get(doc, 0.0), best).items():
            for gain in gains:
                scores[docnum] = scores.get(docnum, 0.0) + gain
    return Ranked(best_of(scores, limit), total=len(scores))


class Ranked(list):
    """The best (docnum, score) pairs, and ``total``: how many documents matched in all."""

    def __init__(self, best=(), total: int = 0):
        super().__init__(best)
        self.total = total


def _merged(clauses: list[Clause]) -> list[Clause]:
    """One clause per (field, term), boosts summed: a query and its respelling share
    words (`соныменен сондай` OR-ed with `соныменен соңдай`), read once, not twice.

    >>> _merged([("text_kk", "сол", 0.2), ("exact", "сол", 0.05), ("text_kk", "сол", 1.0)])
    [('text_kk', 'сол', 1.2), ('exact', 'сол', 0.05)]
    """
    boosts: dict[tuple[str, str], float] = {}
    for fieldname, text, boost in clauses:
        boosts[fieldname, text] = boosts.get((fieldname, text), 0.0) + boost
    return [(fieldname, text, boost) for (fieldname, text), boost in boosts.items()]


# Scoring in numpy arrays takes half the time of the dict from ~5,000 postings
# on (1M-paragraph index, 300 bench queries), but importing numpy takes ~120 ms,
# as long as ~200,000 postings take in the dict. So numpy is imported once the
# dict has scored that many postings in this process (one big query, or a few
# in a long-lived one): a one-query command on a small index never pays for it.
ARRAY_MIN_POSTINGS = 5_000
ARRAY_IMPORT_POSTINGS = 200_000
_postings_scored_in_dicts = 0  # of queries that arrays would have helped


def arrays_pay_off(postings: int) -> bool:
    """Whether to score a query of ``postings`` postings in numpy arrays in this process."""
    global _postings_scored_in_dicts
    if postings < ARRAY_MIN_POSTINGS:
        return False
    if "numpy" in sys.modules:
        return True
    _postings_scored_in_dicts += postings
    return _postings_scored_in_dicts >= ARRAY_IMPORT_POSTINGS


def phrase_additions(searcher, weighting, phrases: list[PhraseClause], allowed, limit: int,
                     score_of, best: list[tuple[int, float]]) -> dict[int, list[float]]:
    """What the phrases add to each document where they match, in phrase order,
    wherever that can change the best ``limit``.

    Whoosh scores a phrase match as the sum of its words' BM25, times its boost;
    that sum is known from the term frequencies and the length, before the
    positions are read. So a document holding every word of some phrases can
    gain at most their sums (its *bound*); documents are checked best bound
    first, and once a bound is below the ``limit``-th best score already sure,
    the rest cannot reach the top and their positions are never decoded.
    ``score_of(docnum)`` is a document's score from the words; ``best`` their
    best ``limit`` (docnum, score). The top is exactly the unpruned one.
    """
    if limit < 1:
        return {}
    candidates: dict[int, list[tuple]] = {}  # docnum -> [(gain, PhraseCandidates, doc)]
    for phrase in phrases:
        for docnums, gains, found, docs in _phrase_candidates(searcher, weighting, phrase, allowed):
            for docnum, gain, doc in zip(docnums, gains, docs):
                listed = candidates.get(docnum)
                if listed is None:
                    candidates[docnum] = [(gain, found, doc)]
                else:
                    listed.append((gain, found, doc))
    bounds = []
    for docnum, listed in candidates.items():
        bound = score_of(docnum)
        for gain, _, _ in listed:  # added in the order the scores will be: never below them
            bound += gain
        bounds.append((bound, docnum))
    bounds.sort(reverse=True)

    sure = dict(best)  # `limit` documents and a score each is sure to reach
    cut = min(sure.values()) if len(sure) >= limit else float("-inf")
    added: dict[int, list[float]] = {}
    for bound, docnum in bounds:
        if bound < cut:
            break
        gains = [gain for gain, found, doc in candidates[docnum]
                 if holds_phrase(found.handles(doc))]
        if not gains:
            continue
        added[docnum] = gains
        score = score_of(docnum)
        for gain in gains:
            score += gain
        if docnum not in sure and len(sure) >= limit:
            if score <= cut:
                continue
            del sure[min(sure, key=sure.get)]
        sure[docnum] = score
        if len(sure) >= limit:
            cut = min(sure.values())
    return added


def _phrase_candidates(searcher, weighting, phrase: PhraseClause, allowed):
    """(docnums, the phrase's score in each if it matches, PhraseCandidates, segment
    docnums) of the documents holding all the phrase's words, a segment at a time."""
    field = searcher.schema[phrase.fieldname]
    terms = [field.to_bytes(word) for word in phrase.words]
    reader = searcher.reader()
    if not all((phrase.fieldname, term) in reader for term in terms):
        return
    parts = [bm25_parts(searcher, weighting, phrase.fieldname, term, phrase.boost)
             for term in terms]
    for leaf, offset in searcher.leaf_searchers():
        segment = leaf.reader()
        if not all((phrase.fieldname, term) in segment for term in terms):
            continue
        found = phrase_candidates(segment, phrase.fieldname, terms)
        docs = found.docs
        if segment.has_deletions():
            deleted = segment.deleted_docs_set
            docs = [doc for doc in docs if doc not in deleted]
        if allowed is not None:
            docs = [doc for doc in docs if doc + offset in allowed]
        lengths = length_bytes(segment, phrase.fieldname)
        lengths = [LENGTH_OF_BYTE[lengths[doc]] for doc in docs]
        gains = None  # summed word by word, as sum() over the words would
        for word, (factor, base, per_length) in enumerate(parts):
            scores = [factor * tf / (tf + base + per_length * length)
                      for tf, length in zip(found.frequencies(word, docs), lengths)]
            gains = scores if gains is None else [a + b for a, b in zip(gains, scores)]
        yield [doc + offset for doc in docs], gains, found, docs


class SegmentTerm(NamedTuple):
    reader: object  # a segment's reader
    offset: int  # its first docnum in the searcher
    deleted: frozenset[int] | set[int]  # its deleted docnums
    fieldname: str
    term: bytes
    boost: float
    postings: int  # deleted documents included


def segment_terms(searcher, clauses: list[Clause]) -> Iterator[SegmentTerm]:
    """Each clause in each segment that holds its term."""
    schema = searcher.schema
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
        for fieldname, text, boost in clauses:
            term = schema[fieldname].to_bytes(text)
            postings = reader.doc_frequency(fieldname, term)  # 0 when absent
            if postings:
                yield SegmentTerm(reader, offset, deleted, fieldname, term, boost, postings)


def best_of(scores: dict[int, float], limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (docnum, score), best first, ties to the lower docnum.

    A common word leaves tens of thousands of scores; the cut-off score is found
    among bare floats first, so only the few at or above it are sorted with a key.

    >>> best_of({7: 1.0, 3: 2.0, 5: 1.0, 9: 0.5}, 2)
    [(3, 2.0), (5, 1.0)]
    """
    if not scores or limit < 1:
        return []
    cutoff = heapq.nlargest(limit, scores.values())[-1]
    best = [(doc, score) for doc, score in scores.items() if score >= cutoff]
    best.sort(key=lambda item: (-item[1], item[0]))
    return best[:limit]


def filter_documents(searcher, filter_query: q.Query) -> set[int]:
    """The docnums ``filter_query`` lets through, remembered by the searcher.

    Filters repeat (``lang:ru`` on query after query) and a language's paragraphs
    are tens of thousands of postings, so each set is read once per searcher
    (searchers are replaced after every commit). A filter of plain terms is read
    a block at a time.
    """
    cache = memo(searcher, "filter_documents")
    if filter_query not in cache:
        if len(cache) >= _MAX_CACHED_FILTERS:
            cache.clear()
        clauses = plain_clauses(filter_query)
        if clauses is None:
            cache[filter_query] = set(searcher.docs_for_query(filter_query))
        else:
            cache[filter_query] = _documents_with_terms(searcher, clauses)
    return cache[filter_query]


_MAX_CACHED_FILTERS = 16


def _documents_with_terms(searcher, clauses: list[Clause]) -> set[int]:
    documents: set[int] = set()
    for reader, offset, deleted, fieldname, term, _, _ in segment_terms(searcher, clauses):
        segment: set[int] = set()
        for ids, _ in posting_blocks(reader, fieldname, term):
            segment.update(ids)
        segment -= deleted  # set operations, in C: a language is ~40% of the postings
        documents.update(map(offset.__add__, segment) if offset else segment)
    return documents


def _add_term_scores(scores, reader, fieldname, term, offset, deleted, allowed,
                     factor, base, per_length):
    # The denominator's length part (see bm25_parts) is looked up per length byte.
    norm_of_byte = {}
    lengths = length_bytes(reader, fieldname)
    get = scores.get
    for ids, weights in posting_blocks(reader, fieldname, term):
        for doc, tf in zip(ids, weights):
            if doc in deleted:
                continue
            docnum = doc + offset
            if allowed is not None and docnum not in allowed:
                continue
            length_byte = lengths[doc]
            norm = norm_of_byte.get(length_byte)
            if norm is None:
                norm = norm_of_byte[length_byte] = base + per_length * LENGTH_OF_BYTE[length_byte]
            scores[docnum] = get(docnum, 0.0) + factor * tf / (tf + norm)


