"""Scale corpora for the benchmark: many files of real Kazakh, Russian and English text.

Sources are read into one sentence pool per language; each generated paragraph
is either a real paragraph kept whole or a new one recombined from random
sentences of the same language, as many sentences as a real paragraph of that
language has. So a 1M-paragraph corpus keeps the vocabulary, word lengths and
paragraph lengths of the sources without being 300 copies of them.

Files hold 3–30 paragraphs separated by blank lines; most files are in one
language, about one in ten mixes languages, as news sites and reports do. The
same sources, size and seed always give byte-identical files.

    from search.bench.corpus import make_corpus
    report = make_corpus(["corpus.jsonl.gz"], 10_000, "bench-10k", seed=1)
    report.files, report.paragraphs
"""

import gzip
import json
import random
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from analyzers import LANGUAGES, detect_language
from search.errors import IzdeError, PathNotFoundError
from search.ingest.paragraphs import content_paragraphs
from search.ingest.reading import decode

CORPUS_MANIFEST = "izde-corpus.json"
FILES_PER_FOLDER = 1000

# Izde's users write Russian and Kazakh first, English less: the share of files per
# language when the sources hold all three (renormalized over the languages present).
LANGUAGE_SHARES = {"ru": 0.45, "kk": 0.40, "en": 0.15}
MIXED_FILE_SHARE = 0.10
PARAGRAPHS_PER_FILE = (3, 30)
# A quarter of paragraphs stay real paragraphs; the rest are recombined sentences.
KEEP_REAL_PARAGRAPH = 0.25
MAX_SENTENCES = 12

# A sentence ends at . ! ? … followed by space and a capital, digit or quote.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+(?=[\"«„(\[0-9A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])")

Progress = Callable[[int, int], None]


@dataclass
class LanguagePool:
    """Real paragraphs, their sentences and their lengths (in sentences) for one language."""
    paragraphs: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)

    def add(self, paragraph: str) -> None:
        sentences = split_sentences(paragraph)
        self.paragraphs.append(paragraph)
        self.sentences.extend(sentences)
        self.lengths.append(min(len(sentences), MAX_SENTENCES))


@dataclass
class CorpusReport:
    out: str
    seed: int
    files: int
    paragraphs: int
    bytes: int
    languages: dict[str, int]  # generated paragraphs per language
    mixed_files: int
    sources: list[str]

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        languages = ", ".join(f"{lang} {n:,}" for lang, n in self.languages.items())
        return (f"{self.paragraphs:,} paragraphs ({languages}) in {self.files:,} files "
                f"({self.mixed_files:,} mixed), {self.bytes / 1e6:.1f} MB in {self.out}")


def split_sentences(paragraph: str) -> list[str]:
    """The sentences of ``paragraph``, cut where a sentence ends.

    >>> split_sentences("Су тасқыны басталды. Адамдар көшірілді!")
    ['Су тасқыны басталды.', 'Адамдар көшірілді!']
    """
    return [s for s in _SENTENCE_BREAK.split(paragraph) if s.strip()]


def source_paragraphs(path: str | Path) -> Iterable[tuple[str, str]]:
    """(language, paragraph) pairs of a source file.

    ``.jsonl`` / ``.jsonl.gz``: the ``text`` of each line (``lang`` if given);
    ``.conllu``: the ``# text =`` sentence lines; anything else: a text file split
    into content paragraphs like Izde indexes them.
    """
    path = Path(path)
    if not path.is_file():
        raise PathNotFoundError(f"{path}: no such source file")
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz")):
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                record = json.loads(line)
                text = " ".join(str(record.get("text", "")).split())
                if text:
                    lang = record.get("lang")
                    yield (lang if lang in LANGUAGES else detect_language(text)), text
        return
    if name.endswith(".conllu"):
        texts = [line[len("# text = "):].strip()
                 for line in path.read_text(encoding="utf-8").splitlines()
                 if line.startswith("# text = ")]
        file_lang = detect_language(" ".join(texts))
        for text in texts:
            if text:
                yield detect_language(text, default=file_lang), text
        return
    text = decode(path.read_bytes(), path)
    file_lang = detect_language(text)
    for paragraph in content_paragraphs(text):
        yield detect_language(paragraph.text, default=file_lang), paragraph.text


def load_pools(sources: Iterable[str | Path]) -> dict[str, LanguagePool]:
    pools: dict[str, LanguagePool] = {}
    for source in sources:
        for lang, paragraph in source_paragraphs(source):
            pools.setdefault(lang, LanguagePool()).add(paragraph)
    return {lang: pools[lang] for lang in LANGUAGES if lang in pools}


def make_paragraph(pool: LanguagePool, rng: random.Random) -> str:
    if rng.random() < KEEP_REAL_PARAGRAPH:
        return rng.choice(pool.paragraphs)
    count = rng.choice(pool.lengths)
    return " ".join(rng.choice(pool.sentences) for _ in range(count))


def make_corpus(sources: Iterable[str | Path], paragraphs: int, out: str | Path,
                seed: int = 0, progress: Progress | None = None) -> CorpusReport:
    """Write about ``paragraphs`` paragraphs of text files under ``out``; deterministic per seed."""
    sources = sorted(str(s) for s in sources)
    if paragraphs < 1:
        raise IzdeError("--paragraphs must be at least 1")
    pools = load_pools(sources)
    if not pools:
        raise IzdeError("the sources hold no text paragraphs")
    out = Path(out)
    _prepare_folder(out)

    languages = list(pools)
    total_share = sum(LANGUAGE_SHARES[lang] for lang in languages)
    weights = [LANGUAGE_SHARES[lang] / total_share for lang in languages]
    rng = random.Random(seed)
    counts = dict.fromkeys(languages, 0)
    written = files = mixed = size = 0
    while written < paragraphs:
        wanted = min(rng.randint(*PARAGRAPHS_PER_FILE), paragraphs - written)
        is_mixed = len(languages) > 1 and rng.random() < MIXED_FILE_SHARE
        file_lang = rng.choices(languages, weights)[0]
        texts = []
        for _ in range(wanted):
            lang = rng.choices(languages, weights)[0] if is_mixed else file_lang
            texts.append(make_paragraph(pools[lang], rng))
            counts[lang] += 1
        folder = out / f"{files // FILES_PER_FOLDER:03d}"
        if files % FILES_PER_FOLDER == 0:
            folder.mkdir()
        data = ("\n\n".join(texts) + "\n").encode("utf-8")
        label = "mixed" if is_mixed else file_lang
        (folder / f"{files:07d}_{label}.txt").write_bytes(data)
        files += 1
        mixed += is_mixed
        written += wanted
        size += len(data)
        if progress:
            progress(written, paragraphs)

    report = CorpusReport(str(out), seed, files, written, size, counts, mixed,
                          [Path(s).name for s in sources])
    (out / CORPUS_MANIFEST).write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2),
                                       encoding="utf-8")
    return report


def _prepare_folder(out: Path) -> None:
    # Replace only what make_corpus wrote before: never an arbitrary folder.
    if out.exists() and not out.is_dir():
        raise IzdeError(f"{out} is a file; choose another --out folder")
    if out.is_dir() and any(out.iterdir()):
        if not (out / CORPUS_MANIFEST).exists():
            raise IzdeError(f"{out} is not empty and is not a benchmark corpus; "
                            f"choose another --out folder")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
