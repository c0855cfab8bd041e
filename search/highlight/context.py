"""A paragraph with its neighbours, read from the index (never from the file on disk).

Paragraph numbers count every paragraph of the file, page furniture included
(:mod:`search.ingest.paragraphs`), so neighbours are the indexed paragraphs before and
after, whatever their numbers.

    paragraph_in_context(Index("index").searcher(), "/abs/seeds/003.txt", 15, context=2)
"""

from search.errors import PathNotFoundError


def paragraph_in_context(searcher, path: str, paragraph: int, context: int = 2) -> dict:
    """``{"path", "paragraph", "lang", "text", "before": [...], "after": [...]}``; each
    neighbour is ``{"paragraph", "lang", "text"}``. Raises :class:`PathNotFoundError`
    when ``path`` is not indexed or has no such paragraph."""
    stored = sorted((searcher.stored_fields(doc) for doc in searcher.document_numbers(path=path)),
                    key=lambda fields: fields["paragraph"])
    if not stored:
        raise PathNotFoundError(f"{path} is not an indexed file or record")
    numbers = [fields["paragraph"] for fields in stored]
    if paragraph not in numbers:
        raise PathNotFoundError(f"{path} has no indexed paragraph {paragraph}")
    at = numbers.index(paragraph)
    shown = [{"paragraph": f["paragraph"], "lang": f["lang"], "text": f["text"]} for f in stored]
    return {"path": path, **shown[at], "before": shown[max(0, at - context):at],
            "after": shown[at + 1:at + 1 + context]}
