"""The index layout: one Whoosh document per paragraph, one text field per language.

A paragraph's text goes into the field of its language only (``text_kk``,
``text_ru`` or ``text_en``), so it is analyzed by that language's analyzer; a
query is analyzed by each field's analyzer and searched in all three.

Beside them, ``exact`` holds every paragraph's words as written (lowercased and
normalized, no stemming or lemmas), so the form the user typed scores above a
mere lemma match; ``title_<lang>`` holds a paragraph's title where it has one
(records added with :meth:`Index.add_paragraphs`, and the heading a file's
paragraph stands under: see :mod:`search.ingest.formats`).

Two languages have a second field with a coarser analysis of the same text
(:func:`companion_fields`): ``folded_kk`` holds Kazakh paragraphs with the nine
Kazakh-only letters folded as a Russian keyboard types them (қ -> к, і -> и ...),
so ``казактелеком`` finds ``Қазақтелеком`` (see :mod:`search.query.rewrite` for when it
is searched); ``stem_ru`` holds Russian paragraphs as Snowball stems, so words of
one root but another part of speech meet (``дивизионе`` / ``дивизионном``).

Kazakh written in the 2021 Latin alphabet fills the Kazakh fields transliterated
to Cyrillic (:func:`indexed_text`), so Cyrillic queries find it; ``text`` and
``exact`` keep it as written. A paragraph in none of the three languages
(Ukrainian, Kyrgyz ..., tagged ``other``) fills only ``exact``.
"""

from analyzers.normalize import NormalizeFilter
from analyzers.tokenize import WordTokenizer
from whoosh.analysis import IDTokenizer, LowercaseFilter
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from analyzers import LANGUAGES, analyzer_for
from analyzers.detect import OTHER
from analyzers.kk.latin import as_cyrillic
from analyzers.kk import kazakh_folded_analyzer
from analyzers.ru.stems import russian_stem_analyzer

from search.storage.cache import memo

# Bump when analysis or layout changes so that old indexes are rebuilt, not misread.
# 10: Russian есть also under быть, его/ему/ним under он only, and the
# Kazakh and English analysis changes of issue 21; 9: a paragraph's starting line is stored (issue 26; an update re-reads only changed
# files, so without the bump paragraphs of unchanged files would never get their
# line); 8: titles from headings, title lines and subjects (issue 20); 7: Latin
# Kazakh indexed in Cyrillic, `other` paragraphs (issue 21).
SCHEMA_VERSION = 10

EXACT_FIELD = "exact"
# Companion fields are named <kind>_<lang> so that field_language() gives their
# language and BM25F averages their length over that language's paragraphs only.
FOLDED_FIELD = "folded_kk"
FOLDED_LANG = "kk"
STEM_FIELD = "stem_ru"
STEM_LANG = "ru"


def text_field(lang: str) -> str:
    """The field of a paragraph's text in ``lang``; ``other`` has only ``exact``."""
    return EXACT_FIELD if lang == OTHER else f"text_{lang}"


def title_field(lang: str) -> str:
    return f"title_{lang}"


TEXT_FIELDS = tuple(text_field(lang) for lang in LANGUAGES)
TITLE_FIELDS = tuple(title_field(lang) for lang in LANGUAGES)
# Every field a query's words are looked up in.
SEARCH_FIELDS = (*TEXT_FIELDS, EXACT_FIELD, *TITLE_FIELDS, FOLDED_FIELD, STEM_FIELD)


def exact_analyzer():
    """Words as written: the shared tokenizer and normalizer, nothing language-specific."""
    return WordTokenizer() | NormalizeFilter()


# A language's second field of its paragraphs, analyzed more coarsely.
COMPANION_FIELDS = {FOLDED_LANG: FOLDED_FIELD, STEM_LANG: STEM_FIELD}


def companion_fields(lang: str, text: str) -> dict:
    """The paragraph's text for its language's companion field, if it has one."""
    companion = COMPANION_FIELDS.get(lang)
    return {companion: text} if companion else {}


def indexed_text(lang: str | None, text: str) -> str:
    """The text as ``lang``'s fields index it: Latin-script Kazakh in Cyrillic."""
    return as_cyrillic(text) if lang == FOLDED_LANG else text


def language_fields(lang: str, text: str, title: str | None = None) -> dict:
    """The fields a paragraph in ``lang`` fills besides ``exact``: its language's text
    (and title) field and companion, as :func:`indexed_text` gives them."""
    if lang == OTHER:
        return {}
    indexed = indexed_text(lang, text)
    fields = {text_field(lang): indexed, **companion_fields(lang, indexed)}
    if title:
        fields[title_field(lang)] = indexed_text(lang, title)
    return fields


def field_language(fieldname: str) -> str | None:
    """The language whose paragraphs fill ``fieldname`` (``text_ru`` -> ``ru``), else None."""
    prefix, _, lang = fieldname.rpartition("_")
    return lang if prefix and lang in LANGUAGES else None


def build_schema() -> Schema:
    fields = {
        "path": ID(stored=True),
        "file": ID(analyzer=IDTokenizer() | LowercaseFilter()),  # file name, for file: filters
        "paragraph": NUMERIC(stored=True),
        "line": STORED(),  # 1-based line the paragraph starts on; None for HTML and records
        "lang": ID(stored=True, analyzer=IDTokenizer() | LowercaseFilter()),
        "text": STORED(),
        "title": STORED(),  # a record's or a heading's title, kept to analyze it again
        "page": STORED(),  # the page of a paragraph from a PDF
    }
    for lang in LANGUAGES:
        fields[text_field(lang)] = TEXT(analyzer=analyzer_for(lang), phrase=True)
        fields[title_field(lang)] = TEXT(analyzer=analyzer_for(lang), phrase=True)
    fields[EXACT_FIELD] = TEXT(analyzer=exact_analyzer(), phrase=True)
    fields[FOLDED_FIELD] = TEXT(analyzer=kazakh_folded_analyzer(), phrase=True)
    fields[STEM_FIELD] = TEXT(analyzer=russian_stem_analyzer(), phrase=True)
    return Schema(**fields)


def empty_fields(searcher) -> frozenset[str]:
    """Search fields without a single word indexed (title_en when no record has a title ...)."""
    cached = memo(searcher, "empty_fields")
    if "fields" not in cached:
        cached["fields"] = frozenset(f for f in SEARCH_FIELDS if not searcher.field_length(f))
    return cached["fields"]
