"""RTF: the text without control words, through striprtf.

striprtf decodes ``\\'xx`` escapes with the document's ``\\ansicpg`` code page and
``\\u`` escapes as Unicode, and drops font and colour tables, so ``fonttbl`` and
friends are never indexed.
"""

import re
from pathlib import Path

from search.errors import UnreadableFileError
from search.ingest.formats import Block, require
from search.ingest.paragraphs import split_paragraphs

_CODE_PAGE = re.compile(rb"\\ansicpg(\d+)")


def read(data: bytes, path: Path) -> list[Block]:
    striprtf = require("striprtf.striprtf", "striprtf", path)
    if not data.lstrip().startswith(b"{\\rtf"):
        raise UnreadableFileError(f"{path}: skipped, not an RTF document (no {{\\rtf header)")
    code_page = _CODE_PAGE.search(data[:4096])
    encoding = f"cp{int(code_page.group(1))}" if code_page else "cp1252"
    try:
        text = striprtf.rtf_to_text(data.decode("ascii", errors="replace"), encoding=encoding,
                                    errors="replace")
    except (LookupError, ValueError, IndexError) as error:
        raise UnreadableFileError(f"{path}: skipped, the RTF file is damaged "
                                  f"({error.__class__.__name__}: {error})") from None
    return [Block(paragraph) for paragraph in split_paragraphs(text)]
