"""Splitting a file into paragraphs, and telling content from page debris.

Files come in two layouts: paragraphs separated by blank lines, and one
paragraph per line. Both split at every line break, except a soft wrap inside
a paragraph (a line that does not end a sentence followed by one that starts in
lowercase), which is joined.

Paragraph numbers count every paragraph of the file, debris included, so a
number always points at the same place in the file. Each paragraph also keeps
the 1-based line it starts on, counted as editors count (``\\n``, ``\\r\\n`` or
``\\r`` end a line), so ``path:line`` opens it in vim or VS Code.
"""

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SENTENCE_END = re.compile(r"[.!?:;…»\"')\]]\s*$")
_STARTS_LOWERCASE = re.compile(r"^\s*[a-zа-яёәғқңөұүһі]")
_LIST_ITEM = re.compile(r"^\s*(?:[-–—•*]|\d+[.)])\s")
_WORD = re.compile(r"[^\W\d_]+")
_COOKIE_BANNER = re.compile(r"\bcookies?\b|\bкуки\b|файлы cookie", re.IGNORECASE)
# The same line this many times in one file is a template (copyright, "share").
_REPEATS_FOR_BOILERPLATE = 3


def _load_debris_words() -> frozenset[str]:
    entries = set()
    for line in Path(__file__).with_name("debris.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            entries.update(line.split())
    return frozenset(entries)


DEBRIS_WORDS = _load_debris_words()


@dataclass(frozen=True)
class Paragraph:
    number: int  # 1-based position among all paragraphs of the file
    text: str
    title: str | None = None  # the heading it stands under
    page: int | None = None  # 1-based, in formats with pages
    # 1-based line of the file where it starts; None where the text split is not
    # the file's own lines (HTML, documents).
    line: int | None = None


def split_paragraphs(text: str) -> list[str]:
    """The paragraphs of a text, in order, whitespace-trimmed.

    >>> split_paragraphs("Title\\n\\nFirst line\\nsecond line of it\\nNew one.\\n")
    ['Title', 'First line second line of it', 'New one.']
    """
    return [paragraph for _, paragraph in paragraphs_with_lines(text)]


def paragraphs_with_lines(text: str) -> list[tuple[int, str]]:
    """``(line, paragraph)`` for each paragraph: the 1-based line it starts on.

    >>> paragraphs_with_lines("Title\\n\\nFirst line\\nsecond line of it\\nNew one.\\n")
    [(1, 'Title'), (3, 'First line second line of it'), (5, 'New one.')]
    """
    paragraphs: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    previous = ""
    for number, physical in enumerate(_LINE_BREAK.split(text), start=1):
        # str.splitlines also breaks at \f, \v, U+2028 ..., which editors do not
        # count as lines: those pieces split paragraphs but share the line number.
        for raw_line in physical.splitlines() or [""]:
            line = " ".join(raw_line.split())
            if not line:
                _flush(current, start, paragraphs)
                previous = ""
                continue
            if current and _is_soft_wrap(previous, line):
                current.append(line)
            else:
                _flush(current, start, paragraphs)
                current.append(line)
                start = number
            previous = line
    _flush(current, start, paragraphs)
    return paragraphs


def _flush(lines: list[str], start: int, paragraphs: list[tuple[int, str]]) -> None:
    if lines:
        paragraphs.append((start, " ".join(lines)))
        lines.clear()


def _is_soft_wrap(previous: str, line: str) -> bool:
    return (not _SENTENCE_END.search(previous)
            and _STARTS_LOWERCASE.match(line) is not None
            and not _LIST_ITEM.match(line))


def is_debris(text: str) -> bool:
    """True for page furniture: share rows, lone times and counters, cookie banners.

    >>> is_debris("VK X OK WhatsApp Telegram"), is_debris("16:40"), is_debris("Лесные пожары")
    (True, True, False)
    """
    # Asked of every paragraph, and most are prose: their first words settle the two
    # word tests, so the words are found one by one until both are settled (finding
    # all of them was ~0.15 CPU-s of a 10k paragraph build, half the cookie search).
    long_word = content_word = False
    for match in _WORD.finditer(text):
        word = match.group().lower()
        long_word = long_word or len(word) >= 2
        content_word = content_word or word not in DEBRIS_WORDS
        if long_word and content_word:
            break
    else:
        # Words all shorter than 2 letters (times, dates, counters: "16:40", "0",
        # "04.03.2026, 15:23 14181"), or all page furniture ("VK X OK").
        return True
    return _mentions_cookies(text) and len(_WORD.findall(text)) <= 60


def _mentions_cookies(text: str) -> bool:
    # Every letter _COOKIE_BANNER matches ignoring case lowers to the pattern's own
    # (checked over all of Unicode for c o k к у), so a text without "cook" or "кук"
    # lowered has no match: two substring tests spare most texts the regex (~15 µs).
    lowered = text.lower()
    return ("cook" in lowered or "кук" in lowered) and _COOKIE_BANNER.search(text) is not None


def content_paragraphs(text: str) -> list[Paragraph]:
    """The paragraphs worth indexing, numbered by their place in the file."""
    found = paragraphs_with_lines(text)
    counts = Counter(paragraph for _, paragraph in found)
    return [
        Paragraph(number, paragraph, line=line)
        for number, (line, paragraph) in enumerate(found, start=1)
        if counts[paragraph] < _REPEATS_FOR_BOILERPLATE and not is_debris(paragraph)
    ]


def document_paragraphs(blocks) -> list[Paragraph]:
    """The paragraphs worth indexing of a document's blocks (:class:`search.ingest.formats.Block`).

    Numbered as :func:`content_paragraphs` numbers them (headings count too); a
    heading is the ``title`` of the paragraphs under it and is not a paragraph
    of its own, unless nothing stands under it.
    """
    numbered = []
    for block in blocks:
        # A block that knows its line in the file gives each of its paragraphs one.
        numbered.extend((text, block.heading, block.page,
                         None if block.line is None else block.line + offset - 1)
                        for offset, text in paragraphs_with_lines(block.text))
    counts = Counter(text for text, heading, _, _ in numbered if not heading)
    paragraphs: list[Paragraph] = []
    title, lone_heading = None, None
    for number, (text, heading, page, line) in enumerate(numbered, start=1):
        if heading:
            # A lone heading stays a paragraph, unless the next one repeats it
            # (an HTML <title> "Су тасқыны | Сайт" above its <h1> "Су тасқыны").
            if lone_heading is not None and text.lower() not in lone_heading.text.lower():
                paragraphs.append(lone_heading)
            title, lone_heading = text, Paragraph(number, text, page=page, line=line)
        elif counts[text] < _REPEATS_FOR_BOILERPLATE and not is_debris(text):
            lone_heading = None
            paragraphs.append(Paragraph(number, text, title, page, line))
    if lone_heading is not None:
        paragraphs.append(lone_heading)
    return paragraphs
