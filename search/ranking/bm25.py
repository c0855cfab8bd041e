"""BM25F, computed in one place: the constants of a term, and the scorer Whoosh's paths use.

BM25 = idf·tf·(K1+1) / (tf + K1·(1 − B + B·length/avgfl)). Every scoring path
(term at a time in dicts or arrays, phrases, and Whoosh's own matchers for
boolean and fuzzy queries) takes a term's idf, average length, B and K1 from
:meth:`LanguageBM25F.term_constants`, so they give the same scores.
"""

from whoosh import scoring

from search.ranking import config
from search.storage.cache import memo
from search.storage.schema import field_language


class LanguageBM25F(scoring.BM25F):
    """BM25F where a language field's statistics count only that language's paragraphs.

    A paragraph fills one language field, but Whoosh averages a field's length
    over every document: ``text_en`` looked 14 times shorter than its paragraphs
    on the evaluation corpus (6 words instead of 86), so length normalization
    crushed every long English paragraph. Here the average length of ``text_en``
    is over English paragraphs only.
    """

    def scorer(self, searcher, fieldname, text, qf=1):
        lang = field_language(fieldname)
        if lang is None or not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf=qf)
        return TermScorer(searcher, fieldname, text, self, qf=qf)

    def term_constants(self, searcher, fieldname, text) -> tuple[float, float, float, float]:
        """(idf, average field length, B, K1) of a term: all BM25 needs besides tf and length."""
        parent = searcher.get_parent()
        B = self._field_B.get(fieldname, self.B)
        lang = field_language(fieldname)
        if lang is None:
            avgfl = parent.avg_field_length(fieldname) or 1
        else:
            paragraphs = language_count(parent, lang)
            avgfl = (parent.field_length(fieldname) / paragraphs) if paragraphs else 1
        return parent.idf(fieldname, text), avgfl, B, self.K1


class TermScorer(scoring.WeightLengthScorer):
    """BM25 of one term with the constants its weighting gives (``term_constants``)."""

    def __init__(self, searcher, fieldname, text, weighting: LanguageBM25F, qf=1):
        self.idf, self.avgfl, self.B, self.K1 = weighting.term_constants(searcher, fieldname, text)
        self.qf = qf
        self.setup(searcher, fieldname, text)

    def _score(self, weight, length):
        return scoring.bm25(self.idf, weight, length, self.avgfl, self.B, self.K1)


def bm25_parts(searcher, weighting, fieldname, term, boost) -> tuple[float, float, float]:
    """(factor, base, per_length): boost × BM25 = factor·tf / (tf + base + per_length·length).

    Everything but tf and the length is constant for the term.
    """
    idf, avgfl, B, K1 = weighting.term_constants(searcher, fieldname, term)
    return idf * (K1 + 1) * boost, K1 * (1 - B), K1 * B / avgfl


def language_count(searcher, lang: str) -> int:
    """How many paragraphs of ``lang`` the searcher's index holds."""
    counts = memo(searcher, "language_counts")
    if lang not in counts:
        counts[lang] = searcher.doc_frequency("lang", lang)
    return counts[lang]


def configured_settings() -> dict:
    """LanguageBM25F's keyword arguments from :mod:`search.ranking.config`."""
    return {"B": config.B, "K1": config.K1,
            **{f"{field}_B": b for field, b in config.FIELD_B.items()}}


WEIGHTING = LanguageBM25F(**configured_settings())
