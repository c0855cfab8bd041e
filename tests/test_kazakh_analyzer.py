"""The Kazakh analyzer: suffix slots, harmony, assimilation, alternations, guards."""

import pickle
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzers import analyzer_for
from analyzers.kk.fold import fold_lookalikes
from analyzers.kk.stemmer import stem_kazakh

SEED = Path(__file__).resolve().parent.parent / "seeds" / "003_39e129c5cc536c5f.txt"


def terms(text):
    return [token.text for token in analyzer_for("kk")(text)]


def test_kazakh_plural_and_case_strip_to_root():
    assert terms("ормандарды") == ["орман"]
    assert terms("Ормандардың орманмен ормандарымызда") == ["орман"] * 3


@pytest.mark.parametrize("form, stem", [
    # plural: -лар/-лер after vowels and р/й/у, -дар/-дер after voiced, -тар/-тер after voiceless
    ("балалар", "бала"), ("үйлер", "үй"), ("таулар", "тау"),
    ("жылдар", "жыл"), ("күндер", "күн"), ("қыздар", "қыз"),
    ("кітаптар", "кітап"), ("мемлекеттер", "мемлекет"),
    # genitive: -ның after vowels and м/н/ң, -дың after л/р/й/у/з/ж, -тың after voiceless
    ("баланың", "бала"), ("адамның", "адам"), ("күннің", "күн"),
    ("жылдың", "жыл"), ("үйдің", "үй"), ("қыздың", "қыз"),
    ("қазақтың", "қазақ"), ("мектептің", "мектеп"),
    # accusative: -ны / -ды / -ты
    ("баланы", "бала"), ("адамды", "адам"), ("елді", "ел"), ("мектепті", "мектеп"),
    # dative: -ға/-ге after vowels and voiced, -қа/-ке after voiceless
    ("балаға", "бала"), ("елге", "ел"), ("атқа", "ат"), ("мектепке", "мектеп"),
    # locative: -да/-де / -та/-те
    ("балада", "бала"), ("үйде", "үй"), ("мектепте", "мектеп"),
    # ablative: -дан/-ден, -нан/-нен after м/н/ң, -тан/-тен after voiceless
    ("баладан", "бала"), ("елден", "ел"), ("адамнан", "адам"), ("күннен", "күн"),
    ("мектептен", "мектеп"),
    # instrumental: -мен after vowels and sonorants, -бен after з/ж, -пен after voiceless
    ("баламен", "бала"), ("жылмен", "жыл"), ("қызбен", "қыз"), ("мектеппен", "мектеп"),
])
def test_kazakh_case_and_plural_allomorphs_follow_harmony_and_assimilation(form, stem):
    assert stem_kazakh(form) == stem


@pytest.mark.parametrize("form, stem", [
    # possessive: -(ы)м, -(ы)ң, -(ы)ңыз, -(ы)мыз, -(с)ы, then case with n after the 3rd person
    ("балам", "бала"), ("елім", "ел"), ("балаң", "бала"), ("еліңіз", "ел"),
    ("баламыз", "бала"), ("еліміз", "ел"), ("баласы", "бала"), ("жылы", "жыл"),
    ("адамы", "адам"), ("баласын", "бала"), ("еліне", "ел"), ("баласында", "бала"),
    # whole chains: plural + possessive + case, and the relativizer -ғы after the locative
    ("ормандарымызда", "орман"), ("елдеріміздің", "ел"), ("балаларының", "бала"),
    ("мектептердегі", "мектеп"), ("жылдардағы", "жыл"),
    # equative -ша after the 3rd-person possessive
    ("пікірінше", "пікір"),
])
def test_kazakh_possessive_slots_and_whole_chains_strip_to_root(form, stem):
    assert stem_kazakh(form) == stem


