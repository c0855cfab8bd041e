"""EPUB: the chapters in spine order, each read as HTML.

An EPUB is a zip whose ``META-INF/container.xml`` names the package file, whose
spine lists the chapters in reading order; each chapter is XHTML, read by the
HTML reader (headings marked). Standard library only.
"""

import posixpath
from pathlib import Path

from search.ingest.formats import Block
from search.ingest.formats.package import DocumentPackage
from search.ingest.html_text import html_blocks
from search.ingest.reading import decode

_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_OPF = "{http://www.idpf.org/2007/opf}"
_HTML_TYPES = frozenset({"application/xhtml+xml", "text/html"})


def read(data: bytes, path: Path) -> list[Block]:
    package = DocumentPackage(data, path)
    rootfile = package.xml("META-INF/container.xml").find(
        f"{_CONTAINER}rootfiles/{_CONTAINER}rootfile")
    if rootfile is None or not rootfile.get("full-path"):
        raise package.damaged(ValueError("container.xml names no package file"))
    opf_name = rootfile.get("full-path")
    opf = package.xml(opf_name)
    folder = posixpath.dirname(opf_name)
    manifest = {item.get("id"): item for item in opf.iter(f"{_OPF}item")}
    blocks: list[Block] = []
    for itemref in opf.iter(f"{_OPF}itemref"):
        item = manifest.get(itemref.get("idref"))
        if item is None or item.get("media-type") not in _HTML_TYPES:
            continue
        name = posixpath.normpath(posixpath.join(folder, item.get("href", "")))
        try:
            chapter = package.zip.read(name)
        except (KeyError, OSError, ValueError) as error:
            raise package.damaged(error) from None
        blocks.extend(Block(text, heading=heading)
                      for text, heading in html_blocks(decode(chapter, f"{path}:{name}")))
    return blocks
