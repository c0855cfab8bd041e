"""Plain text, Markdown and HTML: decoded as before, with their headings marked.

A plain-text news file opens with its headline on a line of its own (as in
seeds/): a short first paragraph without final punctuation, followed by more
text. Markdown marks headings with ``#`` (or an underline of ``=``/``-``),
HTML with ``<title>`` and ``<h1>`` … ``<h6>``.
"""

import re
from pathlib import Path

from search.ingest.formats import Block
from search.ingest.html_text import HTML_SUFFIXES, html_blocks
from search.ingest.paragraphs import split_paragraphs
from search.ingest.reading import decode

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
_TITLE_MAX_WORDS = 20
_FINAL_PUNCTUATION = re.compile(r"[.!?…:;,]\s*$")
_ATX_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")


def read(data: bytes, path: Path) -> list[Block]:
    text = decode(data, path)
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return [Block(block, heading=heading) for block, heading in html_blocks(text)]
    if suffix in MARKDOWN_SUFFIXES:
        return markdown_blocks(text)
    return plain_blocks(text)


def looks_like_title(paragraph: str) -> bool:
    """A headline: a few words without the punctuation that ends a sentence.

    >>> looks_like_title("Опыт специалистов Кореи применят при восстановлении лесов")
    True
    >>> looks_like_title("Проект стартует 22 апреля.")
    False
    """
    return (len(paragraph.split()) <= _TITLE_MAX_WORDS
            and not _FINAL_PUNCTUATION.search(paragraph))


def plain_blocks(text: str) -> list[Block]:
    paragraphs = split_paragraphs(text)
    blocks = [Block(p) for p in paragraphs]
    if len(paragraphs) >= 2 and looks_like_title(paragraphs[0]):
        blocks[0] = Block(paragraphs[0], heading=True)
    return blocks


def markdown_blocks(text: str) -> list[Block]:
    """Headings as blocks of their own (a line under a heading is not a soft wrap of it)."""
    blocks: list[Block] = []
    lines: list[str] = []

    def flush():
        if lines:
            blocks.append(Block("\n".join(lines).strip("\n")))
            lines.clear()

    fenced = False  # inside ``` or ~~~: a "# comment" in code is not a heading
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            lines.append(line)
        elif not fenced and (heading := _ATX_HEADING.match(line)):
            flush()
            blocks.append(Block(heading.group(1), heading=True))
        elif not fenced and _SETEXT_UNDERLINE.match(line) and lines and lines[-1].strip():
            title = lines.pop()
            flush()
            blocks.append(Block(title.strip(), heading=True))
        else:
            lines.append(line)
    flush()
    return [b for b in blocks if b.text.strip()]
