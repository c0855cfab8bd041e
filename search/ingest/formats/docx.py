"""DOCX (Word 2007+): paragraphs and table rows in document order, headings marked.

Read with the standard library: the body is one XML part (``word/document.xml``)
whose paragraphs (``w:p``) and tables (``w:tbl``) come in reading order, so a
parser library would add lxml for nothing. Deleted revisions and field codes
are not text; a table row becomes one paragraph, its cells separated by ``|``.
A paragraph is a heading when its style is (a "Heading N" or "Title" style, or
one with an outline level, which is how localized Word names them).
"""

from pathlib import Path

from search.ingest.formats import Block
from search.ingest.formats.package import DocumentPackage

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIPPED = frozenset({f"{_W}del", f"{_W}delText", f"{_W}instrText", f"{_W}rPr", f"{_W}pPr",
                      f"{_W}footnoteReference", f"{_W}commentReference"})
_SPACES = frozenset({f"{_W}tab", f"{_W}br", f"{_W}cr"})


def read(data: bytes, path: Path) -> list[Block]:
    package = DocumentPackage(data, path)
    headings = _heading_styles(package)
    body = package.xml("word/document.xml").find(f"{_W}body")
    if body is None:
        raise package.damaged(ValueError("no document body"))
    return [block for block in _blocks(body, headings) if block.text]


def _heading_styles(package: DocumentPackage) -> set[str]:
    if not package.has("word/styles.xml"):
        return set()
    styles = set()
    for style in package.xml("word/styles.xml").iter(f"{_W}style"):
        name = style.find(f"{_W}name")
        label = (name.get(f"{_W}val") if name is not None else "") or ""
        outline = style.find(f"{_W}pPr/{_W}outlineLvl")
        if label.lower().startswith("heading") or label.lower() == "title" \
                or (outline is not None and outline.get(f"{_W}val", "9") != "9"):
            styles.add(style.get(f"{_W}styleId"))
    return styles


def _blocks(element, headings: set[str]):
    for child in element:
        if child.tag == f"{_W}p":
            yield Block(paragraph_text(child), heading=_is_heading(child, headings))
        elif child.tag == f"{_W}tbl":
            for row in child.iter(f"{_W}tr"):
                cells = [" ".join(paragraph_text(p) for p in cell.iter(f"{_W}p"))
                         for cell in row.findall(f"{_W}tc")]
                yield Block(" | ".join(c for c in cells if c))
        elif child.tag not in _SKIPPED:
            yield from _blocks(child, headings)  # content controls (w:sdt), w:ins ...


def _is_heading(paragraph, headings: set[str]) -> bool:
    style = paragraph.find(f"{_W}pPr/{_W}pStyle")
    outline = paragraph.find(f"{_W}pPr/{_W}outlineLvl")
    return (style is not None and style.get(f"{_W}val") in headings) or \
        (outline is not None and outline.get(f"{_W}val", "9") != "9")


def paragraph_text(paragraph) -> str:
    parts: list[str] = []
    _collect(paragraph, parts)
    return " ".join("".join(parts).split())


def _collect(element, parts: list[str]) -> None:
    for child in element:
        if child.tag in _SKIPPED:
            continue
        if child.tag == f"{_W}t":
            parts.append(child.text or "")
        elif child.tag in _SPACES:
            parts.append(" ")
        elif child.tag == f"{_W}noBreakHyphen":
            parts.append("-")
        else:
            _collect(child, parts)
