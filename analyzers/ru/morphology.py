"""Russian word form → index terms (pymorphy3 lemmas), one cached call per distinct form.

    >>> lemmas("лесных")
    ('лесной',)
    >>> lemmas("зеленый")
    ('зеленый',)

Input is already normalized (lowercase, NFC, no stress marks, ё folded to е, see
analyzers.normalize); output lemmas have ё folded to е too, because pymorphy3's
normal forms spell ё (``ёжик``).

Decisions, each measured on ru_dev.conllu with ``python -m search.cli eval lemmas
ru_dev.conllu --lang ru`` (conflation F1; more figures in the commit messages):

- Ambiguity: a form is indexed under every lemma whose parse scores at least
  ``AMBIGUITY_RATIO`` of the best parse (``стою`` → стоить, стоять). Threshold
  0.2/0.3/0.4/0.5/0.7/1.0 gave F1 .943/.942/.940/.940/.939/.938; 0.3 has the
  better precision of the two best. Summing scores per lemma, or keeping only
  same-POS (or only other-POS) readings, measured worse (.941, .936, .939).
- A participle that pymorphy3 also knows as an adjective (``данный``,
  ``открытый``, ``бывший``) is indexed as the adjective, not the verb: such words
  live as adjectives (``данный вопрос`` is not about giving). P .935→.951,
  R .945→.935 before the other rules; deciding by the top reading instead: worse.
- Short forms: a participle over a short adjective (``открыт`` → открыть), an
  adverb over a short adjective or participle (``прямо``, ``видимо``):
  F1 .931 → .934 (precision +1.3 points).
- Archaic readings (pymorphy3's ``Arch``: ``суть`` as быть, ``весть`` as ведать)
  only when no modern reading exists: ``суть`` is the noun. P .948 → .950,
  recall unchanged.
- Pronouns: when the best reading is a pronoun or function word, every pronoun
  reading is kept whatever its score (``им`` → они, он, оно; ``все`` → все,
  весь; ``то`` → то, тот). R .9445 → .9493, P .9498 → .9495, F1 .9471 → .9494;
  keeping them only when the best reading is itself a pronoun: F1 .9479.
- Oblique forms that он and оно share (``его``, ``ему``, ``ним``, ``нем``) are
  он only, as dictionaries and the treebanks file them; оно keeps its
  nominative. 5-fold F1 .9465 → .9488 (``--folds 5``, mean over folds).
- ``есть`` is both the infinitive "to eat", which pymorphy3 rates 0.89, and the
  only living present-tense form of быть (0.04), the commoner reading in
  running text: a present-tense reading is kept whatever its score when the
  best one is an infinitive (in the retrieval collection's 38k Russian word
  forms only есть is such a homograph). Indexed есть, быть; a query keeps
  есть first, so a question about eating does not match every был.
  5-fold F1 .9488 → .9523; dev retrieval unchanged (ru nDCG@10 0.9501).
- Feminine surnames and patronymics keep the feminine nominative (``Пугачёвой``
  → пугачева, ``Петровны`` → петровна), not pymorphy3's masculine: P .9506 →
  .9507, recall unchanged.
- Superlatives keep their own lemma (``лучший``, ``крупнейший``), not pymorphy3's
  positive degree (``хороший``): a search for ``хороший`` should not rank every
  ``лучший``. Precision +1.3 points, recall unchanged.
- An adverb that is a noun's frozen instrumental (``зимой``, ``ночью``) is indexed
  under the noun too, whatever its score: recall +0.2 points.
- Unknown words (proper names, new words): pymorphy3's guess by suffix
  (``алматинская`` → алматинский): F1 .9451, against the bare form .9450 and
  Snowball .9444. Letters typed three times or more are collapsed first.
- All-Latin words are English inside Russian text: Snowball English stem. A word
  mixing Cyrillic and Latin look-alike letters (``bаpвapа``) is read as Cyrillic.
- Standard abbreviations (``тыс``, ``млн``, ``гг``) map to their word
  (abbreviations.tsv): recall +0.4 points.
"""

