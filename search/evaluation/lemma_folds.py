"""Cross-validated conflation scores: learn on k-1 folds of a treebank, score the k-th.

A score on the sentences an analyzer was tuned on says little about text it has
never seen. :func:`cross_validate` splits a treebank by sentence into ``k``
contiguous folds (a text's sentences stay together, so a fold is new text, not
new sentences of a known one), and for each fold builds whatever the analyzer
learns from data from the other folds only, then scores the held-out fold with
:func:`search.evaluation.lemmas.conflation_scores`.

What is learned per language:

- **kk**: the stem lexicon (``analyzers/kk/build_lexicon.py``) from raw text —
  the ``raw_forms`` given (the retrieval collection's Kazakh paragraphs) plus the
  training folds' sentence text, never their lemmas and never the scored fold —
  and the stemmer's thresholds, each picked from a small grid by conflation F1
  on the training folds. Without ``raw_forms`` the shipped lexicon is used as
  it is (it is built from the retrieval collection, not from any treebank).
- **ru**: nothing; pymorphy3's dictionary and the hand rules in
  ``analyzers/ru/morphology.py`` are fixed, so each fold is simply scored.
"""

import statistics
from dataclasses import dataclass, field
from itertools import product

from analyzers import analyzer_for
from analyzers.cache import clear_caches
from search.errors import IzdeError
from search.evaluation.lemmas import (ConflationScores, Sentence, analyzer_terms, conflation_errors,
                               conflation_scores, read_sentences,
                               throughput)

# The Kazakh stemmer's thresholds and the values a fold may choose between
# (analyzers/kk/stemmer.py says what each one means).
KAZAKH_GRID = {
    "NEW_FORMS_SHARE": (0.3, 0.5, 0.7, 0.9),
    "MIN_UNKNOWN_STEM": (3, 4, 5),
}


@dataclass
class FoldScore:
    fold: int
    sentences: int
    scores: ConflationScores
    chosen: dict = field(default_factory=dict)  # what the training folds decided
    errors: dict = field(default_factory=dict)  # held-out examples (conflation_errors)

    def as_dict(self) -> dict:
        found = {"fold": self.fold, "sentences": self.sentences, **self.scores.as_dict(),
                 "chosen": self.chosen}
        return {**found, "errors": self.errors} if self.errors else found


def sentence_folds(sentences: list[Sentence], k: int) -> list[list[Sentence]]:
    """``k`` contiguous runs of sentences, sizes differing by at most one."""
    if k < 2:
        raise IzdeError(f"--folds needs at least 2 folds, got {k}")
    if len(sentences) < k:
        raise IzdeError(f"{len(sentences)} sentences cannot make {k} folds; use fewer --folds")
    size, extra = divmod(len(sentences), k)
    folds, start = [], 0
    for i in range(k):
        end = start + size + (1 if i < extra else 0)
        folds.append(sentences[start:end])
        start = end
    return folds


def _pairs(sentences: list[Sentence]) -> list[tuple[str, str]]:
    return sorted({pair for sentence in sentences for pair in sentence.pairs})


class _KazakhLearner:
    """Fits the Kazakh lexicon and thresholds on training sentences (see module doc)."""

    def __init__(self, raw_forms=None):
        from analyzers.kk import stemmer
        self.stemmer = stemmer
        self.raw_forms = raw_forms
        self.defaults = {name: getattr(stemmer, name) for name in KAZAKH_GRID}

    def fit(self, train: list[Sentence], terms_of) -> dict:
        if self.raw_forms is not None:
            from analyzers.kk.build_lexicon import lexicon_rows, text_forms
            forms = self.raw_forms + text_forms(s.text for s in train)
            self.stemmer.use_lexicon(lexicon_rows(forms))
        pairs = _pairs(train)
        # The shipped values first: another setting must do strictly better to replace them.
        settings = [self.defaults] + [dict(zip(KAZAKH_GRID, values))
                                      for values in product(*KAZAKH_GRID.values())]
        best, best_f1 = self.defaults, -1.0
        for setting in settings:
            self._apply(setting)
            f1 = conflation_scores(pairs, terms_of).f1
            if f1 > best_f1:
                best, best_f1 = setting, f1
        self._apply(best)
        return best

    def _apply(self, setting: dict) -> None:
        for name, value in setting.items():
            setattr(self.stemmer, name, value)
        clear_caches()

    def reset(self) -> None:
        self._apply(self.defaults)
        self.stemmer.use_lexicon(None)


class _FixedLearner:
    """An analyzer that learns nothing from the treebank (Russian)."""

    def fit(self, train, terms_of) -> dict:
        return {}

    def reset(self) -> None:
        clear_caches()


