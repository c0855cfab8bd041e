"""Reading a file's text whatever its encoding, or saying clearly why it cannot be read.

UTF-8 (with or without BOM) and UTF-16 are recognised directly; anything else is
handed to charset-normalizer, limited to the encodings Kazakh, Russian and
English text actually arrives in, so a short cp1251 or KOI8-R file is not taken
for Shift-JIS.
"""

import codecs
import os
from pathlib import Path

from charset_normalizer import from_bytes

from search.errors import UnreadableFileError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# kz1048 is the Windows code page with Kazakh letters; cp866 is the DOS one.
_CANDIDATE_ENCODINGS = ["utf_8", "cp1251", "koi8_r", "kz1048", "cp866", "iso8859_5",
                        "mac_cyrillic", "latin_1"]
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
    text = decode(data, path)
    if not text.strip():
        raise UnreadableFileError(f"{path}: skipped, the file is empty")
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
            pass
    elif (text := _utf16_without_bom(data)) is not None:
        return text
    else:
        raise UnreadableFileError(f"{path}: skipped, looks like a binary file")
    best = from_bytes(data, cp_isolation=_CANDIDATE_ENCODINGS).best()
    if best is None or _looks_binary(str(best)):
        raise UnreadableFileError(f"{path}: skipped, not text in a known encoding")
    return str(best)


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
