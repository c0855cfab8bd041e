from hypothesis import given, strategies as st

from search.ingest import paragraphs
from search.ingest.paragraphs import content_paragraphs, is_debris, split_paragraphs
from search.ingest.reading import read_text

from conftest import SEEDS


def test_blank_line_layout_splits_at_blank_lines_and_line_breaks():
    text = "Title\n\nFirst paragraph.\n\nPrevious news\nA headline of the next item\n"
    assert split_paragraphs(text) == ["Title", "First paragraph.", "Previous news",
                                      "A headline of the next item"]


def test_one_paragraph_per_line_layout():
    text = "Су тасқыны кезеңіне дайындық.\nЖалпы дайындық жұмыстары жүргізілуде.\n"
    assert len(split_paragraphs(text)) == 2


def test_soft_wrapped_lines_are_joined():
    text = "Лесные пожары в области Абай\nуничтожили сотни гектаров.\n\nДругой абзац."
    assert split_paragraphs(text) == [
        "Лесные пожары в области Абай уничтожили сотни гектаров.", "Другой абзац."]


def test_list_items_stay_separate():
    text = "- денсаулық сақтау нысандары - 4 570;\n- білім беру нысандары - 9 083;"
    assert len(split_paragraphs(text)) == 2


def test_paragraph_numbers_count_debris_so_they_point_into_the_file():
    text = "VK X OK WhatsApp Telegram\n\nЛесные пожары потушены.\n"
    assert [(p.number, p.text) for p in content_paragraphs(text)] == [(2, "Лесные пожары потушены.")]


def test_page_furniture_is_debris():
    for line in ["VK X OK WhatsApp Telegram", "16:40", "0", "04.03.2026, 15:23 14181",
                 "Ваша реакция?", "Не нравится", "Предыдущая новость", "Читайте также:",
                 "Достарға айту",
                 "Мы используем файлы cookie, чтобы обеспечить вам наилучший опыт на сайте."]:
        assert is_debris(line), line


def test_short_real_paragraphs_are_not_debris():
    for line in ["Участники обсуждали существующие экологические вызовы региона",
                 "Приглашение на саммит", "Су тасқыны", "Forest fires"]:
        assert not is_debris(line), line


def test_a_line_repeated_under_every_article_is_dropped_from_the_seeds():
    kept = [p.text for p in content_paragraphs(read_text(SEEDS / "003_39e129c5cc536c5f.txt"))]
    assert not any(text.startswith("Ақпаратты пайдаланған жағдайда") for text in kept)
    assert any(text.startswith("Су тасқыны кезеңіне дайындық") for text in kept)


def test_seed_debris_is_not_indexed_but_content_is():
    kept = [p.text for p in content_paragraphs(read_text(SEEDS / "004_d1f5b6aece9da487.txt"))]
    assert "16:40" not in kept and "Нравится" not in kept
    assert "Казахстан и Южная Корея укрепляют партнерство в сфере умных городов" in kept


def _debris_as_first_written(text: str) -> bool:
    # is_debris before it stopped at the first words that settle it: every word found.
    words = list(map(str.lower, paragraphs._WORD.findall(text)))
    if max(map(len, words), default=0) < 2:
        return True
    if paragraphs.DEBRIS_WORDS.issuperset(words):
        return True
    return len(words) <= 60 and paragraphs._COOKIE_BANNER.search(text) is not None


_DEBRIS_PIECES = ["VK", "ok", "Поделиться", "16:40", "x", "İ", "ı", "Cookies", "COOKIE",
                  "куки", "КУКИ", "файлы cookie", "cookied", "Су", "тасқыны", "a", "7", " ",
                  ", ", "-", "\n", "Нравится"]


@given(st.lists(st.sampled_from(_DEBRIS_PIECES), max_size=70).map(" ".join))
def test_debris_is_told_as_when_every_word_was_found(text):
    assert is_debris(text) == _debris_as_first_written(text)


def test_seed_paragraphs_are_told_debris_as_when_every_word_was_found():
    for seed in sorted(SEEDS.glob("*.txt")):
        for _, text in paragraphs.paragraphs_with_lines(read_text(seed)):
            assert is_debris(text) == _debris_as_first_written(text), text
