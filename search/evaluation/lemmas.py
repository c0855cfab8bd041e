"""Measuring an analyzer against gold lemmas (CoNLL-U treebanks).

Conflation is what a search user feels: two word forms that reach the same index
term find each other. Over all pairs of distinct word forms in the treebank:

- conflation precision: of the pairs the analyzer conflates, the share with the same gold lemma;
- conflation recall: of the pairs with the same gold lemma, the share the analyzer conflates.

A form with several index terms (or several gold lemmas) conflates with another
form when their sets intersect.
"""

import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from analyzers.cache import clear_caches
from analyzers.tokenize import WORD_PATTERN

# Tokens that carry no word to search for.
_SKIPPED_UPOS = frozenset({"PUNCT", "SYM", "NUM", "X"})


@dataclass(frozen=True)
class ConflationScores:
    precision: float
    recall: float
    f1: float
    forms: int
    conflated_pairs: int
    gold_pairs: int

    def as_dict(self) -> dict:
        return {
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4), "forms": self.forms,
            "conflated_pairs": self.conflated_pairs, "gold_pairs": self.gold_pairs,
        }


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower().replace("ё", "е")


def read_conllu(path: str | Path) -> tuple[list[tuple[str, str]], list[str]]:
    """Distinct (form, lemma) word pairs and the raw sentence texts of a CoNLL-U file.

    Multiword ranges (``12-13``), empty nodes (``8.1``), punctuation, symbols,
    numbers, foreign material and forms without letters are skipped; forms and
    lemmas are lowercased with ё folded to е.
    """
    sentences = read_sentences(path)
    pairs = {pair for sentence in sentences for pair in sentence.pairs}
    return sorted(pairs), [sentence.text for sentence in sentences if sentence.text]


@dataclass(frozen=True)
class Sentence:
    """One treebank sentence: its raw text and its (form, lemma) word pairs."""
    text: str
    pairs: tuple


def read_sentences(path: str | Path) -> list[Sentence]:
    """The sentences of a CoNLL-U file in order, words filtered as in :func:`read_conllu`."""
    sentences: list[Sentence] = []
    text, pairs = "", []

    def close():
        if text or pairs:
            sentences.append(Sentence(text, tuple(pairs)))

    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                close()
                text, pairs = "", []
                continue
            if line.startswith("# text ="):
                text = line.split("=", 1)[1].strip()
                continue
            if line.startswith("#"):
                continue
            columns = line.rstrip("\n").split("\t")
            if len(columns) < 4 or not columns[0].isdigit():
                continue
            form, lemma, upos = columns[1], columns[2], columns[3]
            if upos in _SKIPPED_UPOS or not any(c.isalpha() for c in form):
                continue
            pairs.append((_fold(form), _fold(lemma)))
    close()
    return sentences


def _pairs_sharing_a_key(keys_by_form: dict[str, set[str]]) -> set[tuple[str, str]]:
    forms_by_key: dict[str, set[str]] = defaultdict(set)
    for form, keys in keys_by_form.items():
        for key in keys:
            forms_by_key[key].add(form)
    shared: set[tuple[str, str]] = set()
    for forms in forms_by_key.values():
        shared.update(combinations(sorted(forms), 2))
    return shared


def _gold_and_conflated(pairs, terms_of):
    """(gold lemmas by form, terms by form, form pairs gold joins, form pairs the terms join)."""
    gold: dict[str, set[str]] = defaultdict(set)
    for form, lemma in pairs:
        gold[form].add(lemma)
    terms = {form: set(terms_of(form)) for form in gold}
    return gold, terms, _pairs_sharing_a_key(gold), _pairs_sharing_a_key(terms)


def conflation_scores(pairs, terms_of) -> ConflationScores:
    """Score ``terms_of(form) -> set of index terms`` against gold (form, lemma) pairs."""
    gold, _terms, gold_pairs, conflated = _gold_and_conflated(pairs, terms_of)
    correct = len(gold_pairs & conflated)
    precision = correct / len(conflated) if conflated else 0.0
    recall = correct / len(gold_pairs) if gold_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ConflationScores(precision, recall, f1, len(gold), len(conflated), len(gold_pairs))


