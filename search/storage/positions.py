"""Where query terms stand in the paragraphs a query ranks first, read from the index once.

Proximity rescoring (:mod:`search.ranking.proximity`) and snippets
(:mod:`search.highlight.marked_words`) both need the positions of the query's terms in
the top paragraphs; one :class:`HitPositions` per search reads each term's
postings once for the paragraphs asked about and answers both.
"""

from collections.abc import Iterable

from search.storage.postings import term_positions


class HitPositions:
    """Positions of terms in chosen documents of one searcher, read on first request."""

    def __init__(self, searcher):
        self._searcher = searcher
        self._leaves = [(leaf.reader(), offset) for leaf, offset in searcher.leaf_searchers()]
        # (field, term text) -> (docnums read, {docnum: positions})
        self._read: dict[tuple[str, str], tuple[set[int], dict[int, list[int]]]] = {}

    def of(self, fieldname: str, text: str, docnums: Iterable[int]) -> dict[int, list[int]]:
        """{docnum: positions of the term} for each of ``docnums`` whose field holds it."""
        docnums = set(docnums)
        read, found = self._read.setdefault((fieldname, text), (set(), {}))
        missing = sorted(docnums - read)
        if missing:
            self._read_positions(fieldname, text, missing, found)
            read.update(missing)
        return {doc: found[doc] for doc in docnums if doc in found}

    def _read_positions(self, fieldname, text, docnums, found) -> None:
        term = self._searcher.schema[fieldname].to_bytes(text)
        for reader, offset in self._leaves:
            end = offset + reader.doc_count_all()
            local = [doc - offset for doc in docnums if offset <= doc < end]
            if local and reader.doc_frequency(fieldname, term):
                deleted = reader.deleted_docs_set if reader.has_deletions() else ()
                for doc, positions in term_positions(reader, fieldname, term, local).items():
                    if doc not in deleted:
                        found[doc + offset] = positions
