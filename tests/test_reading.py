import pytest

from search.errors import UnreadableFileError
from search.ingest.reading import read_text

KAZAKH = "Су тасқыны кезеңіне дайындық шеңберінде инженерлік іс-шаралар жүргізілуде."
RUSSIAN = "Лесные пожары в области Абай уничтожили сотни гектаров соснового леса."


@pytest.mark.parametrize("encoding, text", [
    ("utf-8", KAZAKH), ("utf-8-sig", KAZAKH), ("utf-16", KAZAKH), ("utf-16-le", RUSSIAN),
    ("cp1251", RUSSIAN), ("koi8-r", RUSSIAN), ("kz1048", KAZAKH),
])
def test_text_files_decode_whatever_their_encoding(tmp_path, encoding, text):
    path = tmp_path / "note.txt"
    path.write_bytes(text.encode(encoding))
    assert read_text(path) == text


def test_binary_file_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(UnreadableFileError, match="binary"):
        read_text(path)


@pytest.mark.parametrize("content", [b"", b"  \n\n \t\n"])
def test_empty_file_is_refused(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError, match="empty"):
        read_text(path)


def test_file_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("лес " * 1000, encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="limit"):
        read_text(path, max_bytes=100)
