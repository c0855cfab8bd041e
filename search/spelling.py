"""Typo tolerance: a query word the index has never seen is widened to close index terms.

Only words with no match in any language field are corrected, so a correctly
spelt Russian word is never "corrected" towards some Kazakh word. The budget
follows the length of the analyzed term (Meilisearch's rule of thumb: one typo
from 5 letters, two from 9), and corrections score below exact matches.
"""

from dataclasses import dataclass

from whoosh import query as q

from search.schema import TEXT_FIELDS

# A corrected term counts for less than a term the user actually typed.
CORRECTION_BOOST = 0.6


def typo_budget(term: str) -> int:
    if len(term) >= 9:
        return 2
    if len(term) >= 5:
        return 1
    return 0


@dataclass(frozen=True)
class Correction:
    start: int  # offsets of the user's word in the query text
    end: int
    fieldname: str
    term: str  # what the user's word analyzed to
    replacement: str  # the closest index term


def _closest_term(reader, fieldname: str, term: str) -> str | None:
    budget = typo_budget(term)
    if not budget:
        return None
    best = None
    for distance in range(1, budget + 1):
        # Typos rarely hit the first letter; requiring it keeps the scan short.
        candidates = [c for c in reader.terms_within(fieldname, term, distance, prefix=1)
                      if c != term]
        if candidates:
            best = max(candidates, key=lambda c: reader.doc_frequency(fieldname, c))
            break
    return best


def correct_query(query: q.Query, reader) -> tuple[q.Query, list[Correction]]:
    """``query`` with unknown words widened to their closest index terms, and what changed."""
    words: dict[tuple[int, int], list[q.Term]] = {}
    for leaf in query.leaves():
        if isinstance(leaf, q.Term) and leaf.fieldname in TEXT_FIELDS \
                and getattr(leaf, "startchar", None) is not None:
            words.setdefault((leaf.startchar, leaf.endchar), []).append(leaf)

    replacements: dict[int, q.Query] = {}
    corrections: list[Correction] = []
    for (start, end), terms in words.items():
        if any(reader.doc_frequency(t.fieldname, t.text) for t in terms):
            continue
        found = []
        for term in terms:
            closest = _closest_term(reader, term.fieldname, term.text)
            if closest is not None:
                found.append((reader.doc_frequency(term.fieldname, closest), term, closest))
                replacements[id(term)] = q.Or([term, q.Term(term.fieldname, closest,
                                                             boost=CORRECTION_BOOST)])
        if found:
            _, term, closest = max(found, key=lambda f: f[0])
            corrections.append(Correction(start, end, term.fieldname, term.text, closest))
    if not replacements:
        return query, []
    return _replace(query, replacements), corrections


def _replace(node: q.Query, replacements: dict[int, q.Query]) -> q.Query:
    if id(node) in replacements:
        return replacements[id(node)]
    if node.is_leaf():
        return node
    return node.apply(lambda child: _replace(child, replacements))
