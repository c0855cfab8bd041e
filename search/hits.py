"""What a search returns: hits, best first, and what was searched for them."""

from dataclasses import dataclass

from search.highlight.snippets import Snippet


@dataclass(frozen=True)
class Hit:
    path: str
    paragraph: int  # 1-based, counting every paragraph of the file
    lang: str
    score: float
    text: str
    highlighted: Snippet
    page: int | None = None  # the PDF page the paragraph stands on; None elsewhere
    title: str | None = None  # the heading it stands under, or a record's title
    # 1-based line of the file where the paragraph starts (for editors' path:line);
    # None for records, HTML and documents, whose text is not the file's lines.
    line: int | None = None

    @property
    def snippet(self) -> str:
        """The best passage with matched words marked as ``**word**``."""
        return self.highlighted.render()

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "paragraph": self.paragraph,
                "lang": self.lang,
                "score": round(self.score, 4), "snippet": self.snippet,
                "matches": self.highlighted.matches, "text": self.text,
                **({"page": self.page} if self.page is not None else {}),
                **({"title": self.title} if self.title else {})}


class Hits(list):
    """The hits of a search, best first, and what was searched for them.

    ``searched_for`` lists the texts searched (``["Qazaqtelekom", "Қазақтелеком"]``
    for a Latin query); ``did_you_mean`` is the corrected query when a word the
    index does not know was replaced, else None; ``folded`` says that Kazakh
    paragraphs were also matched with their Kazakh letters folded (қ -> к ...);
    ``total`` is how many paragraphs matched in all, for paging; ``ranking`` is
    ``"hybrid"`` when the query's embedding re-scored them, else ``"lexical"``.
    """

    def __init__(self, hits=(), searched_for=(), did_you_mean=None, folded=False, total=None,
                 ranking="lexical"):
        super().__init__(hits)
        self.ranking = ranking
        self.searched_for = list(searched_for)
        self.did_you_mean = did_you_mean
        self.folded = folded
        self.total = len(self) if total is None else total


@dataclass(frozen=True)
class IndexStats:
    files: int
    paragraphs: int
    languages: dict[str, int]
    size_bytes: int

    def as_dict(self) -> dict:
        return {"files": self.files, "paragraphs": self.paragraphs,
                "languages": self.languages, "size_bytes": self.size_bytes}


def search_response(query: str, hits: Hits) -> dict:
    """``hits`` as the object scripts read, keys in a fixed order: what
    ``izde search --json`` prints and ``GET /api/search`` returns."""
    return {"query": query, "searched_for": hits.searched_for,
            "did_you_mean": hits.did_you_mean, "folded": hits.folded,
            "ranking": hits.ranking, "hits": [hit.as_dict() for hit in hits],
            # A sharded index says whether every shard answered (search.cluster).
            **({"partial": hits.partial, "missing_shards": hits.missing_shards}
               if hasattr(hits, "partial") else {})}