import os
import re
from pathlib import Path

from analyzers.cache import word_cache
from analyzers.en import stem_english

# Keep a secondary parse's lemma when its score is at least this share of the
# best parse's score.
AMBIGUITY_RATIO = 0.3

_CYRILLIC = re.compile("[а-я]")
_LATIN = re.compile("[a-z]")
# Latin letters that look like Cyrillic ones; typed by mistake or to dodge filters.
_LOOKALIKES = str.maketrans("aceopxykmtbh", "асеорхукмтвн")
_LOOKALIKE_SET = frozenset("aceopxykmtbh")

# A letter typed three or more times (даааа, клааааасс, спасиииибо): no Russian
# word has that, except a handful such as длинношеее, which pymorphy3 knows.
_ELONGATION = re.compile(r"([а-я])\1{2,}")

_FEMININE_NAME = frozenset({"sing", "nomn"})
_SUPERLATIVE_LEMMA = frozenset({"Supr", "masc", "sing", "nomn"})

# зимой, ночью, вечером, рядом, путём: adverbs (or prepositions) that are a noun's
# instrumental case, frozen. pymorphy3 rates the noun reading low, but the letters
# are that noun's form and a search for зима should find зимой.
_ADVERB_OR_PREPOSITION = frozenset({"ADVB", "PREP"})

# им (он or они), его (он, оно, or the possessive), все (всё or весь), то (то or
# тот): pronouns and function words whose readings are all common, where
# pymorphy3's scores are near-arbitrary (им: они .89, он .004). When the best
# reading is a pronoun or function word, every pronoun reading is kept.
_FUNCTION_WORD = frozenset({"NPRO", "CONJ", "PRCL", "PREP"})


def _read_abbreviations() -> dict[str, str]:
    text = Path(__file__).with_name("abbreviations.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines()
            if line.strip() and not line.startswith("#"))
    return {abbreviation.strip(): lemma.strip() for abbreviation, lemma in rows}


ABBREVIATIONS = _read_abbreviations()

_morph = None


def morph_analyzer():
    """The shared ``pymorphy3.MorphAnalyzer``, loaded on first use (~40 ms, see
    analyzers.ru.dictionary)."""
    global _morph
    if _morph is None:
        import pymorphy3
        import pymorphy3_dicts_ru

        from analyzers.ru.dictionary import load_analyzer
        # Naming the dictionary saves pymorphy3 scanning every installed package's
        # entry points for it: 0.1 s of each `izde search`. Its environment
        # variable still wins, as pymorphy3 documents.
        custom = pymorphy3.MorphAnalyzer.DICT_PATH_ENV_VARIABLE in os.environ
        _morph = load_analyzer(None if custom else pymorphy3_dicts_ru.get_path())
    return _morph


@word_cache(maxsize=200_000)
def lemmas(word: str) -> tuple[str, ...]:
    """Index terms of a normalized word form, most likely first; never empty.

    >>> lemmas("стою")
    ('стоить', 'стоять')
    >>> lemmas("лучших")
    ('лучший',)
    """
    if word.startswith("@"):
        return (word,)  # a handle, see analyzers.ru.RussianTokenizer
    if not _CYRILLIC.search(word):
        if word.isascii() and word.isalpha():
            return (stem_english(word),)
        return (word,)  # numbers, codes, other scripts
    if word in ABBREVIATIONS:
        return (ABBREVIATIONS[word],)
    word = as_cyrillic(word)
    morph = morph_analyzer()
    if _ELONGATION.search(word) and not morph.word_is_known(word):
        word = _shorten_elongation(word, morph)
    parses = morph.parse(word)
    if len(parses) == 1:
        # Nearly half the forms (8.6k of 18k new ones on the 10k bench corpus) have
        # one reading: no preference or threshold can drop it.
        term = _lemma(parses[0]).replace("ё", "е")
        return (term,) if term else (word,)
    parses = _prefer_readings(parses) or parses
    # Scores are compared per parse, not summed per lemma: summing (pymorphy3
    # spreads a lemma over its case/gender variants) measured no better.
    threshold = parses[0].score * AMBIGUITY_RATIO
    terms = []
    top_pos, top_grammemes = _tag_facts(parses[0].tag)
    adverb_first = top_pos in _ADVERB_OR_PREPOSITION
    function_first = top_pos in _FUNCTION_WORD or "Apro" in top_grammemes
    infinitive_first = top_pos == "INFN"
    for parse in parses:
        if (parse.score < threshold
                and not (adverb_first and _is_noun_instrumental(parse))
                and not (infinitive_first and _is_present_tense(parse))
                and not (function_first and _is_pronoun(parse))):
            continue
        term = _lemma(parse).replace("ё", "е")
        if term and term not in terms:
            terms.append(term)
    return tuple(terms) or (word,)


