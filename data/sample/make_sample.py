"""Cut the shipped evaluation samples from the project's development sets.

    python3 data/sample/make_sample.py ../shared/data

writes ``ru.conllu``, ``kk.conllu`` (the first sentences of each development
treebank, up to ~400 lines) and ``retrieval/`` (judged queries of each language,
every paragraph they judge, and unjudged paragraphs of every source as
distractors) beside this file. Deterministic: the same input gives the same bytes.
See README.md here for the sources and their licences.
"""

import gzip
import io
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
TREEBANK_LINES = 400
QUERIES_PER_SOURCE = {("xquad", "ru"): 20, ("xquad", "en"): 20, ("kazqad", "kk"): 20}
DISTRACTORS_PER_SOURCE = 40


def first_sentences(conllu: Path, max_lines: int) -> str:
    """Whole sentences from the start of ``conllu``, stopping before ``max_lines``."""
    kept, sentence = [], []
    for line in conllu.read_text(encoding="utf-8").splitlines():
        sentence.append(line)
        if not line.strip():
            if len(kept) + len(sentence) > max_lines:
                break
            kept.extend(sentence)
            sentence = []
    return "\n".join(kept) + "\n"


def source(identifier: str) -> str:
    return identifier.split("-")[0]


def retrieval_sample(folder: Path) -> tuple[list[dict], list[dict], list[str]]:
    queries = [json.loads(line) for line in (folder / "queries_dev.jsonl").open(encoding="utf-8")]
    judged = defaultdict(list)
    for line in (folder / "qrels_dev.tsv").open(encoding="utf-8"):
        query_id, doc_id, relevance = line.rstrip("\n").split("\t")
        judged[query_id].append((doc_id, relevance))
    chosen = []
    for (src, lang), count in QUERIES_PER_SOURCE.items():
        pool = [q for q in queries if source(q["id"]) == src and q["lang"] == lang
                and q["id"] in judged]
        chosen += random.Random(f"{src}-{lang}").sample(pool, count)
    with gzip.open(folder / "corpus.jsonl.gz", "rt", encoding="utf-8") as lines:
        corpus = [json.loads(line) for line in lines]
    wanted = {doc for q in chosen for doc, _ in judged[q["id"]]}
    by_source = defaultdict(list)
    for record in corpus:
        if record["id"] not in wanted:
            by_source[source(record["id"])].append(record["id"])
    for src, ids in sorted(by_source.items()):
        wanted.update(random.Random(src).sample(ids, min(DISTRACTORS_PER_SOURCE, len(ids))))
    sample_corpus = [record for record in corpus if record["id"] in wanted]
    qrels = [f"{q['id']}\t{doc}\t{relevance}" for q in chosen for doc, relevance in judged[q["id"]]]
    return sample_corpus, chosen, qrels


def write_gzip(path: Path, text: str) -> None:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as out:
        out.write(text.encode("utf-8"))
    path.write_bytes(buffer.getvalue())


def main(data: Path) -> None:
    (HERE / "ru.conllu").write_text(first_sentences(data / "lemmas/ru_dev.conllu",
                                                    TREEBANK_LINES), encoding="utf-8")
    (HERE / "kk.conllu").write_text(first_sentences(data / "lemmas/kk_ktb_dev.conllu",
                                                    TREEBANK_LINES), encoding="utf-8")
    corpus, queries, qrels = retrieval_sample(data / "retrieval")
    out = HERE / "retrieval"
    out.mkdir(exist_ok=True)
    write_gzip(out / "corpus.jsonl.gz",
               "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in corpus))
    (out / "queries.jsonl").write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries), encoding="utf-8")
    (out / "qrels.tsv").write_text("".join(line + "\n" for line in qrels), encoding="utf-8")
    print(f"{len(corpus)} paragraphs, {len(queries)} queries, {len(qrels)} judgments")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))
