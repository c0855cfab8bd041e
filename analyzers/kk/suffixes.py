"""Kazakh inflectional suffixes as data: slots, allomorphs and what may stand before them.

A linguist can read and correct this file without reading the stemmer.

Every suffix family lists its allomorphs with the sound class that must end what
precedes it (consonant assimilation), and ``after``: which families, or which kind of
stem, may stand immediately to its left (the slot order). Vowel harmony is not
spelled out per allomorph: the stemmer checks that a suffix with back vowels
(а ы о ұ) follows a back word and one with front vowels (ә е і ө ү) a front word.

Slot order (Kazakh glues suffixes in a fixed order):

    noun: stem + plural + possessive + case (+ relativizer -ғы + plural + case) (+ predicative)
    verb: stem + voice + negation + tense/aspect/mood + person
          participles and verbal nouns then take the noun slots (алғаныма = ал+ған+ым+а)

Only inflection is listed, plus the verb forms users search by (participles, verbal
noun, agent -ушы). Derivation (-лық/-лік, -шы/-ші on nouns, -ла/-лан, -сыз, causatives,
reciprocal -ыс) stays in the stem: dictionaries list those words on their own, and
stripping them merges unrelated words (пайдаланушыларға reaches the verb пайдалан,
never the noun пайда).

Closed-class exceptions are data too: irregular.tsv (pronouns, copula), unstemmed.txt
(function words), stopwords.txt.
"""

from dataclasses import dataclass

# ---------------------------------------------------------------------------
# Sound classes of the letter that ends what precedes a suffix.
# ---------------------------------------------------------------------------
SOUND_CLASSES = {
    "vowel": "аәеиоөұүыіэюяё",
    # Vowels other than ы/і: a verb suffix that is a bare consonant after a vowel
    # (-п, -л, -н, -с, -р) is read as -ып, -ыл ... after the consonant instead, since
    # ы/і + consonant is the same spelling: оқып is оқы+п, but атып is ат+ып.
    # The stemmer restores the ы/і when the lexicon prefers it (оқы).
    "open_vowel": "аәеиоөұүэюяё",
    # р, й, у behave as sonorants: -лар after them (таулар, үйлер), -дың in the genitive.
    "glide": "рйуи",
    "l": "л",
    "nasal": "мнң",
    # з and ж: voiced consonants that take д/б-initial allomorphs.
    "zh": "зж",
    # Voiceless consonants, plus б в г ғ д which are pronounced voiceless word-finally
    # (Russian loans and names: Бозымбаевтың, мониторингтің).
    "voiceless": "кқпстшфхцчщһбвгғд",
    "any": "",  # no condition
}
# "l+open_vowel" in an allomorph's classes: the letter before last in the first class
# and the last letter in the second (-н of the passive after -ла/-ле, below).

# Classes that appear together in most rules.
VOICED = "vowel glide l nasal zh"


@dataclass(frozen=True)
class Family:
    """One suffix slot filler: its allomorphs and what may stand before it.

    ``allomorphs``: (surface form, sound classes allowed before it, space-separated).
    ``after``: names of families allowed immediately to the left; "noun" and "verb"
    mean the stem itself (attested in the lexicon as a noun or as a verb stem).
    ``harmonic``: False for the few suffixes with one vowel for every word (-мен).
    """
    name: str
    allomorphs: tuple
    after: tuple
    harmonic: bool = True


NOUN = "noun"
VERB = "verb"

# Where the noun slots may start: a noun stem, or a verb form that behaves as a noun.
NOMINAL = (NOUN, "participle", "participle_noun", "imperfective", "verbal_noun", "agent")

