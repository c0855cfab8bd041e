"""Reading a file's text whatever its encoding, or saying clearly why it cannot be read.

UTF-8 (with or without BOM) and UTF-16 are recognised directly; anything else is
handed to charset-normalizer, limited to the encodings Kazakh, Russian and
English text actually arrives in, so a short cp1251 or KOI8-R file is not taken
for Shift-JIS.
"""

import codecs
import os
import re
from pathlib import Path

from search.errors import UnreadableFileError
from search.ingest.html_text import HTML_SUFFIXES, html_to_text

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# kz1048 is the Windows code page with Kazakh letters; cp866 is the DOS one.
# Not mac_cyrillic: it shares cp1251's lowercase letters but puts capitals
# elsewhere, so short cp1251 text was decoded as Mac with broken capitals
# ("Ѕалалар" for "Балалар"), and Mac OS 9 files are not what users add today.
_CANDIDATE_ENCODINGS = ["utf_8", "cp1251", "koi8_r", "kz1048", "cp866", "iso8859_5",
                        "latin_1"]
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
]


def read_text(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The decoded text of ``path``; raises :class:`UnreadableFileError` with the reason."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableFileError(f"{path}: skipped, {size:,} bytes is over the "
                                      f"{max_bytes:,}-byte limit")
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFileError(f"{path}: cannot read ({error.strerror or error})") from None
    text = file_text(data, path)
    if not text.strip():
        raise UnreadableFileError(f"{path}: skipped, the file is empty")
    return text


def file_text(data: bytes, path: str | os.PathLike) -> str:
    """The text of a file's content: decoded, and for HTML without its markup."""
    text = decode(data, path)
    if Path(path).suffix.lower() in HTML_SUFFIXES:
        return html_to_text(text)
    return text


def decode(data: bytes, path: str | os.PathLike = "<bytes>") -> str:
    """Decode file content; raises :class:`UnreadableFileError` for binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    if b"\x00" not in data:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            if (text := _utf8_but_for_a_few_bytes(data)) is not None:
                return text
    elif (text := _utf16_without_bom(data)) is not None:
        return text
    else:
        raise UnreadableFileError(f"{path}: skipped, looks like a binary file")
    best = _most_plausible(data)
    if best is None or _looks_binary(best):
        raise UnreadableFileError(f"{path}: skipped, not text in a known encoding")
    return best


# Valid multi-byte UTF-8 characters needed per invalid byte for a file to be UTF-8
# with damage rather than another encoding: cp1251 or KOI8-R read as UTF-8 is
# nearly all invalid bytes, and one bad byte in Kazakh text is one among thousands.
_UTF8_CHARACTERS_PER_BAD_BYTE = 10


def _utf8_but_for_a_few_bytes(data: bytes) -> str | None:
    """The text of UTF-8 ``data`` with a few invalid bytes replaced by U+FFFD, or None when
    the data reads as another encoding. (One bad byte used to send a Kazakh file to
    charset-normalizer, which read it whole as KOI8-R mojibake.)"""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    multibyte = sum(1 for c in text if c > "\x7f") - text.count("\ufffd")
    if bad * _UTF8_CHARACTERS_PER_BAD_BYTE <= multibyte:
        return text
    return None


def _most_plausible(data: bytes) -> str | None:
    # charset-normalizer ranks by byte statistics, which on a sentence or two
    # can prefer KOI8-R read as cp1251 ("рТСНЩЕ ТЕКУЩ") or cp1251 read as
    # kz1048. Those misreadings are easy to see in the text, so re-rank its
    # candidates and the three usual code pages by how Kazakh/Russian they read.
    # Imported here: it takes ~0.1 s, and `izde search` never reads a file.
    from charset_normalizer import from_bytes

    texts = [str(match) for match in from_bytes(data, cp_isolation=_CANDIDATE_ENCODINGS)]
    for encoding in ("cp1251", "koi8_r", "kz1048"):
        try:
            texts.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    if not texts:
        return None
    return min(texts, key=_implausibility)  # min is stable: charset-normalizer's order breaks ties


_LETTERS = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі"
                     "abcdefghijklmnopqrstuvwxyz")
# A capital right after a lowercase letter: "рТСНЩЕ" (KOI8-R read as cp1251).
_MID_WORD_CAPITAL = re.compile(r"(?<=[a-zа-яёәғқңөұүһі])[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]")


def _implausibility(text: str) -> int:
    """Letters outside the Kazakh, Russian and Latin alphabets, plus capitals inside words."""
    foreign = sum(1 for c in text if c.isalpha() and c.lower() not in _LETTERS)
    return foreign + len(_MID_WORD_CAPITAL.findall(text))


def _utf16_without_bom(data: bytes) -> str | None:
    # UTF-16 text without a BOM has a zero (Latin) or 0x04 (Cyrillic) high byte in
    # nearly every second byte; binary files have no such regular pattern.
    if len(data) % 2:
        return None
    for encoding, high_bytes in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
        regular = sum(b in (0, 4) for b in high_bytes)
        if regular >= 0.9 * len(high_bytes):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if not _looks_binary(text):
                return text
    return None


def _looks_binary(text: str) -> bool:
    controls = sum(1 for c in text if c < " " and c not in "\n\r\t\f")
    return controls > max(2, len(text) // 100)