def cross_validate(sentences: list[Sentence], lang: str, k: int = 5, raw_forms=None,
                   errors: int = 0, progress=None) -> tuple[list[FoldScore], ConflationScores]:
    """Score each of ``k`` folds with what was learned from the others (and list
    ``errors`` examples of each fold's wrongly merged and split pairs).

    Also returns the *pooled* score: every form analyzed as in the fold that held it
    out, scored over the whole file's pairs. Per-fold scores count pairs within a
    fifth of the forms, so they run higher than a whole-file score; the pooled one
    compares with ``izde eval lemmas`` without folds and with other files.
    """
    folds = sentence_folds(sentences, k)
    learner = _KazakhLearner(raw_forms) if lang == "kk" else _FixedLearner()
    terms_of = analyzer_terms(analyzer_for(lang))
    results, pooled_terms = [], {}
    try:
        for i, held_out in enumerate(folds):
            train = [s for j, fold in enumerate(folds) if j != i for s in fold]
            chosen = learner.fit(train, terms_of)
            pairs = _pairs(held_out)
            scores = conflation_scores(pairs, terms_of)
            for form, _ in pairs:  # a form in several folds keeps its first held-out terms
                pooled_terms.setdefault(form, frozenset(terms_of(form)))
            examples = conflation_errors(pairs, terms_of, limit=errors) if errors else {}
            results.append(FoldScore(i + 1, len(held_out), scores, chosen, examples))
            if progress:
                progress("folds", i + 1, k)
    finally:
        learner.reset()
    pooled = conflation_scores(_pairs(sentences), pooled_terms.__getitem__)
    return results, pooled


def summary(results: list[FoldScore]) -> dict:
    """Mean and sample standard deviation of precision, recall and F1 over folds."""
    out = {}
    for name in ("precision", "recall", "f1"):
        values = [getattr(r.scores, name) for r in results]
        out[name] = {"mean": round(statistics.fmean(values), 4),
                     "std": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0}
    return out


def fold_report(conllu, lang: str, k: int, raw_text=None, errors: int = 0,
                progress=None) -> dict:
    """What ``izde eval lemmas --folds`` prints: per-fold and mean ± std scores, and the
    shipped analyzer's speed on the whole file. ``progress(stage, done, total)`` is
    called after each fold and timing pass."""
    sentences = read_sentences(conllu)
    raw_forms = None
    if raw_text is not None and lang == "kk":
        from analyzers.kk.build_lexicon import corpus_forms
        try:
            raw_forms = corpus_forms(raw_text)
        except (OSError, ValueError) as error:
            raise IzdeError(f"cannot read --raw-text {raw_text}: {error}") from error
    results, pooled = cross_validate(sentences, lang, k, raw_forms, errors, progress)
    texts = [s.text for s in sentences if s.text]
    return {"file": str(conllu), "lang": lang, "folds": k,
            "lexicon": ("shipped stem_counts.tsv" if lang == "kk" and raw_forms is None
                        else f"{raw_text} + training folds" if raw_forms is not None
                        else "none learned"),
            **summary(results), "pooled": pooled.as_dict(),
            "per_fold": [r.as_dict() for r in results],
            **throughput(analyzer_for(lang), texts, progress=progress)}


def report_lines(report: dict) -> list[str]:
    lines = [f"{report['file']} ({report['lang']}): {report['folds']}-fold cross-validation, "
             f"lexicon: {report['lexicon']}"]
    for fold in report["per_fold"]:
        chosen = " ".join(f"{k}={v}" for k, v in fold["chosen"].items())
        lines.append(f"  fold {fold['fold']}: {fold['sentences']} sentences, {fold['forms']} forms"
                     f"  P {fold['precision']:.3f}  R {fold['recall']:.3f}  F1 {fold['f1']:.3f}"
                     + (f"  ({chosen})" if chosen else ""))
    lines.append("conflation " + "  ".join(
        f"{name} {report[key]['mean']:.3f} ± {report[key]['std']:.3f}"
        for name, key in (("precision", "precision"), ("recall", "recall"), ("F1", "f1"))))
    pooled = report["pooled"]
    lines.append(f"pooled held-out forms ({pooled['forms']:,}): precision {pooled['precision']:.3f}"
                 f"  recall {pooled['recall']:.3f}  F1 {pooled['f1']:.3f}")
    lines.append(f"throughput: {report['cold_words_per_s']:,} words/s cold, "
                 f"{report['warm_words_per_s']:,} words/s warm ({report['words']:,} words)")
    for fold in report["per_fold"]:
        for kind, examples in fold.get("errors", {}).items():
            lines.append(f"fold {fold['fold']} {kind.replace('_', ' ')}:")
            for e in examples:
                lines.append(f"  {e['forms'][0]} {e['terms'][0]} / {e['forms'][1]} "
                             f"{e['terms'][1]}  gold {e['gold'][0]} / {e['gold'][1]}")
    return lines