@pytest.mark.parametrize("form, stem", [
    # past, participle, present, converb, verbal noun, negation, conditional, person
    ("келді", "кел"), ("келген", "кел"), ("келеді", "кел"), ("келіп", "кел"),
    ("келу", "кел"), ("келмейді", "кел"), ("келсе", "кел"), ("келетін", "кел"),
    ("келгенде", "кел"), ("келдім", "кел"), ("келдіңіз", "кел"),
    ("алды", "ал"), ("алған", "ал"), ("алады", "ал"), ("алып", "ал"), ("алу", "ал"),
    ("алмайды", "ал"), ("алса", "ал"),
    # vowel-final verbs: -й in the present, -п in the converb
    ("жасады", "жаса"), ("жасайды", "жаса"), ("жасап", "жаса"), ("жасау", "жаса"),
    # the passive goes too: search for жаса finds жасалған
    ("жасалған", "жаса"), ("алынады", "ал"),
    # after a vowel in a syllable with л the passive is -н, not -л
    ("сайланады", "сайла"), ("жарияланған", "жарияла"),
    # the terminative -ғанша "until" is the participle plus -ша
    ("келгенше", "кел"), ("болғанша", "бол"),
])
def test_kazakh_verb_tense_person_and_participles_strip_to_bare_root(form, stem):
    assert stem_kazakh(form) == stem


@pytest.mark.parametrize("form, stem", [
    ("кітабы", "кітап"), ("кітабын", "кітап"),   # п → б before a vowel
    ("жүрегі", "жүрек"),                         # к → г
    ("аяғы", "аяқ"), ("құқығы", "құқық"),        # қ → ғ
    ("тереңдігінде", "тереңдік"),                # -лік nouns in the possessive
    ("халқы", "халық"), ("аузы", "ауыз"), ("орны", "орын"),  # the high vowel drops
    ("оқып", "оқы"), ("оқу", "оқы"), ("оқиды", "оқы"), ("қамтиды", "қамты"),  # ы+й → и
    ("тауып", "тап"), ("жауып", "жап"),          # п → у before the converb -ып
])
def test_kazakh_stem_final_alternations_are_undone(form, stem):
    assert stem_kazakh(form) == stem


def test_a_plural_is_never_a_word_of_its_own():
    # мамандар is in the corpus with its own case forms (мамандардың, мамандарға);
    # all of them are маман's too, and a search for маман should find them.
    assert stem_kazakh("мамандар") == stem_kazakh("мамандардың") == "маман"
    assert stem_kazakh("жануарлардың") == "жануар"


@pytest.mark.parametrize("bare, inflected", [
    ("мониторинг", "мониторингтің"), ("мониторинг", "мониторингі"),
    ("инфрақұрылым", "инфрақұрылымның"), ("учаске", "учаскелері"),
    ("Бозымбаев", "Бозымбаевтың"), ("Алматы", "Алматыда"), ("Мусин", "Мусинді"),
])
def test_russian_loanwords_and_names_with_kazakh_endings_meet_the_bare_form(bare, inflected):
    assert terms(inflected) == terms(bare)


@pytest.mark.parametrize("typed, proper", [
    ("бiлiм", "білім"),          # Latin i
    ("жиhаз", "жиһаз"),          # Latin h
    ("əке", "әке"),              # U+0259 schwa
    ("теӊіз", "теңіз"),          # U+04CA en with tail
    ("Ақoрда", "Ақорда"),        # Latin o
])
def test_lookalike_letters_in_cyrillic_words_fold_to_kazakh_letters(typed, proper):
    assert terms(typed) == terms(proper)


def test_lookalike_folding_leaves_latin_words_alone():
    assert fold_lookalikes("iphone") == "iphone"


@pytest.mark.parametrize("word", ["су", "ел", "ас", "ет", "ай", "бас", "жыл", "жан"])
def test_short_roots_survive_stemming(word):
    assert stem_kazakh(word) == word


