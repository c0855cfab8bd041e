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
from whoosh.qparser import syntax

from analyzers.tokenize import WORD_PATTERN
from search.errors import QuerySyntaxError
from analyzers import LANGUAGES
from search.storage.schema import (COMPANION_FIELDS, EXACT_FIELD, STEM_FIELD, STEM_LANG,
                                   TEXT_FIELDS, text_field, title_field)
from search.query.limits import check_shape
from search.query.stopwords import is_stop_word
from search.ranking.config import FIELD_BOOSTS

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


# Fields whose matched terms a hit's snippet marks (see Index._hit); exact is the
# text field of paragraphs in no analyzed language (``other``).
_SNIPPET_FIELDS = frozenset({*TEXT_FIELDS, *COMPANION_FIELDS.values(), EXACT_FIELD})

_KAZAKH_LETTER = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_CYRILLIC_LETTER = re.compile("[а-яёА-ЯЁ]")
_LATIN_LETTER = re.compile("[a-zA-Z]")


@dataclass
class ParsedQuery:
    text: str
    query: q.Query
    filter: q.Query | None = None
    terms: dict[str, set[str]] = field(default_factory=dict)  # field -> index terms
    # For plain-word queries: text field -> the index terms of each word, in query order.
    words: dict[str, list[frozenset[str]]] = field(default_factory=dict)


def query_languages(text: str) -> tuple[str, ...]:
    """The languages whose paragraphs a query can be after, told by its letters.

    A Kazakh-only letter makes it Kazakh; other Cyrillic, Kazakh or Russian;
    Latin letters alone, English. A Latin name in a Russian or Kazakh
    paragraph is still found through the ``exact`` field.

    >>> query_languages("Абай өлеңдері"), query_languages("стихи Абая"), query_languages("Abai")
    (('kk',), ('kk', 'ru'), ('en',))
    """
    if _KAZAKH_LETTER.search(text):
        return ("kk",)
    if _CYRILLIC_LETTER.search(text):
        return ("kk", "ru")
    if _LATIN_LETTER.search(text):
        return ("en",)
    return LANGUAGES  # digits only: any language


# Parsers keep no state between parses, so one is built per schema, languages and
# empty fields. Each entry holds its schema, so the id in its key is not reused.
_PARSERS: dict[tuple, tuple] = {}
_MAX_PARSERS = 64


def _parser(schema, languages: tuple[str, ...], empty: frozenset[str],
            extra_fields: dict[str, float] | None = None) -> qparser.QueryParser:
    extra = tuple(sorted((extra_fields or {}).items()))
    key = (id(schema), languages, empty, extra)
    if key not in _PARSERS:
        if len(_PARSERS) >= _MAX_PARSERS:
            _PARSERS.clear()
        _PARSERS[key] = (schema, _new_parser(schema, languages, empty, dict(extra)))
    return _PARSERS[key][1]


def _searched_fields(languages: tuple[str, ...], empty: frozenset[str],
                     extra_fields: dict[str, float]) -> tuple[dict[str, float], list[str]]:
    """(boost of each field, the fields searched, in order) for a query in ``languages``."""
    # Fields of languages the query cannot be in would only add noise, and
    # fields without postings (no titles in a language) only time.
    searched = {EXACT_FIELD, *(text_field(lang) for lang in languages),
                *(title_field(lang) for lang in languages),
                *((STEM_FIELD,) if STEM_LANG in languages else ())} - empty
    boosts = {**FIELD_BOOSTS, **extra_fields}
    searched |= set(extra_fields) - empty
    return boosts, [f for f in boosts if f in searched and boosts[f]]


def _new_parser(schema, languages: tuple[str, ...], empty: frozenset[str],
                extra_fields: dict[str, float]) -> qparser.QueryParser:
    boosts, fields = _searched_fields(languages, empty, extra_fields)
    parser = qparser.MultifieldParser(fields, schema, fieldboosts=boosts,
                                      group=qparser.OrGroup)
    # + and - only at the start of a word, so `вице-министр` stays one word.
    parser.add_plugin(_NestedPlusMinusPlugin(plusexpr=r"(?<![^\s(])\+",
                                             minusexpr=r"(?<![^\s(])-"))
    parser.add_plugin(qparser.FuzzyTermPlugin())
    # Field syntax is handled here only for lang: and file: (below); a colon in
    # running text ("Сурет: Akorda") must not become a field name.
    parser.remove_plugin_class(qparser.FieldsPlugin)
    return parser


