"""Plain text, Markdown and HTML: decoded as before, with their headings marked.

A plain-text news file opens with its headline on a line of its own (as in
seeds/): a short first paragraph without final punctuation, followed by more
text. Markdown marks headings with ``#`` (or an underline of ``=``/``-``),
HTML with ``<title>`` and ``<h1>`` … ``<h6>``.
"""

import re
from pathlib import Path

from search.ingest.formats import Block
from search.ingest.html_text import HTML_SUFFIXES, html_blocks, html_to_text
from search.ingest.paragraphs import paragraphs_with_lines
from search.ingest.reading import decode

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
_TITLE_MAX_WORDS = 20
_FINAL_PUNCTUATION = re.compile(r"[.!?…:;,]\s*$")


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
    paragraphs = paragraphs_with_lines(text)
    blocks = [Block(p, line=line) for line, p in paragraphs]
    if len(paragraphs) >= 2 and looks_like_title(paragraphs[0][1]):
        blocks[0] = Block(paragraphs[0][1], heading=True, line=paragraphs[0][0])
    return blocks


def markdown_blocks(text: str) -> list[Block]:
    """Markdown as a reader sees it: each paragraph, list item, table row and code block
    a block, headings blocks of their own, and the syntax gone (``**``, ``[text](url)``,
    fences, inline HTML) with the words kept, each block at its line in the file.

    >>> blocks = markdown_blocks("# Орман\\n\\nСу **тасқыны** [өрт](http://x.kz)\\nсөнді.\\n\\n- бір")
    >>> [(b.text, b.heading, b.line) for b in blocks]
    [('Орман', True, 1), ('Су тасқыны өрт сөнді.', False, 3), ('бір', False, 6)]
    """
    from markdown_it import MarkdownIt  # only when a Markdown file is read

    blocks: list[Block] = []
    heading, row = False, None
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        line = token.map[0] + 1 if token.map else None
        if token.type == "heading_open":
            heading = True
        elif token.type == "heading_close":
            heading = False
        elif token.type == "tr_open":
            row = ([], line)
        elif token.type == "tr_close" and row is not None:
            cells, row_line = row
            if any(cells):
                blocks.append(Block(" ".join(c for c in cells if c), line=row_line))
            row = None
        elif token.type == "inline":
            words = _inline_text(token.children or [])
            if row is not None:
                row[0].append(words)
            elif words.strip():
                blocks.append(Block(words, heading=heading, line=line))
        elif token.type in ("fence", "code_block") and token.content.strip():
            # A fence's code starts on the line after its opening ```.
            blocks.append(Block(token.content, line=line + (token.type == "fence")))
        elif token.type == "html_block":
            words = html_to_text(token.content)
            if words.strip():
                blocks.append(Block(words, line=line))
    return blocks


def _inline_text(children) -> str:
    """The words of an inline run: text, code and image descriptions, without the markup."""
    pieces = []
    for child in children:
        if child.type in ("text", "code_inline"):
            pieces.append(child.content)
        elif child.type == "softbreak":
            pieces.append(" ")  # a wrapped line of the same paragraph
        elif child.type == "hardbreak":
            pieces.append("\n")
        elif child.type == "image":
            pieces.append(_inline_text(child.children or []))
    return "".join(pieces)
