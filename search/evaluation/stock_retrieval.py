"""The same judged queries against stock Whoosh, the baseline a Whoosh user starts from.

``izde eval retrieval --compare-stock`` indexes the corpus a second time as the
Whoosh documentation would have it: one ``TEXT`` field with
``StemmingAnalyzer`` (regex tokens, lowercase, Whoosh's stop list, Porter
stems) holding each record's title and text, no language detection, BM25F
with Whoosh's defaults, and a query's words OR-ed (``qparser.OrGroup``). The
query's words are passed without punctuation, so that a question's ``?`` is not
read as Whoosh's wildcard. Scores come from the same metrics and the same
top-100 cut as Izde's (:func:`search.evaluation.retrieval.run_queries`), so the
two tables compare line by line.
"""

import re
import tempfile
from pathlib import Path

from search.evaluation.retrieval import (Progress, RetrievalReport, read_jsonl, read_qrels,
                                         run_queries)
from search.evaluation.typed_queries import typed_query

_WORD = re.compile(r"\w+")


class StockWhooshRanker:
    """A stock Whoosh index of corpus records, ranked as :class:`search.Index` ranks
    (``ranked_ids``), so :func:`run_queries` can drive it."""

    def __init__(self, records: list[dict], folder: str | Path,
                 progress: Progress | None = None):
        from whoosh import fields, index, qparser
        from whoosh.analysis import StemmingAnalyzer

        schema = fields.Schema(id=fields.ID(stored=True),
                               text=fields.TEXT(analyzer=StemmingAnalyzer()))
        self._index = index.create_in(str(folder), schema)
        writer = self._index.writer()
        for done, record in enumerate(records, start=1):
            title = record.get("title") or ""
            writer.add_document(id=str(record["id"]), text=f"{title}\n{record['text']}")
            if progress:
                progress("indexing", done, len(records))
        writer.commit()
        self._searcher = self._index.searcher()
        self._parser = qparser.QueryParser("text", schema, group=qparser.OrGroup)
        self.paragraphs = len(records)

    def ranked_ids(self, text: str, limit: int = 10, semantic=None) -> list[str]:
        words = " ".join(_WORD.findall(text))
        if not words:
            return []
        hits = self._searcher.search(self._parser.parse(words), limit=limit)
        return [hit["id"] for hit in hits]

    def search(self, text: str, limit: int = 10, semantic=None) -> list[str]:
        return self.ranked_ids(text, limit)

    def close(self) -> None:
        self._searcher.close()


def evaluate_stock(corpus_path: str | Path, queries_path: str | Path, qrels_path: str | Path,
                   progress: Progress | None = None, rewrite: str = "exact") -> RetrievalReport:
    """Score stock Whoosh on the judged queries (typed as ``rewrite`` says), like
    :func:`search.evaluation.retrieval.evaluate` scores Izde."""
    records = read_jsonl(corpus_path, ("id", "text"))
    queries = [{**query, "text": typed_query(query, rewrite)}
               for query in read_jsonl(queries_path, ("id", "text"))]
    qrels = read_qrels(qrels_path)
    with tempfile.TemporaryDirectory(prefix="izde-stock-") as folder:
        ranker = StockWhooshRanker(records, folder, progress)
        try:
            report = run_queries(ranker, queries, qrels, progress=progress, full_path=False)
        finally:
            ranker.close()
    report.paragraphs = len(records)
    return report
