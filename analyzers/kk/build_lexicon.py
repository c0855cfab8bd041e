"""Rebuilds ``stem_counts.tsv``, the stem lexicon, from Kazakh running text.

    python -m analyzers.kk.build_lexicon ../shared/data/retrieval/corpus.jsonl.gz

For every distinct word form of the Kazakh paragraphs, every split the suffix grammar
allows (morphology.analyses) credits its stem: the count of a stem is the number of
distinct corpus forms that can be read as that stem plus suffixes. A real stem is
seen with many endings (орман: орман, ормандар, орманда, орманның ...); a false one
only through the forms of a longer stem (ке: only via кел+...). The stemmer compares
these counts. The source is the project's retrieval corpus (Kazakh paragraphs); no
treebank lemmas are used, so the dev and held-out treebanks stay unseen.
"""

import gzip
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from analyzers.kk.fold import fold_lookalikes
from analyzers.kk.morphology import analyses, dictionary_spellings
from analyzers.kk.suffixes import VERB, VERB_ONLY
from analyzers.normalize import normalize_word
from analyzers.tokenize import _PART_PATTERN

LEXICON = Path(__file__).with_name("stem_counts.tsv")
# Stems seen in fewer distinct forms carry no evidence and only make the file large,
# unless the stem is itself a corpus word (then it is kept whole: жүйелі, not жүйел+і).
MIN_FORMS = 2


def corpus_forms(path) -> Counter:
    """Word forms of the Kazakh paragraphs of a JSON-lines corpus (``lang`` == "kk")."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        paragraphs = (json.loads(line) for line in lines)
        return text_forms(p["text"] for p in paragraphs if p.get("lang") == "kk")


def text_forms(texts) -> Counter:
    """Word forms of running text, as the stemmer looks them up (normalized, folded)."""
    forms = Counter()
    for text in texts:
        for match in _PART_PATTERN.finditer(text):
            word = fold_lookalikes(normalize_word(match.group()))
            if word.isalpha():
                forms[word] += 1
    return forms


def stem_counts(forms) -> dict:
    """(stem, kind) -> {first suffix family ("" for the bare stem): set of forms}."""
    seen = defaultdict(lambda: defaultdict(set))
    for form in forms:
        for analysis in analyses(form):
            if analysis.kind == VERB and VERB_ONLY.isdisjoint(analysis.chain):
                continue
            first = analysis.chain[0] if analysis.chain else ""
            seen[analysis.stem, analysis.kind][first].add(form)
            # кітабы also counts for кітап, халқы for халық, оқып for оқы.
            for spelling, _ in dictionary_spellings(analysis, form):
                seen[spelling, analysis.kind][first].add(form)
    return seen


def lexicon_rows(forms) -> dict:
    """(stem, kind) -> "total\tfamily=n ..." as in stem_counts.tsv (stemmer.use_lexicon)."""
    rows = {}
    for (stem, kind), by_family in stem_counts(forms).items():
        total = len(set().union(*by_family.values()))
        if total >= MIN_FORMS or "" in by_family:
            families = " ".join(f"{name or '-'}={len(forms)}"
                                for name, forms in sorted(by_family.items()))
            rows[stem, kind] = f"{total}\t{families}"
    return rows


def main(corpus: str) -> None:
    rows = sorted(lexicon_rows(corpus_forms(corpus)).items())
    with open(LEXICON, "w", encoding="utf-8") as out:
        out.write("# stem\tkind\tdistinct corpus forms read as stem + suffixes\t"
                  "forms by first suffix family (- = the bare stem)\n")
        out.write(f"# built by analyzers/kk/build_lexicon.py from {Path(corpus).name} "
                  "(its Kazakh paragraphs: KazNERD and KazQAD ids)\n")
        out.write("# holds word stems and counts only, no running text; "
                  "confirm the source licenses before redistributing\n")
        for (stem, kind), counts in rows:
            out.write(f"{stem}\t{kind}\t{counts}\n")
    print(f"{LEXICON}: {len(rows):,} stems", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
