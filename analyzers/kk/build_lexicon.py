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
from collections import Counter
from pathlib import Path

from analyzers.kk.fold import fold_lookalikes
from analyzers.kk.morphology import analyses
from analyzers.normalize import normalize_word
from analyzers.tokenize import _PART_PATTERN

LEXICON = Path(__file__).with_name("stem_counts.tsv")
# Stems seen in fewer distinct forms carry no evidence and only make the file large.
MIN_FORMS = 2


def corpus_forms(path) -> Counter:
    forms = Counter()
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            paragraph = json.loads(line)
            if paragraph.get("lang") != "kk":
                continue
            for match in _PART_PATTERN.finditer(paragraph["text"]):
                word = fold_lookalikes(normalize_word(match.group()))
                if word.isalpha():
                    forms[word] += 1
    return forms


def stem_counts(forms) -> Counter:
    counts = Counter()
    for form in forms:
        for stem, kind in {(a.stem, a.kind) for a in analyses(form)}:
            counts[stem, kind] += 1
    return counts


def main(corpus: str) -> None:
    counts = stem_counts(corpus_forms(corpus))
    rows = sorted((stem, kind, n) for (stem, kind), n in counts.items() if n >= MIN_FORMS)
    with open(LEXICON, "w", encoding="utf-8") as out:
        out.write("# stem\tkind\tdistinct corpus forms read as this stem + suffixes\n")
        out.write(f"# built by analyzers/kk/build_lexicon.py from {Path(corpus).name}\n")
        for stem, kind, n in rows:
            out.write(f"{stem}\t{kind}\t{n}\n")
    print(f"{LEXICON}: {len(rows):,} stems", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
