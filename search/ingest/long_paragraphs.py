"""Paragraphs too long to analyze or show whole, cut into pieces that are searched apart.

A 50 MB file on one line was one paragraph: indexing it peaked at 1.0 GB, and
every search matching it read and marked all 50 MB for a snippet (11–22 s,
1.8 GB). Each piece of at most :data:`MAX_PARAGRAPH_CHARS` characters, cut at
a space where there is one, is its own document under the same paragraph
number, so every word stays searchable and a hit shows the piece it is in.
"""

MAX_PARAGRAPH_CHARS = 10_000
# How far back from the limit a cut looks for a space before cutting a word.
_SPACE_SEARCH = 200


def pieces(text: str, limit: int = MAX_PARAGRAPH_CHARS) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at spaces where possible.

    >>> pieces("one two three", limit=8)
    ['one two', 'three']
    >>> pieces("abcdefghij", limit=4)
    ['abcd', 'efgh', 'ij']
    """
    if len(text) <= limit:
        return [text]
    out, start = [], 0
    while len(text) - start > limit:
        end = start + limit
        space = text.rfind(" ", max(start, end - _SPACE_SEARCH), end + 1)
        if space > start:
            end = space
        out.append(text[start:end].strip())
        start = end
    out.append(text[start:].strip())
    return [piece for piece in out if piece]
