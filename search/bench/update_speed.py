"""How long `izde index` takes after adding a few files to a large index, versus a rebuild.

Builds a folder of files from the retrieval corpus paragraphs (outside the
repository), indexes it, adds a few files and times each step through the CLI,
as a user would run it:

    python -m search.bench.update_speed --paragraphs 20000 --work /tmp/izde-bench

Prints one line per step: wall time of the whole command (Python start-up and
imports included) and the update's own time from `--json`.
"""

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
CORPUS = Path("/work/shared/data/retrieval/corpus.jsonl.gz")


def paragraphs(corpus: Path) -> list[str]:
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        return [" ".join(json.loads(line)["text"].split()) for line in lines]


def write_files(folder: Path, texts: list[str], first: int, files: int, per_file: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(first, first + files):
        chunk = (texts[(f * per_file + i) % len(texts)] for i in range(per_file))
        (folder / f"doc{f:05d}.txt").write_text("\n\n".join(chunk) + "\n", encoding="utf-8")


def izde_index(docs: Path, index: Path, *extra: str) -> tuple[float, dict]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "search.cli", "index", str(docs), "--index",
                             str(index), "--json", *extra],
                            cwd=PROJECT, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, default=20_000)
    parser.add_argument("--per-file", type=int, default=20)
    parser.add_argument("--new-files", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/izde-bench"))
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()

    if args.work.exists():
        shutil.rmtree(args.work)
    docs, index = args.work / "docs", args.work / "index"
    texts = paragraphs(args.corpus)
    files = args.paragraphs // args.per_file
    write_files(docs, texts, 0, files, args.per_file)
    print(f"{files:,} files, {files * args.per_file:,} paragraphs "
          f"({len(texts):,} distinct from {args.corpus.name}) in {docs}")

    def step(label, *extra):
        wall, report = izde_index(docs, index, *extra)
        print(f"{label:<34} {wall:6.2f} s wall, {report['seconds']:6.2f} s updating  "
              f"(+{report['added']} ~{report['changed']} -{report['removed']}, "
              f"{report['unchanged']:,} unchanged)")

    step("first index")
    step("nothing changed")
    write_files(docs, texts[::-1], files, args.new_files, args.per_file)
    step(f"after adding {args.new_files} files")
    (docs / "doc00000.txt").write_text(texts[-1] + "\n", encoding="utf-8")
    (docs / "doc00001.txt").unlink()
    step("after changing 1, removing 1")
    step("--rebuild", "--rebuild")


if __name__ == "__main__":
    main()
