"""The index layout: one Whoosh document per paragraph, one text field per language.

A paragraph's text goes into the field of its language only (``text_kk``,
``text_ru`` or ``text_en``), so it is analyzed by that language's analyzer; a
query is analyzed by each field's analyzer and searched in all three.
"""

from whoosh.analysis import IDTokenizer, LowercaseFilter
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from analyzers import LANGUAGES, analyzer_for

# Bump when analysis or layout changes so that old indexes are rebuilt, not misread.
SCHEMA_VERSION = 1


def text_field(lang: str) -> str:
    return f"text_{lang}"


TEXT_FIELDS = tuple(text_field(lang) for lang in LANGUAGES)


def field_language(fieldname: str) -> str | None:
    """The language whose paragraphs fill ``fieldname`` (``text_ru`` -> ``ru``), else None."""
    prefix, _, lang = fieldname.rpartition("_")
    return lang if prefix and lang in LANGUAGES else None


def build_schema() -> Schema:
    fields = {
        "path": ID(stored=True),
        "file": ID(analyzer=IDTokenizer() | LowercaseFilter()),  # file name, for file: filters
        "paragraph": NUMERIC(stored=True),
        "lang": ID(stored=True, analyzer=IDTokenizer() | LowercaseFilter()),
        "text": STORED(),
    }
    for lang in LANGUAGES:
        fields[text_field(lang)] = TEXT(analyzer=analyzer_for(lang), phrase=True)
    return Schema(**fields)