FAMILIES = (
    # ----------------------------------------------------------------- noun slots
    Family("plural", (
        ("лар", "vowel glide"), ("лер", "vowel glide"),   # -лар after a vowel or р/у/й
        ("дар", "l nasal zh"), ("дер", "l nasal zh"),     # -дар after voiced consonants
        ("тар", "voiceless"), ("тер", "voiceless"),       # -тар after voiceless
    ), after=NOMINAL),

    Family("poss1sg", (
        ("м", "vowel"),                                    # балам
        ("ым", "glide l nasal zh voiceless"), ("ім", "glide l nasal zh voiceless"),
    ), after=NOMINAL + ("plural",)),
    Family("poss2sg", (
        ("ң", "vowel"),
        ("ың", "glide l nasal zh voiceless"), ("ің", "glide l nasal zh voiceless"),
    ), after=NOMINAL + ("plural",)),
    Family("poss2pol", (                                  # polite "your": атыңыз
        ("ңыз", "vowel"), ("ңіз", "vowel"),
        ("ыңыз", "glide l nasal zh voiceless"), ("іңіз", "glide l nasal zh voiceless"),
        ("ңыздар", "vowel"), ("ңіздер", "vowel"),
        ("ыңыздар", "glide l nasal zh voiceless"), ("іңіздер", "glide l nasal zh voiceless"),
    ), after=NOMINAL + ("plural",)),
    Family("poss1pl", (
        ("мыз", "vowel"), ("міз", "vowel"),               # еліміз, баламыз
        ("ымыз", "glide l nasal zh voiceless"), ("іміз", "glide l nasal zh voiceless"),
    ), after=NOMINAL + ("plural",)),
    Family("poss3", (
        ("сы", "vowel"), ("сі", "vowel"),                 # баласы
        ("ы", "glide l nasal zh voiceless"), ("і", "glide l nasal zh voiceless"),  # жылы
    ), after=NOMINAL + ("plural",)),

    Family("genitive", (
        ("ның", "vowel nasal"), ("нің", "vowel nasal"),   # баланың, адамның
        ("дың", "glide l zh"), ("дің", "glide l zh"),     # жылдың, үйдің
        ("тың", "voiceless"), ("тің", "voiceless"),       # қазақтың
    ), after=NOMINAL + ("plural", "poss1sg", "poss2sg", "poss2pol", "poss1pl", "poss3",
                        "relativizer")),
    Family("accusative", (
        ("ны", "vowel"), ("ні", "vowel"),
        ("ды", "glide l nasal zh"), ("ді", "glide l nasal zh"),
        ("ты", "voiceless"), ("ті", "voiceless"),
    ), after=NOMINAL + ("plural", "poss1sg", "poss2sg", "poss2pol", "poss1pl",
                        "relativizer")),
    Family("dative", (
        ("ға", VOICED), ("ге", VOICED),                   # балаға, елге
        ("қа", "voiceless"), ("ке", "voiceless"),         # атқа, мемлекетке
    ), after=NOMINAL + ("plural", "poss1pl", "poss2pol", "relativizer")),
    Family("locative", (
        ("да", VOICED), ("де", VOICED),
        ("та", "voiceless"), ("те", "voiceless"),
    ), after=NOMINAL + ("plural", "poss1sg", "poss2sg", "poss2pol", "poss1pl")),
    Family("ablative", (
        ("дан", "vowel glide l zh"), ("ден", "vowel glide l zh"),
        ("нан", "nasal"), ("нен", "nasal"),               # адамнан, күннен
        ("тан", "voiceless"), ("тен", "voiceless"),
    ), after=NOMINAL + ("plural", "poss1sg", "poss2sg", "poss2pol", "poss1pl")),
    Family("instrumental", (
        # -мен after vowels and sonorants, -бен after з/ж, -пен after voiceless;
        # the long form -менен is bookish but common.
        ("мен", "vowel glide l nasal"), ("бен", "zh"), ("пен", "voiceless"),
        ("менен", "vowel glide l nasal"), ("бенен", "zh"), ("пенен", "voiceless"),
    ), after=NOMINAL + ("plural", "poss1sg", "poss2sg", "poss2pol", "poss1pl", "poss3"),
        harmonic=False),                                  # жылмен, халықпен: no back form

    # After the 3rd-person possessive the cases take an n: жылын, басына, ішінде, басынан.
    Family("case_after_poss3", (
        ("н", "vowel"), ("на", "vowel"), ("не", "vowel"), ("нан", "vowel"), ("нен", "vowel"),
    ), after=("poss3",)),
    # The locative apart, as only it takes the relativizer: ішіндегі, but бүгінгі is
    # бүгін+гі, not бүг+і+н+гі.
    Family("locative_after_poss3", (
        ("нда", "vowel"), ("нде", "vowel"),
    ), after=("poss3",)),
    # Equative -ша/-ше after the 3rd-person possessive takes an n: айтуынша "as he says",
    # пікірінше "in his opinion". (Bare -ша is left alone: көше, бақша are words.)
    Family("equative_after_poss3", (
        ("нша", "vowel"), ("нше", "vowel"),
    ), after=("poss3",)),
    # After 1st/2nd-person singular possessives the dative is a bare vowel: басыма, еліңе.
    Family("dative_after_poss12", (
        ("а", "nasal"), ("е", "nasal"),
    ), after=("poss1sg", "poss2sg")),

    # -ғы/-гі after the locative makes an adjective of a place: елдегі, жылдардағы.
    # Directly on a stem it is derivation and stays (ішкі, арғы).
    Family("relativizer", (
        ("ғы", VOICED), ("гі", VOICED), ("қы", "voiceless"), ("кі", "voiceless"),
    ), after=("locative", "locative_after_poss3")),
    # -дай/-дей "like": келгендей, өзіндей.
    Family("similative", (
        ("дай", VOICED), ("дей", VOICED), ("тай", "voiceless"), ("тей", "voiceless"),
        ("ндай", "vowel"), ("ндей", "vowel"),
    ), after=NOMINAL + ("plural", "poss3", "poss1pl")),

    # Predicative person endings on verb forms: келемін, аласыз, көрген емеспін, and on
    # the bare stems of тұр, отыр, жатыр, жүр, which are their own present (отырмын).
    # Not read on nouns, where -сыз/-сіз is nearly always "without" (жансыз, тілсіз).
    Family("predicative", (
        ("мын", "vowel glide l nasal"), ("мін", "vowel glide l nasal"),
        ("бын", "zh"), ("бін", "zh"), ("пын", "voiceless"), ("пін", "voiceless"),
        ("сың", "any"), ("сің", "any"), ("сыз", "any"), ("сіз", "any"),
        ("сыздар", "any"), ("сіздер", "any"),
        ("мыз", "vowel glide l nasal"), ("міз", "vowel glide l nasal"),
        ("быз", "zh"), ("біз", "zh"), ("пыз", "voiceless"), ("піз", "voiceless"),
    ), after=(VERB, "participle", "present", "converb_p", "negation_present", "aorist",
              "intentional", "perfect")),

    # ----------------------------------------------------------------- verb slots
    # Voice: passive -ыл/-л (салынды, жасалған), passive -ын after л (алынады, көрінеді).
    # Left in the stem, as dictionaries list them as verbs of their own: reciprocal
    # -ыс/-с (қатыс, байланыс, айтыс), reflexive -н after vowels (сұран, атан),
    # causatives (-дыр, -ғыз, -т).
    # After a vowel the passive is -л (оқыл, жасал), but -н when the stem's last
    # syllable has л, as л+л is avoided (сайла → сайланды, жарияла → жарияланған,
    # тазала → тазаланады), just as л-final stems take -ын.
    Family("voice", (
        ("ыл", "glide nasal zh voiceless"), ("іл", "glide nasal zh voiceless"),
        ("л", "open_vowel"),
        ("ын", "l"), ("ін", "l"),
        ("н", "l+open_vowel"),
    ), after=(VERB,)),
    # Negation -ма after a vowel or р/й/у/л, -ба after м/н/ң/з/ж, -па after voiceless.
    Family("negation", (
        ("ма", "vowel glide l"), ("ме", "vowel glide l"),
        ("ба", "nasal zh"), ("бе", "nasal zh"),
        ("па", "voiceless"), ("пе", "voiceless"),
    ), after=(VERB, "voice")),
    # Negative present/converb -май (алмай, келмейді): the negation plus -й.
    Family("negation_present", (
        ("й", "vowel"),
    ), after=("negation",)),

    # Past -ды/-ты: келді, айтты; then person: келдім, алдық, болдыңыз.
    Family("past", (
        ("ды", VOICED), ("ді", VOICED), ("ты", "voiceless"), ("ті", "voiceless"),
    ), after=(VERB, "voice", "negation")),
    # Present/future -а/-е after consonants, -й after vowels: алады, келеді, қарайды.
    Family("present", (
        ("а", "glide l nasal zh voiceless"), ("е", "glide l nasal zh voiceless"),
        ("й", "vowel"),
    ), after=(VERB, "voice")),
    # 3rd person of the present (алады, келмейді) and of the perfect (болыпты).
    Family("third_person", (
        ("ды", "vowel glide"), ("ді", "vowel glide"), ("ты", "voiceless"), ("ті", "voiceless"),
    ), after=("present", "negation_present", "converb_p")),
    # Perfect (evidential) -ыпты: the converb plus -ты, then person: келіптім.
    Family("perfect", (
        ("ты", "voiceless"), ("ті", "voiceless"),
    ), after=("converb_p",)),
    # Person after the past and the conditional: -м, -ң, -ңыз, -ңдар.
    Family("person_short", (
        ("м", "vowel"), ("ң", "vowel"), ("ңыз", "vowel"), ("ңіз", "vowel"),
        ("ңдар", "vowel"), ("ңдер", "vowel"), ("ңыздар", "vowel"), ("ңіздер", "vowel"),
    ), after=("past", "conditional", "perfect")),
    # 1st plural -қ/-к after the past and the conditional: алдық, барсақ. After the
    # past it is spelled like the noun suffix -дық/-лік (мемлекеттік), so it is not
    # verb evidence (VERB_ONLY below): only stems seen as verbs elsewhere take it.
    Family("person_1pl", (
        ("қ", "vowel"), ("к", "vowel"),
    ), after=("past", "conditional")),

    # Converb -ып/-іп after consonants, -п after vowels: алып, беріп, қарап.
    Family("converb_p", (
        ("ып", "glide l nasal zh voiceless"), ("іп", "glide l nasal zh voiceless"),
        ("п", "open_vowel"),
    ), after=(VERB, "voice")),
    # Past participle -ған/-ген after vowels and voiced, -қан/-кен after voiceless.
    Family("participle", (
        ("ған", VOICED), ("ген", VOICED), ("қан", "voiceless"), ("кен", "voiceless"),
    ), after=(VERB, "voice", "negation")),
    # Terminative -ғанша/-генше "until": the participle plus -ша (келгенше, өлгенше).
    Family("terminative", (
        ("ша", "nasal"), ("ше", "nasal"),
    ), after=("participle",)),
    # Nominalised participle -дық (болғандықтан, екендігін).
    Family("participle_noun", (
        ("дық", "nasal"), ("дік", "nasal"),
    ), after=("participle",)),
    # Imperfective participle -атын/-етін, -йтын/-йтін after vowels: болатын, қарайтын.
    Family("imperfective", (
        ("атын", "glide l nasal zh voiceless"), ("етін", "glide l nasal zh voiceless"),
        ("йтын", "vowel"), ("йтін", "vowel"),
    ), after=(VERB, "voice", "negation")),
    # Verbal noun -у (алу, келу, жасау), then noun slots: алуға, болуы, көруіміз.
    Family("verbal_noun", (
        ("у", "any"),
    ), after=(VERB, "voice", "negation")),
    # Agent -ушы/-уші: the verbal noun plus -шы (айтушы, болушы, пайдаланушы → пайдалан).
    # Unlike -шы on nouns (жұмысшы), it is part of the verb's paradigm.
    Family("agent", (
        ("шы", "glide"), ("ші", "glide"),
    ), after=("verbal_noun",)),
    # Conditional -са/-се: болса, жатсам, келсе.
    Family("conditional", (
        ("са", "any"), ("се", "any"),
    ), after=(VERB, "voice", "negation")),
    # Aorist/future participle -ар/-ер, -р after vowels; negative -с after -ма: көрер, алмас.
    Family("aorist", (
        ("ар", "glide l nasal zh voiceless"), ("ер", "glide l nasal zh voiceless"),
        ("р", "open_vowel"),
    ), after=(VERB, "voice")),
    Family("aorist_negative", (
        ("с", "vowel"),
    ), after=("negation",)),
    # Intention -мақ/-мек (бермек, қалыптастырмақ).
    Family("intentional", (
        ("мақ", "vowel glide l"), ("мек", "vowel glide l"),
        ("бақ", "nasal zh"), ("бек", "nasal zh"), ("пақ", "voiceless"), ("пек", "voiceless"),
    ), after=(VERB, "voice", "negation")),
    # Imperative: 3rd -сын/-сін (болсын), polite 2nd -ыңыз/-ңыз (беріңіз),
    # 1st plural -йық/-айық (берейік). 1st singular -йын/-айын is not read: it would
    # take дейін "until" and сайын "every" for verbs.
    Family("imperative", (
        ("сын", "any"), ("сін", "any"),
        ("ыңыз", "glide l nasal zh voiceless"), ("іңіз", "glide l nasal zh voiceless"),
        ("ңыз", "vowel"), ("ңіз", "vowel"),
        ("ыңыздар", "glide l nasal zh voiceless"), ("іңіздер", "glide l nasal zh voiceless"),
        ("ңыздар", "vowel"), ("ңіздер", "vowel"),
        ("айық", "glide l nasal zh voiceless"), ("ейік", "glide l nasal zh voiceless"),
        ("йық", "vowel"), ("йік", "vowel"),
    ), after=(VERB, "voice", "negation")),
)

# Families that never end a word: a word-final -ма/-ме or -ыл/-ын is far more often
# part of a noun (бөлме, алма, ақыл) than a negative or passive imperative.
NOT_WORD_FINAL = ("voice", "negation")

# Families only verbs take. A corpus form is evidence for a verb stem only if its
# reading has one of them: the past -ды/-ты and -дың are spelled like the accusative
# and the genitive, so мемлекетті alone says nothing about a verb мемлекет.
VERB_ONLY = frozenset({
    "voice", "negation", "negation_present", "present", "third_person", "perfect",
    "converb_p", "participle", "participle_noun", "imperfective", "verbal_noun", "agent",
    "conditional", "aorist_negative", "intentional", "imperative",
})
