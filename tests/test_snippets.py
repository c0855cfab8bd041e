from analyzers import analyzer_for
from search.snippets import make_snippet

LONG = ("Проект реализуется в рамках международной инициативы и включает три направления. " * 4
        + "Профилактика лесных пожаров и восстановление лесов в области Абай. "
        + "Завершение проекта намечено на конец 2027 года. " * 4)


def test_matched_word_forms_are_marked_through_morphology():
    text = "Опыт специалистов Кореи применят при восстановлении лесов в области Абай"
    snippet = make_snippet(text, {"лес"}, analyzer_for("ru"))
    assert snippet.matches == ["лесов"]
    assert "**лесов**" in snippet.render()


def test_short_paragraph_is_shown_whole():
    text = "Су тасқыны кезеңіне дайындық шеңберінде іс-шаралар жүргізілді."
    snippet = make_snippet(text, {"су"}, analyzer_for("kk"))
    assert snippet.render("", "") == text


def test_long_paragraph_shows_the_passage_with_the_matches():
    snippet = make_snippet(LONG, {"пожар"}, analyzer_for("ru"))
    plain = snippet.render("", "")
    assert "пожаров" in plain and len(plain) < len(LONG) and "…" in plain


def test_snippet_without_matches_is_the_start_of_the_paragraph():
    snippet = make_snippet(LONG, {"несуществующий"}, analyzer_for("ru"))
    assert snippet.matches == [] and snippet.render().startswith("Проект реализуется")
