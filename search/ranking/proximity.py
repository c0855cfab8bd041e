"""A bonus for query words that stand together in a paragraph.

BM25 scores words one by one: a paragraph that mentions "Доспамбет" in one
sentence and "жырау" ten sentences later scores as one that says "Доспамбет
жырау". Here each pair of query words that follow each other in the query and
stand at most :data:`NEAR` words apart in the paragraph (either order) raises
its score by :data:`PAIR_BONUS` of itself.

Only the best :data:`POOL` paragraphs by BM25 are rescored, so the cost is a
few posting lookups per query word, whatever the size of the index. A bonus
only raises a score, so they stay above the paragraphs after them.

    >>> near_pairs([[3], [5, 40], [90]])   # words 1 and 2 stand together, 2 and 3 do not
    1
"""

from bisect import bisect_left

from search.ranking.config import NEAR, PAIR_BONUS
from search.storage.positions import HitPositions



def near_pairs(positions: list[list[int]]) -> int:
    """How many neighbouring query words (by their sorted positions) stand within NEAR."""
    return sum(1 for a, b in zip(positions, positions[1:]) if a and b and _within(a, b))


def _within(a: list[int], b: list[int]) -> bool:
    for pos in a:
        i = bisect_left(b, pos - NEAR)
        if i < len(b) and b[i] <= pos + NEAR:
            return True
    return False


def rescore(positions: HitPositions, hits: list[tuple[int, float]],
            words: dict[str, list[frozenset[str]]]) -> list[tuple[int, float]]:
    """``hits`` (docnum, score) rescored with the pair bonus, best first.

    ``words`` maps a text field to the index terms of each query word, in query
    order; a paragraph's words are found in the field of its language, their
    places read through ``positions`` (the search's, so snippets reuse them).
    """
    if not hits:
        return hits
    docnums = sorted(doc for doc, _ in hits)
    # doc -> field -> one sorted position list per query word
    found: dict[int, dict[str, list[list[int]]]] = {}
    for fieldname, word_terms in words.items():
        if len(word_terms) < 2:
            continue
        for index, terms in enumerate(word_terms):
            for term in terms:
                for doc, where in positions.of(fieldname, term, docnums).items():
                    per_word = found.setdefault(doc, {}).setdefault(
                        fieldname, [[] for _ in word_terms])
                    per_word[index].extend(where)
    rescored = []
    for doc, score in hits:
        pairs = 0
        for per_word in found.get(doc, {}).values():
            pairs += near_pairs([sorted(p) for p in per_word])
        rescored.append((doc, score * (1 + PAIR_BONUS * pairs)))
    rescored.sort(key=lambda hit: -hit[1])
    return rescored
