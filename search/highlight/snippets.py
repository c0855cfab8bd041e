"""Snippets: the best passage of a paragraph with the matched words marked.

Which words matched comes from the index (:mod:`search.highlight.marked_words`), so
marking follows morphology: a query ``лес`` marks ``лесов``. Offsets index the
original text, so what is marked is exactly what the user wrote.
"""

from dataclasses import dataclass

from whoosh.highlight import (BasicFragmentScorer, ContextFragmenter, Formatter,
                              WholeFragmenter, top_fragments)

SNIPPET_CHARS = 240


# Characters a terminal acts on rather than shows: C0/C1 controls (BEL, backspace,
# escape sequences) and bidirectional overrides (U+202E shows text reversed). A
# document's text is data, so a snippet shows each as a space.
_TERMINAL_CONTROLS = str.maketrans({code: " " for code in (
    *range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0),
    *range(0x202A, 0x202F), *range(0x2066, 0x206A))})


@dataclass(frozen=True)
class Snippet:
    """A passage as (text, is_match) pieces, rendered as plain, marked or coloured text.

    >>> Snippet((("rm\x07\x08 \u202etxt.exe", False),)).render()
    'rm    txt.exe'
    """

    pieces: tuple[tuple[str, bool], ...]

    def __post_init__(self):
        object.__setattr__(self, "pieces", tuple((text.translate(_TERMINAL_CONTROLS), match)
                                                 for text, match in self.pieces))

    def render(self, before: str = "**", after: str = "**") -> str:
        return "".join(f"{before}{text}{after}" if match else text for text, match in self.pieces)

    @property
    def matches(self) -> list[str]:
        return [text for text, match in self.pieces if match]

    def __str__(self) -> str:
        return self.render()


class _PiecesFormatter(Formatter):
    """Whoosh formatter that keeps structure instead of producing markup."""

    between = " … "

    def __call__(self, text, fragments):
        pieces: list[tuple[str, bool]] = []
        for number, fragment in enumerate(sorted(fragments, key=lambda f: f.startchar)):
            if number or fragment.startchar > 0:
                pieces.append((self.between.lstrip() if not number else "… ", False))
            index = fragment.startchar
            for token in sorted(fragment.matches, key=lambda t: (t.startchar, -t.endchar)):
                if token.startchar < index:
                    continue  # a compound's part inside an already marked compound
                if token.startchar > index:
                    pieces.append((text[index:token.startchar], False))
                pieces.append((text[token.startchar:token.endchar], True))
                index = token.endchar
            pieces.append((text[index:fragment.endchar], False))
            if fragment.endchar < len(text):
                pieces.append((" …", False))
        return pieces


def snippet_of_spans(text: str, spans: set[tuple[int, int]], tokenizer,
                     max_chars: int = SNIPPET_CHARS) -> Snippet:
    """The passage of ``text`` richest in the words at ``spans`` ((start, end) in
    ``text``, as :mod:`search.highlight.marked_words` reads them from the index), marked.

    ``tokenizer`` cuts the text into words as the paragraph's field did.
    """
    return _best_passage(text, _mark_spans(tokenizer(text, chars=True), spans), max_chars)


def _mark_spans(tokens, spans):
    for token in tokens:
        token.matched = (token.startchar, token.endchar) in spans
        yield token


def _best_passage(text: str, tokens, max_chars: int) -> Snippet:
    # The paragraph whole if it fits, else the fragment with the most marked words.
    if len(text) <= max_chars:
        fragmenter = WholeFragmenter()
    else:
        fragmenter = ContextFragmenter(maxchars=max_chars, surround=max_chars // 3)
    fragments = top_fragments(fragmenter.fragment_tokens(text, tokens), 1,
                              BasicFragmentScorer(), lambda f: f.startchar, minscore=1)
    if not fragments:
        return Snippet(((_shorten(text, max_chars), False),))
    return Snippet(tuple(_merge(_PiecesFormatter()(text, fragments))))


def _shorten(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text.rfind(" ", 0, max_chars)
    return text[: cut if cut > 0 else max_chars] + " …"


def _merge(pieces):
    # Adjacent plain pieces become one; empty pieces vanish.
    merged: list[tuple[str, bool]] = []
    for text, match in pieces:
        if not text:
            continue
        if merged and not match and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + text, False)
        else:
            merged.append((text, match))
    return merged
