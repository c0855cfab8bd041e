"""Where an analyzer puts each word of a text, without computing the word's terms.

Positions close up over stop words (a phrase query drops the same words), so a
word's position in the index is its number among the words its field keeps.
Marking the words a query matched in a paragraph needs only that numbering: the
index holds the positions each term matched at. Computing the terms as well is
morphology (pymorphy3, the Kazakh stemmer), most of a search in a new process.

A filter takes part by a ``positions(tokens)`` method that drops and renumbers
tokens exactly as its ``__call__`` does; a filter without one (normalizing,
Whoosh's StopFilter) is cheap and runs as it is.

    >>> from analyzers import analyzer_for
    >>> word_positions(analyzer_for("ru"), "Лесные пожары в области")
    {0: (0, 6), 1: (7, 13), 2: (16, 23)}
"""

from collections.abc import Callable, Iterator


def word_positions(analyzer, text: str) -> dict[int, tuple[int, int]]:
    """Each position ``analyzer`` indexes ``text`` at -> (start, end) of that word in ``text``."""
    tokenizer, *filters = analyzer.items
    tokens = tokenizer(text, positions=True, chars=True, mode="index")
    for step in filters:
        tokens = step.positions(tokens) if hasattr(step, "positions") else step(tokens)
    return {token.pos: (token.startchar, token.endchar) for token in tokens}


def word_positions_as_indexed(analyzer, text: str, indexed: str) -> dict[int, tuple[int, int]]:
    """:func:`word_positions` of ``indexed`` (the text as its field indexed it, e.g.
    transliterated), with each span moved to the same word of ``text``: the two
    must tokenize into the same words in the same order."""
    if indexed == text:
        return word_positions(analyzer, text)
    tokenizer = analyzer.items[0]
    spans = [(t.startchar, t.endchar) for t in tokenizer(text, chars=True, mode="index")]
    indexed_spans = [(t.startchar, t.endchar)
                     for t in tokenizer(indexed, chars=True, mode="index")]
    if len(spans) != len(indexed_spans):
        return {}  # no safe alignment: no words marked rather than wrong ones
    moved = dict(zip(indexed_spans, spans))
    return {pos: moved[span] for pos, span in word_positions(analyzer, indexed).items()}


def numbering_key(analyzer) -> tuple:
    """Equal for analyzers that number words alike (the same tokenizer and stop words):
    the Russian lemma and stem fields do."""
    tokenizer, *filters = analyzer.items
    return (type(tokenizer), *(getattr(step, "is_stop", None) or id(step) for step in filters))


def kept_tokens(tokens, is_stop: Callable[[str], bool]) -> Iterator:
    """The tokens that are not stop words, positions closed up over those that are:
    the numbering of a filter that drops ``is_stop`` words and renumbers."""
    dropped = 0
    for token in tokens:
        if is_stop(token.text):
            dropped += 1
            continue
        token.pos -= dropped
        yield token
