"""E-mail (.eml) and mailboxes (.mbox) with the standard library's ``email`` package.

Named ``mail``, not ``email``, so it can never shadow the standard library.
A message's subject is the title of its text; the body is its text/plain part
(or text/html, read as HTML, when there is no plain one), decoded from base64
or quoted-printable with its declared charset; attached documents are read by
their own readers. Headers and encoded payloads are never text.
"""

import email
import email.errors
import email.header
import re
from email import policy
from email.message import Message
from pathlib import Path

from search.errors import UnreadableFileError
from search.ingest.formats import READABLE_SUFFIXES, Block, MissingReaderError, read_blocks
from search.ingest.html_text import html_blocks
from search.ingest.paragraphs import split_paragraphs
from search.ingest.reading import decode

# An mbox separates messages with a line starting "From " (after a blank line).
_MBOX_SEPARATOR = re.compile(rb"(?:^|\r?\n)From [^\r\n]*\r?\n")
_ESCAPED_FROM = re.compile(rb"(?m)^>(>*From )")


def read(data: bytes, path: Path) -> list[Block]:
    if path.suffix.lower() == ".mbox":
        messages = [_ESCAPED_FROM.sub(rb"\1", m) for m in _MBOX_SEPARATOR.split(data)
                    if m.strip()]
    else:
        messages = [data]
    blocks: list[Block] = []
    for raw in messages:
        blocks.extend(message_blocks(email.message_from_bytes(raw, policy=policy.compat32),
                                     path))
    if not blocks:
        raise UnreadableFileError(f"{path}: skipped, no text in the message")
    return blocks


def message_blocks(message: Message, path: Path) -> list[Block]:
    blocks: list[Block] = []
    subject = _header_text(message.get("Subject"))
    if subject:
        blocks.append(Block(subject, heading=True))
    body = _body_part(message)
    if body is not None:
        blocks.extend(_text_blocks(body, path))
    for part in message.walk():
        name = part.get_filename()
        if name and part is not body:
            blocks.extend(_attachment_blocks(part, _header_text(name), path))
    return blocks


def _header_text(value) -> str:
    if not value:
        return ""
    try:
        return " ".join(str(email.header.make_header(email.header.decode_header(value))).split())
    except (LookupError, UnicodeDecodeError, email.errors.HeaderParseError):
        return " ".join(str(value).split())


def _body_part(message: Message) -> Message | None:
    """The text/plain part outside attachments, else the text/html one."""
    found = {}
    for part in message.walk():
        if part.get_filename() or part.get_content_maintype() != "text":
            continue
        found.setdefault(part.get_content_subtype(), part)
    return found.get("plain") or found.get("html")


def _part_text(part: Message, path: Path) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset()
    if charset:
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown charset label: detect it as for files
    return decode(payload, path)


def _text_blocks(part: Message, path: Path) -> list[Block]:
    text = _part_text(part, path)
    if part.get_content_subtype() == "html":
        return [Block(t, heading=h) for t, h in html_blocks(text)]
    return [Block(paragraph) for paragraph in split_paragraphs(text)]


def _attachment_blocks(part: Message, name: str, path: Path) -> list[Block]:
    suffix = Path(name).suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        return []  # images, archives …: not text
    payload = part.get_payload(decode=True)
    if not payload:
        return []
    try:
        blocks = read_blocks(payload, Path(f"{path}:{name}"))
    except MissingReaderError:
        raise
    except UnreadableFileError:
        return []  # a bad attachment does not lose the message's own text
    return [Block(name, heading=True), *blocks]
