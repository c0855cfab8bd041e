"""Words are numbered without morphology exactly as each field's analyzer numbers them."""

import pytest

from analyzers.positions import word_positions
from conftest import SEEDS
from search.storage.schema import COMPANION_FIELDS, build_schema, text_field

SCHEMA = build_schema()
FIELDS = [text_field(lang) for lang in ("ru", "kk", "en")] + list(COMPANION_FIELDS.values())
PARAGRAPHS = [paragraph.strip() for path in sorted(SEEDS.iterdir())
              for paragraph in path.read_text(encoding="utf-8").split("\n\n") if paragraph.strip()]


@pytest.mark.parametrize("fieldname", FIELDS)
def test_each_position_is_the_word_the_analyzer_put_there(fieldname):
    analyzer = SCHEMA[fieldname].analyzer
    for paragraph in PARAGRAPHS + ["И вот в этом году в лесах, вице-министр и 1980-х кто-то.",
                                   "Мен еді, бірақ іс-шаралар Қазақтелеком.", "The of and a forest"]:
        analyzed = {}
        for token in analyzer(paragraph, positions=True, chars=True):
            analyzed.setdefault(token.pos, (token.startchar, token.endchar))
        assert word_positions(analyzer, paragraph) == analyzed, paragraph[:60]
