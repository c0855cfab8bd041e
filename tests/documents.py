"""Documents of every format Izde reads, written the way their own programs write them.

DOCX and ODT come from python-docx and odfpy (independent writers, so the readers
are not tested against their own idea of the format); EPUB, RTF and e-mail are
small enough to write here; PDFs are tiny committed fixtures (tests/fixtures/),
because printing Cyrillic needs a TTF font CI may not have: kk_pages.pdf was
printed by fpdf2 with DejaVu Sans (three pages under a running header and page
numbers, Kazakh and Russian text, a word hyphenated at a line end);
encrypted.pdf is it encrypted by pypdf with a user password, owner_only.pdf
with an owner password only (AES-128); scanned.pdf has a page with no text.
"""

import io
import zipfile
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PASTURES = "Жайылымдардың жағдайы биыл айтарлықтай жақсарды, малшылар риза."
FORESTS = "Лесные пожары в области Абай потушены спасателями к утру понедельника."
FLOODS = "Су тасқыны кезеңіне дайындық шеңберінде инженерлік іс-шаралар жүргізілуде."


def docx_bytes(heading: str, paragraphs: list[str], table: list[list[str]] = ()) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(heading, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, cells in zip(grid.rows, table):
            for cell, text in zip(row.cells, cells):
                cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt_bytes(heading: str, paragraphs: list[str]) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text=heading))
    for text in paragraphs:
        document.text.addElement(P(text=text))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def epub_bytes(chapters: list[tuple[str, str]]) -> bytes:
    """An EPUB whose spine lists ``chapters`` (title, text) in order; the files are
    named in the opposite order, so reading by name would be wrong."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as epub:
        epub.writestr("mimetype", "application/epub+zip")
        epub.writestr("META-INF/container.xml", """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
 <rootfiles><rootfile full-path="OEBPS/content.opf"
   media-type="application/oebps-package+xml"/></rootfiles></container>""")
        items, spine = [], []
        for number, (title, text) in enumerate(chapters):
            name = f"ch{len(chapters) - number}.xhtml"
            items.append(f'<item id="c{number}" href="{name}" media-type="application/xhtml+xml"/>')
            spine.append(f'<itemref idref="c{number}"/>')
            epub.writestr(f"OEBPS/{name}", f"""<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>{title}</title></head>
<body><h1>{title}</h1><p>{text}</p></body></html>""")
        epub.writestr("OEBPS/content.opf", f"""<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
 <metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Кітап</dc:title></metadata>
 <manifest>{''.join(items)}</manifest><spine>{''.join(spine)}</spine></package>""")
    return out.getvalue()


def rtf_bytes(text: str) -> bytes:
    """An RTF as WordPad writes Cyrillic: cp1251 bytes escaped as \\'xx, a font table;
    letters cp1251 lacks (Kazakh ә ғ қ ң ө ұ ү һ і) as \\uN? escapes."""
    escaped = "".join("".join(f"\\'{b:02x}" for b in c.encode("cp1251"))
                      if c.encode("cp1251", errors="ignore") else f"\\u{ord(c)}?"
                      for c in text)
    return ("{\\rtf1\\ansi\\ansicpg1251\\deff0{\\fonttbl{\\f0\\fnil\\fcharset204 Arial;}}"
            "{\\colortbl ;\\red0\\green0\\blue0;}\\viewkind4\\uc1\\pard\\f0\\fs22 "
            f"{escaped}\\par\n}}").encode("ascii")


def eml_bytes(subject: str, body: str, attachment: tuple[str, bytes] | None = None) -> bytes:
    """A message with a base64 cp1251 body and, optionally, a base64 attachment."""
    message = MIMEMultipart()
    message["Subject"] = Header(subject, "utf-8")
    message["From"] = "press@example.kz"
    message.attach(MIMEText(body, "plain", "cp1251"))
    if attachment:
        name, data = attachment
        part = MIMEApplication(data)
        part.add_header("Content-Disposition", "attachment", filename=name)
        message.attach(part)
    return message.as_bytes()
