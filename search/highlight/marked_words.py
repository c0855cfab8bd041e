"""Which words of the hits' paragraphs a query matched, read from the index.

A snippet marks the words that made its paragraph a hit. Finding them by
analyzing the paragraph again costs its morphology (pymorphy3, the Kazakh
stemmer), and in a new process, with empty caches, that was most of a search:
a cold pass over the bench queries at 10k paragraphs took median 20 ms with
snippets and 5 ms without. The index already knows: each of a field's terms
keeps the positions it stands at in each paragraph. Those positions are read
here for the hits only, and :func:`analyzers.positions.word_positions` turns
them into the words' places in the text without any morphology.

A word counts as matched when one of the index terms at its position is a
query term; that includes a second reading of an ambiguous word (a Russian
form with two likely lemmas), which is why the paragraph was found.
"""

from collections import defaultdict
from collections.abc import Iterable

from analyzers.positions import numbering_key, word_positions_as_indexed
from search.highlight.snippets import Snippet, snippet_of_spans
from search.storage.positions import HitPositions
from search.storage.schema import COMPANION_FIELDS, field_language, indexed_text, text_field


def snippet_fields(lang: str) -> tuple[str, ...]:
    """The fields whose matches a paragraph in ``lang`` marks: its language's, and its
    companion (words typed without Kazakh letters match only in the folded field,
    words of another part of speech only by their Russian stem)."""
    companion = COMPANION_FIELDS.get(lang)
    return (text_field(lang), companion) if companion else (text_field(lang),)


def hits_matched_positions(positions: HitPositions, terms: dict[str, Iterable[str]],
                           hits: list[tuple[int, str]]) -> dict[tuple[int, str], set[int]]:
    """:func:`matched_positions` of hits given as (docnum, language), each in the
    :func:`snippet_fields` of its language; ``terms`` are the query's per field."""
    found: dict[tuple[int, str], set[int]] = {}
    for lang in {lang for _, lang in hits}:
        field_terms = {field: terms[field] for field in snippet_fields(lang) if terms.get(field)}
        found.update(matched_positions(positions, [doc for doc, hit_lang in hits
                                                   if hit_lang == lang], field_terms))
    return found


def matched_positions(positions: HitPositions, docnums: Iterable[int],
                      terms: dict[str, Iterable[str]]) -> dict[tuple[int, str], set[int]]:
    """(docnum, field) -> the positions in that paragraph's field holding one of the
    field's ``terms``, for each of ``docnums`` that has any."""
    found: dict[tuple[int, str], set[int]] = defaultdict(set)
    docnums = list(docnums)
    for fieldname, field_terms in terms.items():
        for text in field_terms:
            for doc, term_positions in positions.of(fieldname, text, docnums).items():
                found[doc, fieldname].update(term_positions)
    return found


def matched_spans(text: str, positions: dict[str, set[int]], schema) -> set[tuple[int, int]]:
    """(start, end) in ``text`` of each word at one of the positions given per field."""
    spans: set[tuple[int, int]] = set()
    numberings = {}  # the Russian lemma and stem fields number words alike: once
    for fieldname, field_positions in positions.items():
        if field_positions:
            analyzer = schema[fieldname].analyzer
            key = numbering_key(analyzer)
            if key not in numberings:  # Latin Kazakh is numbered as indexed, in Cyrillic
                indexed = indexed_text(field_language(fieldname), text)
                numberings[key] = word_positions_as_indexed(analyzer, text, indexed)
            where = numberings[key]
            spans.update(where[pos] for pos in field_positions if pos in where)
    return spans


def snippet_of_hit(stored: dict, docnum: int, marked: dict[tuple[int, str], set[int]],
                   schema) -> Snippet:
    """The snippet of a hit (its stored fields), marking the words at the ``marked``
    positions (:func:`hits_matched_positions`)."""
    lang = stored["lang"]
    spans = matched_spans(stored["text"], {f: marked.get((docnum, f))
                                           for f in snippet_fields(lang)}, schema)
    return snippet_of_spans(stored["text"], spans, schema[text_field(lang)].analyzer.items[0])
