"""`izde eval lemmas --folds`: every fold is scored by what the other folds taught."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from analyzers.kk import stemmer
from search.errors import IzdeError
from search.evaluation.lemmas import read_sentences
from search.evaluation.lemma_folds import cross_validate, sentence_folds

ROOT = Path(__file__).resolve().parent.parent

# Ten two-word Kazakh sentences: (form, lemma) pairs, one sentence a line.
SENTENCES = [
    [("Ормандарды", "орман"), ("күзету", "күзет")],
    [("Орманда", "орман"), ("балалар", "бала")],
    [("Баланың", "бала"), ("кітабы", "кітап")],
    [("Кітаптар", "кітап"), ("мектепте", "мектеп")],
    [("Мектептің", "мектеп"), ("жылдары", "жыл")],
    [("Жылдың", "жыл"), ("тасқындарды", "тасқын")],
    [("Елдің", "ел"), ("күндері", "күн")],
    [("Күннің", "күн"), ("елдері", "ел")],
    [("Адамдар", "адам"), ("үйлерде", "үй")],
    [("Адамның", "адам"), ("үйі", "үй")],
]


def write_conllu(path: Path) -> Path:
    blocks = []
    for number, words in enumerate(SENTENCES, start=1):
        lines = [f"# sent_id = {number}", "# text = " + " ".join(form for form, _ in words) + "."]
        for i, (form, lemma) in enumerate(words, start=1):
            lines.append(f"{i}\t{form}\t{lemma}\tNOUN\t_\t_\t0\troot\t_\t_")
        lines.append(f"{len(words) + 1}\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_")
        blocks.append("\n".join(lines))
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return path


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "search.cli", *args], cwd=ROOT,
                          capture_output=True, text=True)


def test_folds_are_contiguous_runs_covering_every_sentence_once(tmp_path):
    sentences = read_sentences(write_conllu(tmp_path / "kk.conllu"))
    folds = sentence_folds(sentences, 3)
    assert [len(f) for f in folds] == [4, 3, 3]
    assert [s for fold in folds for s in fold] == sentences


def test_more_folds_than_sentences_is_a_clear_error(tmp_path):
    sentences = read_sentences(write_conllu(tmp_path / "kk.conllu"))
    with pytest.raises(IzdeError, match="cannot make 11 folds"):
        sentence_folds(sentences, 11)


def test_eval_lemmas_folds_prints_mean_and_std_per_metric(tmp_path):
    conllu = write_conllu(tmp_path / "kk.conllu")
    result = run_cli("eval", "lemmas", str(conllu), "--lang", "kk", "--folds", "5", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [fold["sentences"] for fold in report["per_fold"]] == [2] * 5
    for metric in ("precision", "recall", "f1"):
        assert 0 <= report[metric]["mean"] <= 1 and report[metric]["std"] >= 0
    # Two sentences a fold share two lemmas (орман, бала ...): the stemmer conflates them.
    assert report["f1"]["mean"] > 0.9
    assert report["pooled"]["forms"] == 20
    assert report["warm_words_per_s"] > 0

    text = run_cli("eval", "lemmas", str(conllu), "--lang", "kk", "--folds", "5")
    assert "F1" in text.stdout and "±" in text.stdout

    too_many = run_cli("eval", "lemmas", str(conllu), "--lang", "kk", "--folds", "50")
    assert too_many.returncode != 0
    assert "cannot make 50 folds" in too_many.stderr and "Traceback" not in too_many.stderr


def test_held_out_fold_text_never_reaches_its_lexicon(tmp_path, monkeypatch):
    """The lexicon of the fold that scores тасқындарды is built without that word."""
    sentences = read_sentences(write_conllu(tmp_path / "kk.conllu"))
    built = []
    real_use_lexicon = stemmer.use_lexicon

    def recording_use_lexicon(rows):
        if rows is not None:
            built.append(rows)
        real_use_lexicon(rows)

    monkeypatch.setattr(stemmer, "use_lexicon", recording_use_lexicon)
    results, _ = cross_validate(sentences, "kk", 5, raw_forms=Counter({"орман": 1}))
    assert len(built) == 5
    # тасқындарды is in sentence 6, i.e. in fold 3 (sentences 5-6).
    has_flood = ["тасқындарды" in {stem for stem, _ in rows} for rows in built]
    assert has_flood == [True, True, False, True, True]
    assert [r.fold for r in results] == [1, 2, 3, 4, 5]