_CASE_AND_NUMBER = frozenset({"sing", "plur", "nomn", "gent", "datv", "accs", "ablt", "loct"})
_GENDER = frozenset({"masc", "femn", "neut"})


def inflect_like(lemma: str, typed: str) -> str:
    """``lemma`` in the case and number pymorphy3 reads in ``typed``; else ``lemma`` itself.

    For a typo corrected through its lemma, so the correction reads as typed:

    >>> inflect_like("пожар", "пажары"), inflect_like("вода", "вадой")
    ('пожары', 'водой')
    """
    morph = morph_analyzer()
    typed_tag = morph.parse(typed)[0].tag
    wanted = set(typed_tag.grammemes) & _CASE_AND_NUMBER
    if not wanted:
        return lemma
    for parse in morph.parse(lemma):
        if parse.normal_form != lemma:
            continue
        grammemes = set(wanted)
        if parse.tag.POS in ("ADJF", "PRTF") and "sing" in wanted:
            grammemes |= set(typed_tag.grammemes) & _GENDER  # an adjective agrees in gender
        form = parse.inflect(grammemes)
        if form is not None:
            return form.word
    return lemma


def as_cyrillic(word: str) -> str:
    """A Cyrillic word with Latin look-alike letters typed in it, spelled in Cyrillic.

    >>> as_cyrillic("bаpвapа")
    'варвара'
    """
    if _LATIN.search(word) and _LOOKALIKE_SET.issuperset(_LATIN.findall(word)):
        return word.translate(_LOOKALIKES)
    return word


def _is_pronoun(parse) -> bool:
    pos, grammemes = _tag_facts(parse.tag)
    return pos == "NPRO" or "Apro" in grammemes


def _is_present_tense(parse) -> bool:
    pos, grammemes = _tag_facts(parse.tag)
    return pos == "VERB" and "pres" in grammemes


def _is_noun_instrumental(parse) -> bool:
    pos, grammemes = _tag_facts(parse.tag)
    return pos == "NOUN" and "ablt" in grammemes


def _shorten_elongation(word: str, morph) -> str:
    """Collapse letters typed 3+ times to one letter, or to two if only that is a known word."""
    single = _ELONGATION.sub(r"\1", word)
    if morph.word_is_known(single):
        return single
    double = _ELONGATION.sub(r"\1\1", word)
    return double if morph.word_is_known(double) else single


def _tag_facts(tag) -> tuple:
    """(part of speech as a plain string or None, grammemes) of a pymorphy3 tag, once
    per tag: ``tag.POS`` intersects two sets and wraps the answer in a checked string
    on every look, and a new word form looks at each of its parses' tags several times."""
    key = str(tag)
    facts = _TAG_FACTS.get(key)
    if facts is None:
        pos = tag.POS
        facts = _TAG_FACTS[key] = (None if pos is None else str(pos), tag.grammemes)
    return facts


_TAG_FACTS: dict[str, tuple] = {}  # a few thousand tags at most: the dictionary's


