"""ODT (OpenDocument text): paragraphs, headings and table rows in document order.

Read with the standard library from ``content.xml``: ``text:h`` is a heading,
``text:p`` a paragraph (the "Title" style marks a heading too), lists and
sections are walked into, and a table row becomes one paragraph with its cells
separated by ``|``. Notes and annotations are left out: they would cut the
sentence they are anchored in.
"""

from pathlib import Path

from search.ingest.formats import Block
from search.ingest.formats.package import DocumentPackage

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_SKIPPED = frozenset({f"{_TEXT}note", f"{_OFFICE}annotation", f"{_TEXT}tracked-changes",
                      f"{_TEXT}sequence-decls", f"{_TEXT}variable-decls"})
_TITLE_STYLES = frozenset({"Title", "Heading"})


def read(data: bytes, path: Path) -> list[Block]:
    package = DocumentPackage(data, path)
    body = package.xml("content.xml").find(f"{_OFFICE}body/{_OFFICE}text")
    if body is None:
        raise package.damaged(ValueError("no text body (not a text document?)"))
    return [block for block in _blocks(body) if block.text]


def _blocks(element):
    for child in element:
        if child.tag == f"{_TEXT}h":
            yield Block(paragraph_text(child), heading=True)
        elif child.tag == f"{_TEXT}p":
            style = child.get(f"{_TEXT}style-name", "")
            yield Block(paragraph_text(child), heading=style in _TITLE_STYLES)
        elif child.tag == f"{_TABLE}table-row":
            cells = [" ".join(paragraph_text(p) for p in cell.iter(f"{_TEXT}p"))
                     for cell in child.findall(f"{_TABLE}table-cell")]
            yield Block(" | ".join(c for c in cells if c))
        elif child.tag not in _SKIPPED:
            yield from _blocks(child)  # lists, sections, tables, frames


def paragraph_text(paragraph) -> str:
    parts: list[str] = [paragraph.text or ""]
    for child in paragraph:
        if child.tag in (f"{_TEXT}s", f"{_TEXT}tab", f"{_TEXT}line-break"):
            parts.append(" ")
        elif child.tag not in _SKIPPED:
            parts.append(paragraph_text(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())  # runs of spaces (text:s) count as one
