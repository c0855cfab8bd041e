"""The suffix splitter's compiled slots find exactly what the grammar table allows."""

import re
from pathlib import Path

from analyzers.kk.morphology import (_TABLE, _WORD_END, MIN_STEM, RESPELLED_BEFORE,
                                     VOWEL_LETTERS, Analysis, analyses, dictionary_spellings,
                                     vowel_harmony)
from analyzers.kk.suffixes import NOUN, VERB

SEED = Path(__file__).resolve().parent.parent / "seeds" / "003_39e129c5cc536c5f.txt"


def analyses_by_the_table(word):
    """Every split, found by testing every allomorph of every allowed family: slow, plain."""
    found = []

    def split(end, allowed, chain, first_length):
        stem = word[:end]
        for kind in (NOUN, VERB):
            if kind in allowed:
                found.append(Analysis(stem, kind, chain, first_length))
        for name in allowed:
            rows, after = _TABLE.get(name, ((), None))
            for form, letters, harmony, before in rows:
                rest = stem[:-len(form)]
                lone = len(form) == 1 and form not in "пйу" and form not in VOWEL_LETTERS
                if (not stem.endswith(form) or len(rest) < MIN_STEM or lone and len(rest) < 3
                        or letters is not None and rest[-1] not in letters
                        or before is not None and rest[-2] not in before
                        or harmony and vowel_harmony(rest) not in ("", harmony)
                        or VOWEL_LETTERS.isdisjoint(rest)):
                    continue
                split(len(rest), after, (name,) + chain, len(form))

    split(len(word), _WORD_END, (), 0)
    return found


def _forms():
    words = re.findall(r"[а-яәғқңөұүһі]{3,}", SEED.read_text(encoding="utf-8").lower())
    return sorted(set(words))[:400] + ["ормандарымыздағылардың", "пайдаланушыларға",
                                       "қамтиды", "тауып", "оқылды", "процесі", "кітабы"]


def test_splitter_finds_the_analyses_the_table_allows_in_the_same_order():
    for form in _forms():
        assert analyses(form) == analyses_by_the_table(form), form


def test_a_noun_is_spelled_otherwise_only_before_a_vowel_or_u():
    # The stemmer skips dictionary_spellings for the other noun readings.
    respelled = set()
    for form in _forms():
        for analysis in analyses(form):
            if analysis.kind == NOUN and analysis.chain and dictionary_spellings(analysis, form):
                respelled.add(form[len(analysis.stem)])
    assert respelled and respelled <= RESPELLED_BEFORE
