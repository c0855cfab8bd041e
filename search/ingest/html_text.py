"""The readable text of an HTML page: one paragraph per block, without the page's furniture.

Built on the standard library's :class:`html.parser.HTMLParser`, which is
forgiving with broken markup and decodes entities; no dependency is needed for
"text without tags". Scripts, styles and the page's navigation (``nav``,
``header``, ``footer``, ``aside``) are dropped with everything inside them;
every block element (``p``, ``div``, ``li``, headings, table cells …) ends a
paragraph, and ``<br>`` ends a line.

    >>> html_to_text("<nav>Menu</nav><h1>Су тасқыны</h1><p>Дайындық <b>жүргізілуде</b>.</p>")
    'Су тасқыны\\n\\nДайындық жүргізілуде.'
"""

from html.parser import HTMLParser

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})

# Everything inside these is not the page's text.
# <head> itself is kept: its <title> is text, and the rest of it (meta, link,
# script, style) holds none.
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "math",
                      "nav", "header", "footer", "aside", "form", "button", "select",
                      "iframe", "object"})
# These end a paragraph where they open and where they close.
_BLOCKS = frozenset({"p", "div", "section", "article", "main", "blockquote", "pre",
                     "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
                     "table", "thead", "tbody", "tr", "td", "th", "caption", "figure",
                     "figcaption", "address", "hr", "title", "body", "html", "details",
                     "summary"})


# Their text is a heading: the title of the paragraphs under it (html_blocks).
_HEADINGS = frozenset({"title", "h1", "h2", "h3", "h4", "h5", "h6"})


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.headings: set[int] = set()  # indexes into paragraphs
        self._heading_depth = 0
        self._current: list[str] = []
        self._skip_depth = 0
        self._pre_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self._skip_depth += 1
        elif tag == "br" and not self._skip_depth:
            self._current.append("\n")
        elif tag in _BLOCKS:
            self._end_paragraph()
            if tag == "pre":
                self._pre_depth += 1
            self._heading_depth += tag in _HEADINGS

    def handle_startendtag(self, tag, attrs):
        if tag == "br" and not self._skip_depth:
            self._current.append("\n")
        elif tag in _BLOCKS:
            self._end_paragraph()

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCKS:
            self._end_paragraph()
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
            if tag in _HEADINGS:
                self._heading_depth = max(0, self._heading_depth - 1)

    def handle_data(self, data):
        if self._skip_depth:
            return
        if self._pre_depth:
            self._current.append(data)  # preformatted: its line breaks are real
        else:
            self._current.append(" ".join(data.split("\n")))

    def _end_paragraph(self):
        text = "".join(self._current)
        self._current.clear()
        lines = (" ".join(line.split()) for line in text.split("\n"))
        block = "\n".join(line for line in lines if line)
        if block:
            if self._heading_depth:
                self.headings.add(len(self.paragraphs))
            self.paragraphs.append(block)

    def text(self) -> str:
        self.close()
        self._end_paragraph()
        return "\n\n".join(self.paragraphs)


def html_to_text(html: str) -> str:
    """The text of ``html``: blocks separated by blank lines, tags and furniture gone."""
    extractor = _TextExtractor()
    extractor.feed(html)
    return extractor.text()


def html_blocks(html: str) -> list[tuple[str, bool]]:
    """The blocks of ``html`` as ``(text, is_heading)``; ``<title>`` and ``<h1>``-``<h6>``
    are headings.

    >>> html_blocks("<title>Су</title><p>Дайындық.</p>")
    [('Су', True), ('Дайындық.', False)]
    """
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.text()
    return [(text, number in extractor.headings)
            for number, text in enumerate(extractor.paragraphs)]
