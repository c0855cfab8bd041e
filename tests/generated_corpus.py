"""Folders of many realistic files, made from the seed paragraphs, for update tests."""

from functools import lru_cache
from pathlib import Path

from search.ingest.paragraphs import content_paragraphs

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@lru_cache(maxsize=1)
def seed_paragraphs() -> tuple[str, ...]:
    return tuple(p.text for f in sorted(SEEDS.glob("*.txt"))
                 for p in content_paragraphs(f.read_text(encoding="utf-8")))


def write_corpus(folder: Path, files: int, paragraphs_per_file: int = 20,
                 tag: str = "", start: int = 0) -> list[Path]:
    """``files`` files of seed paragraphs; each paragraph ends with a unique word,
    and each with the word ``tag`` when given, so a test can count what it finds.
    Every paragraph ends a sentence, so none is taken for the file's title line."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = seed_paragraphs()
    written = []
    for f in range(start, start + files):
        body = "\n\n".join(
            f"{seeds[(f * paragraphs_per_file + i) % len(seeds)]} uniq{f}p{i} {tag}".rstrip() + "."
            for i in range(paragraphs_per_file))
        path = folder / f"{tag or 'doc'}{f:05d}.txt"
        path.write_text(body + "\n", encoding="utf-8")
        written.append(path)
    return written