class _NestedPlusMinusPlugin(qparser.PlusMinusPlugin):
    """Whoosh's +/- inside groups too: it sorted only the top level, so in
    ``лес (-пожар)`` the group's ``-`` stayed a marker and parsing failed with
    ``NotImplementedError: Minus``. A group of exclusions only is "anything but"
    them, as Elasticsearch reads it."""

    def do_plusminus(self, parser, group):
        for index, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[index] = self.do_plusminus(parser, node)
        return super().do_plusminus(parser, group)


def parse_query(text: str, schema, extra_fields: dict[str, float] | None = None,
                empty_fields: frozenset[str] = frozenset()) -> ParsedQuery:
    """Parse ``text``; raises :class:`QuerySyntaxError` with a one-line reason.

    ``extra_fields`` (field -> boost) are searched besides the usual ones;
    ``empty_fields`` are fields the index holds no words in; they are not searched.
    """
    normalized = plain_words_if_stray_quote(text.translate(_GUILLEMETS))
    check_shape(normalized)
    if normalized.count('"') % 2:
        raise QuerySyntaxError('unbalanced quote in the query: close the phrase with "')
    _refuse_unknown_fields(normalized)
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

    languages = query_languages(remainder)
    plain = bool(remainder) and is_natural_language(remainder)
    words = {}
    if plain:
        parsed, words = _plain_words_query(remainder, schema, languages, empty_fields,
                                           extra_fields or {})
    elif remainder:
        parser = _parser(schema, languages, empty_fields, extra_fields)
        try:
            raw = _one_word_phrases_as_terms(parser.parse(remainder, normalize=False))
            parsed = _exclusions_as_and_not(raw.normalize())
        except RecursionError:
            raise QuerySyntaxError("the query is nested too deeply to parse") from None
        # Proximity rewards the same words whatever syntax wraps them (`(a b)`, `+a b`).
        words = _words_by_field(_proximity_words(remainder), schema, languages, empty_fields,
                                extra_fields or {})
    else:
        parsed = q.NullQuery
    if parsed is q.NullQuery:
        if not filters and not _HAS_WORD.search(remainder):
            raise QuerySyntaxError("the query has no words to search for")
        # Words no field indexes (stop words only, or an index with no documents)
        # find nothing: no hits, not an error.
        parsed = q.Every() if filters and not remainder else q.NullQuery
    return ParsedQuery(text, parsed, _filter_query(filters), marked_terms(parsed, extra_fields),
                       words)


def marked_terms(query: q.Query, extra_fields: dict[str, float] | None = None
                 ) -> dict[str, set[str]]:
    """The index terms of ``query`` that a hit's snippet marks, by field."""
    terms: dict[str, set[str]] = {}
    for fieldname, term in query.iter_all_terms(phrases=True):
        if fieldname in _SNIPPET_FIELDS or fieldname in (extra_fields or {}):
            terms.setdefault(fieldname, set()).add(term if isinstance(term, str) else term.decode())
    return terms


# `name:` right before a word or syntax, in a query with syntax: a field the user meant.
_FIELD_LIKE = re.compile(r"(?<![^\s(])([A-Za-z_][A-Za-z0-9_]*):(?=[^\s:/])")


def _refuse_unknown_fields(text: str) -> None:
    """Fields other than lang: and file: do not exist for users; say so rather than
    search ``title_kk:{a TO}`` as words and an open range over every word."""
    if is_natural_language(text):
        return  # "Сурет:Akorda" in running text is text
    for match in _FIELD_LIKE.finditer(text):
        if match.group(1).lower() not in ("lang", "file"):
            raise QuerySyntaxError(f"unknown field `{match.group(1)}:`; the query's fields are "
                                   f"lang: and file:")


def plain_words_if_stray_quote(text: str) -> str:
    """``text`` without its quote when that quote is all the syntax it has: a question with
    a stray quote is searched as words, as Elasticsearch's simple_query_string does.

    >>> plain_words_if_stray_quote('какие леса "восстанавливают'), plain_words_if_stray_quote('a "b')
    ('какие леса  восстанавливают', 'a  b')
    """
    if text.count('"') % 2 and is_natural_language(text.replace('"', " ")):
        return text.replace('"', " ")
    return text


