"""Indexing from words cut once gives every field the terms and positions its analyzer gives."""

from collections import defaultdict

import pytest
from whoosh.formats import Positions

from analyzers.word_terms import index_plan
from generated_corpus import seed_paragraphs
from search.storage.schema import build_schema

# Stop words first and in a row, hyphenated compounds, a handle, ambiguous Russian
# forms, Latin-script Kazakh, numbers with endings: the numbering's hard cases.
SENTENCES = [
    "The forests of the north burn every summer, and the fire-fighters wait.",
    "и в 1980-х годах вице-министр @ivan-petrov, кто-то по-русски сказал: стали стали",
    "Мен еді сондай ормандарымызда іс-шаралар өткізілді, Қазақтелеком және ҚазМұнайГаз.",
    "Ormandardy kúzetý — bul biziń mindetimiz.",
    "еді емес ғой",
    "",
]


def _whoosh_positions(analyzer, text):
    found = defaultdict(list)
    for token in analyzer(text, positions=True, mode="index"):
        if not token.stopped:
            found[token.text].append(token.pos)
    return dict(found)


@pytest.mark.parametrize("fieldname", sorted(name for name, field in build_schema().items()
                                             if type(field.format) is Positions))
def test_every_text_field_indexes_as_its_analyzer_does(fieldname):
    analyzer = build_schema()[fieldname].analyzer
    plan = index_plan(analyzer)
    assert plan is not None, f"{fieldname} would fall back to Whoosh's slower path"
    for text in [*SENTENCES, *seed_paragraphs()[:60]]:
        assert plan.positions(plan.tokenizer.words(text)) == _whoosh_positions(analyzer, text)


def test_an_analyzer_with_an_unknown_step_is_left_to_whoosh():
    from whoosh.analysis import StandardAnalyzer
    assert index_plan(StandardAnalyzer()) is None  # Whoosh's RegexTokenizer
