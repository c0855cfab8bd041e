"""A field's index terms from a list of words, so one tokenization serves several fields.

Whoosh analyzes each field of a document on its own, through a chain of
generators that pass one ``Token`` per word through every filter. A Kazakh
paragraph fills three fields (``text_kk``, ``folded_kk``, ``exact``) from one
text, a Russian one three as well, so the same words were cut three times and
every word went through three generator chains. For indexing, an analyzer made
of Izde's tokenizer and filters is the same as: cut the words once
(:meth:`WordTokenizer.words`), then map each word form to its terms with one
cached call (:func:`index_plan`), numbering positions as the filters do.

Only chains whose filters this module knows get a plan; any other analyzer
(a user's own, Whoosh's) gets None and is analyzed by Whoosh as before.

    >>> from analyzers import analyzer_for
    >>> plan = index_plan(analyzer_for("kk"))
    >>> plan.positions(plan.tokenizer.words("Ормандарды күзету еді"))
    {'орман': [0], 'күзет': [1]}
"""

from dataclasses import dataclass
from typing import Callable

from whoosh.analysis import StopFilter

from analyzers.cache import word_table
from analyzers.en import EnglishStemFilter, stem_english
from analyzers.kk import KazakhTermFilter, folded_kazakh_term, kazakh_term
from analyzers.normalize import NormalizeFilter, normalize_word
from analyzers.ru import RussianLemmaFilter
from analyzers.tokenize import WordTokenizer

# How positions move over dropped words. CLOSE: every later word moves back by
# the words dropped before it (Izde's filters). FIRST_KEPT: Whoosh's StopFilter
# keeps the first kept word's position and numbers the rest after it.
CLOSE, FIRST_KEPT = "close", "first_kept"


@dataclass(frozen=True)
class IndexPlan:
    """How an analyzer indexes: its tokenizer, each word form's terms and the numbering."""
    tokenizer: WordTokenizer
    terms_of: Callable[[str], tuple]  # () for a dropped word; several terms share a position
    numbering: str
    # A chain that gives at most one term per word: terms_of's single term (None
    # for a dropped word), which spares a loop over a tuple on every word.
    term_of: Callable[[str], str | None] | None = None

    def positions(self, words: list[str]) -> dict[str, list[int]]:
        """Each term of ``words`` (as :meth:`WordTokenizer.words` cut them) -> its positions,
        as Whoosh's ``Positions`` format collects them from the analyzer's tokens."""
        terms_of = self.terms_of
        found: dict[str, list[int]] = {}
        get = found.get
        term_of = self.term_of
        if self.numbering == CLOSE and term_of is not None:
            dropped = 0
            for pos, word in enumerate(words):
                term = term_of(word)
                if term is None:
                    dropped += 1
                    continue
                where = get(term)
                if where is None:
                    found[term] = [pos - dropped]
                else:
                    where.append(pos - dropped)
            return found
        if self.numbering == CLOSE:
            dropped = 0
            for pos, word in enumerate(words):
                terms = terms_of(word)
                if not terms:
                    dropped += 1
                    continue
                for term in terms:
                    where = get(term)
                    if where is None:
                        found[term] = [pos - dropped]
                    else:
                        where.append(pos - dropped)
            return found
        pos = None
        for original, word in enumerate(words):
            terms = terms_of(word)
            if not terms:
                continue
            pos = original if pos is None else pos + 1
            for term in terms:
                found.setdefault(term, []).append(pos)
        return found


# Plans by the structure of their analyzer: schemas are built again on every
# opening of an index, and each plan owns a cache that must not be made twice.
_plans: dict[tuple, IndexPlan | None] = {}


def index_plan(analyzer) -> IndexPlan | None:
    """The plan that indexes exactly as ``analyzer`` does, or None if it has a step
    this module does not know."""
    items = getattr(analyzer, "items", None)
    if not items or type(items[0]) not in _TOKENIZERS:
        return None
    steps = [_step(item) for item in items[1:]]
    if any(step is None for step in steps):
        return None
    key = (type(items[0]), *(step[0] for step in steps))
    if key not in _plans:
        _plans[key] = _compose(items[0], [step[1:] for step in steps])
    return _plans[key]


def _tokenizers():
    from analyzers.ru import RussianTokenizer
    return {WordTokenizer, RussianTokenizer}


_TOKENIZERS = _tokenizers()


def _one(function):
    def terms(term):
        return (function(term),)
    terms.term_of = function  # its one term, for a plan of this step alone (_compose)
    return terms


def _kept_unless(function):
    # A filter whose function says None to a word it drops.
    def terms(term):
        found = function(term)
        return () if found is None else (found,)
    terms.term_of = function
    return terms


def _lemma_terms(terms_of):
    def terms(term):
        first, others = terms_of(term)
        return () if first is None else (first, *others)
    return terms


def _uncached(function):
    # A plan's table (_compose) keeps each form's terms: the function's own LRU cache
    # would keep them a second time, each new form a miss there (~0.3 us; ~106k
    # forms in a 10k paragraph build).
    return getattr(function, "__wrapped__", function)


def _step(item):
    """(key, per-term function, drops words, numbering, gives several terms) or None."""
    kind = type(item)
    if kind is NormalizeFilter:
        return (kind,), _one(normalize_word), False, None, False
    if kind is EnglishStemFilter:
        return (kind,), _one(stem_english), False, None, False
    if kind is KazakhTermFilter:
        function = folded_kazakh_term if item.folded else kazakh_term
        return (kind, item.folded), _kept_unless(_uncached(function)), True, CLOSE, False
    if issubclass(kind, RussianLemmaFilter) and kind.__call__ is RussianLemmaFilter.__call__:
        return (kind,), _lemma_terms(_uncached(item.terms_of)), True, CLOSE, True
    if kind is StopFilter:
        stops, least, most = item.stops, item.min, item.max

        def kept(term):
            if len(term) >= least and (most is None or len(term) <= most) \
                    and term not in stops:
                return (term,)
            return ()
        numbering = FIRST_KEPT if item.renumber else None
        return (kind, item.stops, least, most, item.renumber), kept, True, numbering, False
    return None


def _compose(tokenizer, steps) -> IndexPlan | None:
    dropping = [numbering for _f, drops, numbering, _many in steps if drops]
    if len(dropping) > 1 or dropping == [None]:
        return None  # numbering this module does not reproduce
    if any(many for _f, _d, _n, many in steps[:-1]):
        return None  # several terms per word only from the last step
    functions = [function for function, *_ in steps]

    def composed(form: str) -> tuple:
        terms = (form,)
        for function in functions:
            # Every step's function returns a tuple: one term (most words) needs no
            # generator to flatten (a new word form's terms, once per field).
            if len(terms) == 1:
                terms = function(terms[0])
            else:
                terms = tuple(out for term in terms for out in function(term))
            if not terms:
                return ()
        return terms
    terms_of = word_table(maxsize=200_000)(composed)
    term_of = None
    single = getattr(functions[0], "term_of", None) if len(functions) == 1 else None
    if single is not None:
        # One step of one term or none (exact's normalizing, Kazakh's term): its own
        # function, without the calls that compose and unwrap a tuple, on each new form.
        term_of = word_table(maxsize=200_000)(single)
    elif not any(many for _f, _d, _n, many in steps):
        # From the steps, not through terms_of's table: indexing asks only term_of,
        # and a new form then costs one table entry per field, not two.
        @word_table(maxsize=200_000)
        def term_of(form: str) -> str | None:
            terms = composed(form)
            return terms[0] if terms else None
    return IndexPlan(tokenizer, terms_of, dropping[0] if dropping else CLOSE, term_of)