@pytest.mark.parametrize("form, not_stem", [
    ("пайдаланушыларға", "пайда"),     # derivation -лан stays
    ("бөлме", "бөл"),                  # not the negative imperative
    ("мемлекеттік", "мемлекет"),       # -тік is derivation, not past + 1st plural
    ("байланыс", "байла"),             # reciprocal -ыс stays in the stem
    ("дейін", "де"),                   # "until" is not an imperative of де
    ("басқа", "бас"),                  # "other" is not the dative of "head"
    ("бірге", "бір"),                  # "together" is not the dative of "one"
])
def test_over_stemming_guards_keep_what_belongs_to_the_root(form, not_stem):
    assert stem_kazakh(form) != not_stem
    assert stem_kazakh(form).startswith(not_stem)


def test_the_relativizer_follows_a_locative_only():
    assert stem_kazakh("ішіндегі") == "іш"                 # іш+і+нде+гі
    assert not stem_kazakh("бүгінгі").startswith("бүк")    # not бүг+і+н+гі


def test_hyphen_compound_indexes_whole_and_parts():
    assert terms("Қасым-Жомарт")[0] == "қасым-жомарт"
    assert "жомарт" in terms("Қасым-Жомарт")


def test_hyphen_compound_is_inflected_on_its_last_part():
    assert terms("Қасым-Жомарттың")[0] == "қасым-жомарт"
    assert terms("ата-аналардың") == terms("ата-ана")
    assert terms("РЭС-2026")[0] == "рэс-2026"


def test_auxiliaries_and_particles_are_dropped_and_positions_close_up():
    text = "Ол келген еді деп айтты"
    # the tokenizer reuses one Token object: copy what we need as we go
    tokens = [(t.text, t.pos, text[t.startchar:t.endchar])
              for t in analyzer_for("kk")(text, positions=True, chars=True)]
    # a phrase query drops еді too, so its words must stand at consecutive positions
    assert tokens == [("ол", 0, "Ол"), ("кел", 1, "келген"), ("де", 2, "деп"),
                      ("айт", 3, "айтты")]


def test_pronoun_stems_change_in_oblique_cases():
    assert {stem_kazakh(w) for w in ["мен", "маған", "менің"]} == {"мен"}
    assert {stem_kazakh(w) for w in ["бұл", "мұнда", "мұның"]} == {"бұл"}


def _paragraph_terms():
    analyzer = analyzer_for("kk")
    paragraphs = [p for p in SEED.read_text(encoding="utf-8").splitlines() if p.strip()]
    return [{t.text for t in analyzer(p)} for p in paragraphs]


@pytest.mark.parametrize("query", [
    "су тасқыны", "ормандарды күзету", "мектептер", "ауылдарды байланыспен қамту",
    "мұнай өңдеу",
])
def test_seed_queries_meet_a_paragraph_of_the_kazakh_seed(query):
    wanted = set(terms(query))
    assert any(wanted <= paragraph for paragraph in _paragraph_terms())


def test_analyzer_pickles_and_compares_equal():
    analyzer = analyzer_for("kk")
    assert pickle.loads(pickle.dumps(analyzer)) == analyzer


_KAZAKH_TEXT = st.text(
    alphabet=st.sampled_from(list("аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
                                  "АӘҚҢӨҰҮІ ia-.,\u0301\u0259\u04ca")),
    max_size=60)


@settings(max_examples=150, deadline=None)
@given(_KAZAKH_TEXT)
def test_stemming_never_yields_an_empty_term_and_offsets_slice_back(text):
    for token in analyzer_for("kk")(text, positions=True, chars=True, keeporiginal=True):
        assert token.text
        assert text[token.startchar:token.endchar] == token.original


@settings(max_examples=100, deadline=None)
@given(st.from_regex(re.compile(r"[а-яәғқңөұүһі]{1,12}"), fullmatch=True))
def test_stem_of_any_word_is_a_nonempty_prefix_or_dictionary_spelling(word):
    stem = stem_kazakh(word)
    assert stem
    assert len(stem) <= len(word) + 1