def conflation_errors(pairs, terms_of, limit: int = 20) -> dict[str, list]:
    """Examples of wrongly merged and wrongly split forms, for reading before changing rules."""
    gold, terms, gold_pairs, conflated = _gold_and_conflated(pairs, terms_of)

    def describe(pair):
        a, b = pair
        return {"forms": [a, b], "terms": [sorted(terms[a]), sorted(terms[b])],
                "gold": [sorted(gold[a]), sorted(gold[b])]}

    return {
        "wrongly_merged": [describe(p) for p in sorted(conflated - gold_pairs)[:limit]],
        "wrongly_split": [describe(p) for p in sorted(gold_pairs - conflated)[:limit]],
    }


def analyzer_terms(analyzer):
    """``terms_of`` for a Whoosh analyzer: the index terms of one form analyzed alone."""
    def terms_of(form: str) -> set[str]:
        return {token.text for token in analyzer(form)}
    return terms_of


def throughput(analyzer, sentences: list[str], repeat: int = 3, progress=None) -> dict:
    """Words per second over running text: once from empty caches, then warm (best of
    ``repeat`` passes; none with ``repeat=0``).

    ``progress("timing", done, total)`` is called after each pass.
    """
    words = sum(1 for sentence in sentences for _ in WORD_PATTERN.finditer(sentence))
    passes = 0

    def report_pass() -> None:
        nonlocal passes
        passes += 1
        if progress:
            progress("timing", passes, repeat + 1)

    def one_pass() -> float:
        started = time.perf_counter()
        for sentence in sentences:
            for _ in analyzer(sentence, positions=True, chars=True):
                pass
        return time.perf_counter() - started

    analyzer("прогрев")  # load dictionaries first: cold means empty caches, not start-up
    clear_caches()
    cold = one_pass()
    report_pass()
    warm = float("inf")
    for _ in range(repeat):
        warm = min(warm, one_pass())
        report_pass()
    figures = {"words": words, "cold_words_per_s": round(words / cold)}
    if repeat:  # repeat=0: cold only, when compare_stock times the warm passes
        figures["warm_words_per_s"] = round(words / warm)
    return figures


def stock_analyzer(lang: str):
    """Whoosh's own analyzer for ``lang``, the speed to beat: Snowball stems for ru/en;
    Whoosh has no Kazakh stemmer, so its StandardAnalyzer (tokenize, lowercase, stop)."""
    from whoosh.analysis import LanguageAnalyzer, StandardAnalyzer
    return StandardAnalyzer() if lang == "kk" else LanguageAnalyzer(lang)


def compare_stock(analyzer, lang: str, sentences: list[str], repeat: int = 7,
                  progress=None) -> dict:
    """Warm words/s of ``analyzer`` and of Whoosh's stock analyzer for ``lang``, same text, one process.

    Passes alternate (ours, stock, ours, ...) and each side keeps its best, so a
    busy machine slows both alike. Only warm figures: the stock StemFilter keeps
    its own cache, which :func:`clear_caches` does not empty.
    """
    stock = stock_analyzer(lang)
    words = sum(1 for sentence in sentences for _ in WORD_PATTERN.finditer(sentence))

    def one_pass(an) -> float:
        started = time.perf_counter()
        for sentence in sentences:
            for _ in an(sentence, positions=True, chars=True):
                pass
        return time.perf_counter() - started

    one_pass(analyzer), one_pass(stock)  # warm both caches
    ours_best = stock_best = float("inf")
    for done in range(1, repeat + 1):
        ours_best = min(ours_best, one_pass(analyzer))
        stock_best = min(stock_best, one_pass(stock))
        if progress:
            progress("timing against stock", done, repeat)
    return {"warm_words_per_s": round(words / ours_best),
            "stock_warm_words_per_s": round(words / stock_best),
            "warm_ratio_to_stock": round(stock_best / ours_best, 2)}
