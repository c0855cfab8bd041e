"""PDF: the text layer page by page, as paragraphs a reader would see.

pdfminer.six, because it reads Kazakh as printed: on a page printed by Chromium,
pypdf's default mode split Kazakh letters into separate words
(``Жылыжайларда ғ ы к ө к ө ністер``) where pdfminer.six did not, and its layout
analysis groups lines into text boxes, which are the page's paragraphs.
PyMuPDF reads faster but is AGPL. pdfminer.six is pure Python and ~25 times
slower than poppler's ``pdftotext``: 28 against ~650 pages/s of CPU time on a
Kazakh/Russian PDF of 100 pages (pypdfium2, which gives lines and not
paragraphs, ~640); memory stays flat (65 MB peak for the whole process at 500
pages, 55 MB at 100), as pages are read one at a time.

Three things a PDF adds that are not text: words broken at line ends
(``лес-`` / ``ных`` is ``лесных``), and the running header, footer and page
number printed at the top or bottom of every page, which are dropped when the
same line stands at a page's edge on at least half the pages (a page number in
it may change with the page).
"""

import io
import logging
import re
from pathlib import Path

from search.errors import UnreadableFileError
from search.ingest.formats import Block, require

# pdfminer logs what it works around in a bad file; without a handler of the
# application's, Python would print those lines on stderr beside Izde's one warning.
logging.getLogger("pdfminer").addHandler(logging.NullHandler())

# Boxes at each edge of a page that may be a running header or footer.
_EDGE_BOXES = 2
_DIGITS = re.compile(r"\d+")
# A word broken at the line end: a letter, a hyphen (or soft hyphen), then a
# line that starts in lowercase.
_BROKEN_WORD = re.compile(r"(?<=[^\W\d_])[-\u00ad\u2010]$")
_STARTS_LOWERCASE = re.compile(r"^[a-zа-яёәғқңөұүһі]")
_SENTENCE_END = re.compile(r"[.!?…»\"')\]]$")


def read(data: bytes, path: Path) -> list[Block]:
    blocks = page_blocks(list(_page_boxes(data, path)))
    if not blocks:
        raise UnreadableFileError(f"{path}: skipped, no text layer (a scanned PDF? "
                                  f"Izde does not read images)")
    return blocks


def page_blocks(pages: list[list[str]]) -> list[Block]:
    """The paragraphs of pages given as their text boxes, page furniture dropped.

    >>> [(b.text, b.page) for b in page_blocks([["Бюллетень", "Су тасқыны.", "Бет 1"],
    ...                                       ["Бюллетень", "Егіс.", "Бет 2"]])]
    [('Су тасқыны.', 1), ('Егіс.', 2)]
    """
    furniture = _running_lines(pages)
    return [Block(paragraph, page=number)
            for number, boxes in enumerate(pages, start=1)
            for paragraph in merge_wrapped([box for index, box in enumerate(boxes)
                                            if not (_is_edge(index, boxes)
                                                    and _key(box) in furniture)])]


def _page_boxes(data: bytes, path: Path):
    """Each page's text boxes as strings, one page at a time (memory stays flat)."""
    high_level = require("pdfminer.high_level", "pdfminer.six", path)
    layout = require("pdfminer.layout", "pdfminer.six", path)
    try:
        for page in high_level.extract_pages(io.BytesIO(data), laparams=layout.LAParams()):
            yield [text for element in page
                   if isinstance(element, layout.LTTextContainer)
                   and (text := join_lines(element.get_text().splitlines()))]
    except Exception as error:  # a parser of untrusted bytes: any failure means a bad file
        raise UnreadableFileError(f"{path}: skipped, {_reason(error)}") from None


def _reason(error: Exception) -> str:
    name = error.__class__.__name__
    if "Password" in name or "Encrypt" in name:
        return "the PDF is encrypted (open it and save an unprotected copy)"
    return f"the PDF is damaged ({name}: {error})"[:200]


def join_lines(lines: list[str]) -> str:
    """One paragraph of a text box's lines, words broken at line ends joined again.

    >>> join_lines(["Восстановление лес-", "ных массивов"])
    'Восстановление лесных массивов'
    """
    text = ""
    for line in (" ".join(line.split()) for line in lines):
        if not line:
            continue
        if text and _BROKEN_WORD.search(text) and _STARTS_LOWERCASE.match(line):
            text = text[:-1] + line
        else:
            text = f"{text} {line}" if text else line
    return text


def merge_wrapped(boxes: list[str]) -> list[str]:
    """Boxes joined where one paragraph was cut in two (widely spaced lines come as a box each):
    the first does not end a sentence and the next starts in lowercase.

    >>> merge_wrapped(["Лесные пожары в области", "потушены к утру.", "Новый абзац."])
    ['Лесные пожары в области потушены к утру.', 'Новый абзац.']
    """
    paragraphs: list[str] = []
    for box in boxes:
        if paragraphs and not _SENTENCE_END.search(paragraphs[-1]) \
                and _STARTS_LOWERCASE.match(box):
            paragraphs[-1] = join_lines([paragraphs[-1], box])
        else:
            paragraphs.append(box)
    return paragraphs


def _key(box: str) -> str:
    return _DIGITS.sub("#", box.lower())


def _is_edge(index: int, boxes: list[str]) -> bool:
    return index < _EDGE_BOXES or index >= len(boxes) - _EDGE_BOXES


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines at a page edge on at least half of two or more pages: the same text on
    each (a running header), or the same but for a number that follows the page
    number (``Бет 3 / 10``), so body text that merely differs in a number stays."""
    if len(pages) < 2:
        return set()
    seen: dict[str, dict[int, str]] = {}  # key -> page -> text
    for number, boxes in enumerate(pages, start=1):
        for index, box in enumerate(boxes):
            if _is_edge(index, boxes):
                seen.setdefault(_key(box), {}).setdefault(number, box)
    running = set()
    for key, texts in seen.items():
        if len(texts) < max(2, len(pages) / 2):
            continue
        offsets = {int(_DIGITS.search(text).group()) - page if _DIGITS.search(text) else None
                   for page, text in texts.items()}
        if len(set(texts.values())) == 1 or (len(offsets) == 1 and None not in offsets):
            running.add(key)
    return running
