"""Turning what a user types into a Whoosh query.

Syntax (as in Elasticsearch's query_string, Lucene semantics):

- words are OR-ed, paragraphs matching more of them score higher, so a question
  needs no syntax: ``какие леса восстанавливают в области Абай``;
- ``"quoted phrase"`` (also «guillemets»), ``AND``, ``OR``, ``NOT``, parentheses;
- ``-word`` excludes, ``+word`` requires; ``word~`` tolerates a typo;
- ``lang:kk`` (ru, en) and ``file:NAME`` (a file name, its prefix or a glob such as
  ``file:003*``) filter; several values of one filter are alternatives.

Each word is analyzed by every language field's analyzer and searched in all of
them, so morphology applies whichever language the paragraph is in.
"""

import re
from dataclasses import dataclass, field

from whoosh import qparser, query as q

from analyzers.tokenize import WORD_PATTERN
from search.errors import QuerySyntaxError
from search.schema import EXACT_FIELD, SEARCH_FIELDS, TEXT_FIELDS, TITLE_FIELDS
from search.stopwords import is_stop_word

_FILTER = re.compile(r"(?<!\S)(lang|file):(\"[^\"]*\"|\S+)", re.IGNORECASE)
_GUILLEMETS = str.maketrans({"«": '"', "»": '"', "„": '"', "“": '"', "”": '"'})
_HAS_WORD = re.compile(r"[^\W_]")
# A question mark that ends a word ends a question; only inside a word (``te?t``)
# is it Whoosh's one-letter wildcard. Otherwise ``surrender?`` would find
# ``surrendered`` but never ``surrender``.
_QUESTION_MARK = re.compile(r"\?(?![^\W_])")
# Anything that makes a query more than words: quotes, groups, fuzzy and
# wildcard marks, boosts, ranges, +/- prefixes, boolean operators.
_SYNTAX = re.compile(r"[\"()~*?^\[\]{}]|(?<![^\s(])[+-]|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b")
# Coordination bonus: a paragraph matching more query words ranks higher.
_OR_SCALE = 0.9
# How much a match in each field counts. A lemma match in the text is the unit;
# the exact form adds to it; a title match says what the paragraph is about.
# Tuned with `izde eval retrieval` on the dev queries (see the commit message).
FIELD_BOOSTS = {**{f: 1.0 for f in TEXT_FIELDS}, EXACT_FIELD: 0.25,
                **{f: 2.0 for f in TITLE_FIELDS}}


@dataclass
class ParsedQuery:
    text: str
    query: q.Query
    filter: q.Query | None = None
    terms: dict[str, set[str]] = field(default_factory=dict)  # field -> index terms


def _parser(schema, extra_fields: dict[str, float] | None = None) -> qparser.QueryParser:
    boosts = {**FIELD_BOOSTS, **(extra_fields or {})}
    fields = [f for f in (*SEARCH_FIELDS, *(extra_fields or {})) if boosts.get(f)]
    parser = qparser.MultifieldParser(fields, schema, fieldboosts=boosts,
                                      group=qparser.OrGroup.factory(_OR_SCALE))
    # + and - only at the start of a word, so `вице-министр` stays one word.
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+",
                                              minusexpr=r"(?<![^\s(])-"))
    parser.add_plugin(qparser.FuzzyTermPlugin())
    # Field syntax is handled here only for lang: and file: (below); a colon in
    # running text ("Сурет: Akorda") must not become a field name.
    parser.remove_plugin_class(qparser.FieldsPlugin)
    return parser