def _plain_words_query(text: str, schema, languages: tuple[str, ...], empty: frozenset[str],
                       extra_fields: dict[str, float]):
    """The query Whoosh's parser makes of plain words, built without parsing; and the words.

    Most queries are plain words, and the parser spent ~4 ms on each (a third of
    a search) to produce this same flat OR: for each word, for each field, its
    index terms with the field's boost. ``words`` holds each text field's terms
    per word, in query order, for the proximity bonus.
    """
    boosts, fields = _searched_fields(languages, empty, extra_fields)
    text_fields = {text_field(lang) for lang in languages} - empty
    words: dict[str, list[frozenset[str]]] = {f: [] for f in fields if f in text_fields}
    subqueries = []
    for chunk in text.split():
        for fieldname in fields:
            terms = [token.text for token in schema[fieldname].analyzer(chunk, mode="query")]
            subqueries.extend(q.Term(fieldname, term, boost=boosts[fieldname]) for term in terms)
            if terms and fieldname in words:
                words[fieldname].append(frozenset(terms))
    # normalize() drops a word repeated in the query, as the parser does.
    return (q.Or(subqueries).normalize() if subqueries else q.NullQuery), words


def _words_by_field(chunks: list[str], schema, languages: tuple[str, ...], empty: frozenset[str],
                    extra_fields: dict[str, float]) -> dict[str, list[frozenset[str]]]:
    """Each text field's index terms of each word, in query order (for proximity)."""
    return _plain_words_query(" ".join(chunks), schema, languages, empty, extra_fields)[1]


_OPERATORS = frozenset({"AND", "OR"})
_NEGATIONS = frozenset({"NOT", "ANDNOT"})
_PATTERN_MARKS = re.compile(r"[~*?^\[\]{}]")


def _proximity_words(text: str) -> list[str]:
    """The words of a query with syntax that it asks to find, in order: not those it
    excludes (``-a``, ``NOT (a b)``), nor quoted phrases (adjacent already), nor
    fuzzy or wildcard words (their terms are not known before the search).

    >>> _proximity_words('(лесные пожары) -Абай "прямые рейсы" NOT (a b) лес~ +область')
    ['лесные', 'пожары', 'область']
    """
    unquoted = re.sub(r'"[^"]*"', " ", text)
    tokens = unquoted.replace("(", " ( ").replace(")", " ) ").split()
    kept, skip_depth, depth, negate_next = [], None, 0, False
    for token in tokens:
        if token == "(":
            depth += 1
            if negate_next and skip_depth is None:
                skip_depth = depth
            negate_next = False
            continue
        if token == ")":
            if skip_depth == depth:
                skip_depth = None
            depth -= 1
            continue
        if token in _OPERATORS:
            continue
        if token in _NEGATIONS or token == "-":
            negate_next = True
            continue
        excluded, negate_next = negate_next or token.startswith("-"), False
        if skip_depth is not None or excluded or _PATTERN_MARKS.search(token):
            continue
        word = token.lstrip("+")
        if _HAS_WORD.search(word):
            kept.append(word)
    return kept


def is_natural_language(text: str) -> bool:
    """Whether ``text`` is plain words, without any query syntax.

    >>> is_natural_language("какие леса восстанавливают"), is_natural_language('"прямые рейсы"')
    (True, False)
    """
    return not _SYNTAX.search(text)


def is_plain_words(text: str) -> bool:
    """Whether a query as typed is plain words: filters (``lang:kk``) and a question's "?" aside.

    >>> is_plain_words("Что такое сепсис? lang:ru"), is_plain_words("сепсис -кровь")
    (True, False)
    """
    return is_natural_language(_QUESTION_MARK.sub(" ", _FILTER.sub(" ", text)))


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


def _one_word_phrases_as_terms(node: q.Query) -> q.Query:
    """A quoted phrase that analysis left one word in a field, as that word with the
    phrase's boost. (Whoosh's normalize() makes it a Term of boost 1, so in
    ``"в области"`` the Russian title field's ``область`` lost its title boost.)"""
    if isinstance(node, q.Phrase):
        words = [word for word in node.words if word is not None]
        return q.Term(node.fieldname, words[0], boost=node.boost) if len(words) == 1 else node
    return node.apply(_one_word_phrases_as_terms)


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