def _prefer_readings(parses):
    facts = [_tag_facts(p.tag) for p in parses]
    if any("Arch" in grammemes for _, grammemes in facts):
        # суть (быть), весть (ведать): an archaic reading only when nothing else fits.
        modern = [(p, f) for p, f in zip(parses, facts) if "Arch" not in f[1]]
        if modern:
            parses, facts = [p for p, _ in modern], [f for _, f in modern]
    pos = {part for part, _ in facts}
    if "NPRO" in pos:
        # его, ему, ним, нем: он and оно share every oblique form, which
        # dictionaries (and UD treebanks: его → он 15 times, → оно once in
        # ru_dev.conllu) file under он; оно keeps only its nominative.
        masculine = {p.tag.case for p in parses if p.tag.POS == "NPRO" and p.tag.gender == "masc"}
        parses = [p for p in parses if not (p.tag.POS == "NPRO" and p.tag.gender == "neut"
                                            and p.tag.case in masculine)]
    if "ADJF" in pos and "PRTF" in pos:
        # данный, открытый, бывший: the adjective, not the verb.
        parses = [p for p in parses if p.tag.POS != "PRTF"]
    if "ADJS" in pos and "PRTS" in pos:
        # открыт, развит, отделен: a short form in a sentence is the verb's
        # participle far more often than the short adjective.
        parses = [p for p in parses if p.tag.POS != "ADJS"]
    if "ADJS" in pos and ("ADVB" in pos or "PRED" in pos):
        # прямо, плохо, похоже: the adverb, not the neuter short adjective.
        parses = [p for p in parses if p.tag.POS != "ADJS"]
    if "PRTS" in pos and ("ADVB" in pos or "PRED" in pos):
        # открыто, видимо: the adverb, not the neuter short participle.
        parses = [p for p in parses if p.tag.POS != "PRTS"]
    return parses


# Parts of speech of hyphenated words that name one property or manner, or are
# one interjection or particle (ха-ха, м-да), and whose parts are not words of
# their own (see analyzers.ru.RussianTokenizer).
_MODIFIER = frozenset({"ADJF", "ADJS", "COMP", "ADVB", "PRTF", "PRTS", "GRND", "PRED",
                       "INTJ", "PRCL", "CONJ"})


@word_cache(maxsize=50_000)
def is_hyphenated_modifier(word: str) -> bool:
    """Whether a normalized hyphenated word is one modifier or interjection (черно-белый, ха-ха).

    >>> is_hyphenated_modifier("северо-западный"), is_hyphenated_modifier("северо-запад")
    (True, False)
    """
    return morph_analyzer().parse(word)[0].tag.POS in _MODIFIER


def _lemma(parse) -> str:
    tag = parse.tag
    pos, grammemes = _tag_facts(tag)
    if "femn" in grammemes and ("Surn" in grammemes or "Patr" in grammemes):
        # pymorphy3 files Пугачёва under Пугачёв and Петровна under Петрович;
        # a woman's surname or patronymic is her own name.
        feminine = parse.inflect(_FEMININE_NAME)
        if feminine:
            return feminine.word
    if pos == "ADJF" and "Supr" in grammemes:
        # pymorphy3 files лучший under хороший; keep the superlative's own
        # masculine nominative (the lexeme holds both лучший and наихороший, so
        # take the one sharing most letters with the form).
        candidates = [form.word for form in parse.lexeme
                      if _SUPERLATIVE_LEMMA <= form.tag.grammemes]
        if candidates:
            return max(candidates, key=lambda c: _common_prefix(c, parse.word))
    return parse.normal_form


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


@word_cache(maxsize=50_000)
def is_combining_stem(part: str) -> bool:
    """Whether the first part of a hyphenated word is a combining stem in -о/-е, not a word.

    >>> is_combining_stem("северо"), is_combining_stem("вице"), is_combining_stem("рок")
    (True, False, False)
    """
    return part.endswith(("о", "е")) and part.isalpha() and not morph_analyzer().word_is_known(part)