def parse_query(text: str, schema, extra_fields: dict[str, float] | None = None) -> ParsedQuery:
    """Parse ``text``; raises :class:`QuerySyntaxError` with a one-line reason.

    ``extra_fields`` (field -> boost) are searched besides the usual ones.
    """
    normalized = text.translate(_GUILLEMETS)
    if normalized.count('"') % 2:
        raise QuerySyntaxError('unbalanced quote in the query: close the phrase with "')
    if _unbalanced_parentheses(normalized):
        raise QuerySyntaxError("unbalanced parentheses in the query")

    filters: dict[str, list[str]] = {}
    def take_filter(match):
        filters.setdefault(match.group(1).lower(), []).append(match.group(2).strip('"'))
        return " "
    remainder = _QUESTION_MARK.sub(" ", _FILTER.sub(take_filter, normalized)).strip()
    if not _HAS_WORD.search(remainder):
        remainder = ""  # only punctuation or bare wildcards: nothing to search for
    elif is_natural_language(remainder):
        remainder = drop_stop_words(remainder)

    parsed = _exclusions_as_and_not(_parser(schema, extra_fields).parse(remainder)) \
        if remainder else q.NullQuery
    if parsed is q.NullQuery:
        if not filters:
            raise QuerySyntaxError("the query has no words to search for")
        parsed = q.Every()
    terms: dict[str, set[str]] = {}
    for fieldname, term in parsed.iter_all_terms(phrases=True):
        if fieldname in TEXT_FIELDS or fieldname in (extra_fields or {}):
            terms.setdefault(fieldname, set()).add(term if isinstance(term, str) else term.decode())
    return ParsedQuery(text, parsed, _filter_query(filters), terms)


def is_natural_language(text: str) -> bool:
    """Whether ``text`` is plain words, without any query syntax.

    >>> is_natural_language("какие леса восстанавливают"), is_natural_language('"прямые рейсы"')
    (True, False)
    """
    return not _SYNTAX.search(text)


def drop_stop_words(text: str) -> str:
    """``text`` without the words that carry no topic (question words, prepositions ...).

    A query made only of such words is kept whole: it is all the user gave.

    >>> drop_stop_words("Ішекқуыстыларға қандай қасиет тән")
    'Ішекқуыстыларға қасиет тән'
    """
    chunks = text.split()
    kept = [chunk for chunk in chunks
            if not all(is_stop_word(match.group()) for match in WORD_PATTERN.finditer(chunk))]
    return " ".join(kept) if kept else text


def _unbalanced_parentheses(text: str) -> bool:
    depth = 0
    for inside_quotes, chunk in enumerate(text.split('"')):
        if inside_quotes % 2:
            continue
        for char in chunk:
            depth += (char == "(") - (char == ")")
            if depth < 0:
                return True
    return depth != 0


def _exclusions_as_and_not(node: q.Query) -> q.Query:
    """Give NOT Lucene's meaning: ``a NOT b`` is a without b, not "a, or anything without b"."""
    if isinstance(node, q.Not):
        return q.AndNot(q.Every(), _exclusions_as_and_not(node.query))
    if isinstance(node, q.BinaryQuery):  # AndNot, AndMaybe, Require from -word / +word
        a = q.Every() if node.a is q.NullQuery else _exclusions_as_and_not(node.a)
        return node.__class__(a, _exclusions_as_and_not(node.b))
    if not isinstance(node, q.CompoundQuery):
        return node
    positive = [_exclusions_as_and_not(c) for c in node.subqueries if not isinstance(c, q.Not)]
    negative = [_exclusions_as_and_not(c.query) for c in node.subqueries if isinstance(c, q.Not)]
    if not negative:
        return node.__class__(positive, boost=node.boost) if not isinstance(node, q.Or) \
            else q.Or(positive, boost=node.boost, scale=node.scale)
    if not positive:
        kept: q.Query = q.Every()
    elif len(positive) == 1:
        kept = positive[0]
    elif isinstance(node, q.Or):
        kept = q.Or(positive, boost=node.boost, scale=node.scale)
    else:
        kept = node.__class__(positive, boost=node.boost)
    return q.AndNot(kept, negative[0] if len(negative) == 1 else q.Or(negative))


def _filter_query(filters: dict[str, list[str]]) -> q.Query | None:
    clauses = []
    if "lang" in filters:
        clauses.append(q.Or([q.Term("lang", value.lower()) for value in filters["lang"]]))
    if "file" in filters:
        clauses.append(q.Or([_file_clause(value.lower()) for value in filters["file"]]))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else q.And(clauses)


def _file_clause(value: str) -> q.Query:
    name = value.replace("\\", "/").rsplit("/", 1)[-1]
    if any(c in name for c in "*?"):
        return q.Wildcard("file", name)
    return q.Prefix("file", name)
