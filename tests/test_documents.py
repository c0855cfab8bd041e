"""Documents people keep (PDF, DOCX, ODT, EPUB, RTF, e-mail) indexed by a plain folder run."""

import json
import shutil
import sys

import pytest
from click.testing import CliRunner

from documents import (FIXTURES, FLOODS, FORESTS, PASTURES, docx_bytes, eml_bytes, epub_bytes,
                       odt_bytes, rtf_bytes)
from search import Index
from search.cli import main
from search.ingest.formats import read_blocks
from search.ingest.paragraphs import document_paragraphs


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A folder with one document of each format, indexed by `izde index FOLDER`."""
    root = tmp_path_factory.mktemp("library")
    folder = root / "docs"
    folder.mkdir()
    (folder / "pastures.docx").write_bytes(
        docx_bytes("Жайылымдар туралы", [PASTURES], [["Аудан", "Гектар"], ["Абай", "1200"]]))
    (folder / "forests.odt").write_bytes(odt_bytes("Лесные пожары", [FORESTS]))
    (folder / "book.epub").write_bytes(epub_bytes([("Бірінші тарау", FLOODS),
                                                   ("Вторая глава", "Спасатели вернулись домой.")]))
    (folder / "letter.rtf").write_bytes(rtf_bytes("Таяние снегов ожидается в конце марта."))
    (folder / "news.eml").write_bytes(eml_bytes(
        "Паводки в регионе", "Гидрологи предупреждают о подъёме воды в реках.",
        attachment=("report.docx", docx_bytes("Есеп", ["Көктемгі егіс науқаны басталды."]))))
    shutil.copy(FIXTURES / "kk_pages.pdf", folder / "bulletin.pdf")
    result = CliRunner().invoke(main, ["index", str(folder), "--index", str(root / "index")])
    assert result.exit_code == 0, result.output
    return root, result


def _search(root, query, *options):
    result = CliRunner().invoke(main, ["search", query, "--index", str(root / "index"),
                                       "--json", *options])
    return result.exit_code, json.loads(result.stdout)["hits"] if result.exit_code == 0 else []


def test_a_plain_folder_run_reads_every_format_without_a_warning(library):
    root, result = library
    assert "6 added" in result.output and "0 skipped" in result.output
    assert "warning" not in result.output


@pytest.mark.parametrize("query, file", [
    ("жайылымдар", "pastures.docx"),      # Жайылымдардың, inflected
    ("пожаров", "forests.odt"),
    ("тасқыны", "book.epub"),
    ("таяние снега", "letter.rtf"),
    ("подъём воды", "news.eml"),
    ("егіс науқаны", "news.eml"),         # in the .docx attached to the e-mail
    ("құдықтар", "bulletin.pdf"),
])
def test_an_inflected_query_finds_each_document(library, query, file):
    status, hits = _search(library[0], query)
    assert status == 0 and hits[0]["path"].endswith(file)


def test_a_word_on_page_two_of_a_kazakh_pdf_says_its_page(library):
    root, _ = library
    _status, hits = _search(root, "құдықтар")
    assert hits[0]["page"] == 2
    line = CliRunner().invoke(main, ["search", "құдықтар", "--index", str(root / "index")])
    assert "bulletin.pdf:" in line.output and " p.2 " in line.output
    with Index(root / "index") as index:
        assert index.search("құдықтар")[0].page == 2
        assert index.search("жайылымдар")[0].page is None  # not a PDF


@pytest.mark.parametrize("word", ["fonttbl", "colortbl", "ansicpg1251", "Content-Transfer-Encoding",
                                  "base64", "multipart", "xmlns", "w:t", "officeDocument",
                                  "бюллетень"])  # the PDF's running header
def test_markup_and_page_furniture_are_not_searchable(library, word):
    assert _search(library[0], word)[0] == 1


def test_headings_and_subjects_are_titles_of_the_text_under_them(library):
    root, _ = library
    for query, title in [("жайылымдар", "Жайылымдар туралы"), ("пожаров", "Лесные пожары"),
                         ("подъём воды", "Паводки в регионе"), ("тасқыны", "Бірінші тарау")]:
        assert _search(root, query)[1][0]["title"] == title
    # The title is searched too: "паводки" stands only in the e-mail's subject.
    assert _search(root, "паводки")[1][0]["path"].endswith("news.eml")


def test_izde_check_is_healthy_after_indexing_documents(library):
    root, _ = library
    result = CliRunner().invoke(main, ["check", "--index", str(root / "index")])
    assert result.exit_code == 0, result.output


def test_pdf_words_broken_at_line_ends_are_joined_and_running_headers_dropped():
    blocks = read_blocks((FIXTURES / "kk_pages.pdf").read_bytes(), "bulletin.pdf")
    texts = [block.text for block in blocks]
    assert "Восстановление лесных массивов займёт годы." in texts
    assert not any("бюллетень" in text for text in texts)
    assert [block.page for block in blocks] == [1, 1, 1, 2, 2, 3, 3]
    # Kazakh letters stay inside their words (pypdf split "ғ ы к ө к ө ністер" on such pages).
    assert texts[0].startswith("Жылыжайларда ғылыми көкөністер өсіріледі.")


@pytest.mark.parametrize("damage, reason", [
    (lambda pdf: pdf[: len(pdf) // 2], "damaged"),
    (lambda pdf: b"%PDF-1.4\n" + bytes(range(256)) * 8, "damaged"),
])
def test_a_damaged_pdf_is_one_warning_and_not_drift(corpus, tmp_path, damage, reason):
    (corpus / "broken.pdf").write_bytes(damage((FIXTURES / "kk_pages.pdf").read_bytes()))
    _bad_pdf_is_one_warning_and_not_drift(corpus, tmp_path, "broken.pdf", reason)


@pytest.mark.parametrize("fixture, reason", [("encrypted.pdf", "encrypted"),
                                             ("scanned.pdf", "no text layer")])
def test_encrypted_and_scanned_pdfs_are_one_warning_and_not_drift(corpus, tmp_path, fixture,
                                                                  reason):
    shutil.copy(FIXTURES / fixture, corpus / fixture)
    _bad_pdf_is_one_warning_and_not_drift(corpus, tmp_path, fixture, reason)


def _bad_pdf_is_one_warning_and_not_drift(corpus, tmp_path, name, reason):
    (corpus / "note.txt").write_text(FORESTS, encoding="utf-8")
    index = str(tmp_path / "index")
    result = CliRunner().invoke(main, ["index", str(corpus), "--index", index])
    assert result.exit_code == 0 and "Traceback" not in result.output
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and name in warnings[0] and reason in warnings[0]
    assert "1 added" in result.stdout  # nothing else lost
    assert CliRunner().invoke(main, ["check", "--index", index]).exit_code == 0


def test_an_email_body_in_cp1251_with_a_base64_attachment_reads_as_text():
    raw = eml_bytes("Тема письма", FORESTS, attachment=("note.txt", FLOODS.encode("utf-8")))
    assert b"base64" in raw and FORESTS.encode("cp1251") not in raw  # really encoded
    paragraphs = document_paragraphs(read_blocks(raw, "letter.eml"))
    assert [(p.text, p.title) for p in paragraphs] == [(FORESTS, "Тема письма"),
                                                        (FLOODS, "note.txt")]


def test_a_missing_reader_library_skips_the_file_naming_the_extra(corpus, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "striprtf.striprtf", None)  # as if not installed
    (corpus / "letter.rtf").write_bytes(rtf_bytes(FORESTS))
    report = Index(tmp_path / "index").update([corpus])
    assert len(report.skipped) == 1 and "izde[documents]" in report.skipped[0][1]
    monkeypatch.delitem(sys.modules, "striprtf.striprtf")
    # Installed later: the next update reads it, although the file did not change.
    with Index(tmp_path / "index") as index:
        assert index.update([corpus]).added == 1


def test_a_damaged_docx_is_skipped_with_its_reason(corpus, tmp_path):
    (corpus / "report.docx").write_bytes(docx_bytes("Есеп", [PASTURES])[:500])
    report = Index(tmp_path / "index").update([corpus])
    assert report.skipped and "damaged" in report.skipped[0][1]


@pytest.mark.parametrize("name, content", [
    ("news.txt", "\n\nЛесные пожары в Абае\nСпасатели потушили пожар к утру.\nВторой абзац."),
    ("note.md", "# Лесные пожары в Абае\n\nСпасатели потушили пожар к утру.\n\nВторой абзац."),
    ("page.html", "<html><head><title>Лесные пожары в Абае | Новости</title></head><body>"
                  "<h1>Лесные пожары в Абае</h1><p>Спасатели потушили пожар к утру.</p>"
                  "<p>Второй абзац.</p></body></html>"),
])
def test_the_title_line_or_heading_titles_the_paragraphs_under_it(name, content):
    paragraphs = document_paragraphs(read_blocks(content.encode("utf-8"), name))
    assert [(p.number, p.text, p.title) for p in paragraphs][-2:] == [
        (paragraphs[-2].number, "Спасатели потушили пожар к утру.", "Лесные пожары в Абае"),
        (paragraphs[-1].number, "Второй абзац.", "Лесные пожары в Абае")]
    assert not any(p.text.startswith("Лесные пожары") for p in paragraphs)


def test_a_first_line_that_ends_a_sentence_is_not_a_title():
    text = "Первая строка.\nВторая строка."
    paragraphs = document_paragraphs(read_blocks(text.encode(), "a.txt"))
    assert [(p.number, p.title) for p in paragraphs] == [(1, None), (2, None)]


def test_a_title_is_searched_with_the_paragraphs_under_it(corpus, tmp_path):
    (corpus / "news.txt").write_text("Паводки в Атырау\n\nВода поднялась на два метра.\n",
                                     encoding="utf-8")
    with Index(tmp_path / "index") as index:
        index.update([corpus])
        hit = index.search("паводки")[0]
        assert (hit.paragraph, hit.text, hit.title) == (2, "Вода поднялась на два метра.",
                                                        "Паводки в Атырау")


def test_running_headers_and_numbered_footers_go_but_the_same_words_inside_a_page_stay():
    from search.ingest.formats.pdf import page_blocks

    # Body lines at the page edges differ in a number too, but not as the page does.
    pages = [["Есеп 2025", f"Мәтін {n * 7}-бет.", f"Жайылымдар {n} туралы.", "Тағы бір абзац.",
              f"Соңғы {n * n}.", f"Бет {n} / 4"] for n in range(1, 5)]
    pages[1][3] = "Есеп 2025"  # the header's words inside a page's text, not at its edge
    texts = [(block.text, block.page) for block in page_blocks(pages)]
    assert ("Есеп 2025", 2) in texts
    assert [text for text, page in texts if page == 1] == [
        "Мәтін 7-бет.", "Жайылымдар 1 туралы.", "Тағы бір абзац.", "Соңғы 1."]


def test_an_mbox_reads_every_message_under_its_own_subject():
    one = eml_bytes("Бірінші хат", "Паводок прошёл без потерь.")
    two = eml_bytes("Второе письмо", FORESTS)
    mbox = b"From a@example.kz Mon Mar  3 10:00:00 2025\n" + one + \
        b"\nFrom b@example.kz Tue Mar  4 10:00:00 2025\n" + two
    paragraphs = document_paragraphs(read_blocks(mbox, "inbox.mbox"))
    assert [(p.text, p.title) for p in paragraphs] == [
        ("Паводок прошёл без потерь.", "Бірінші хат"), (FORESTS, "Второе письмо")]


def test_a_pdf_protected_only_against_editing_is_read():
    blocks = read_blocks((FIXTURES / "owner_only.pdf").read_bytes(), "protected.pdf")
    assert any("құдықтар" in block.text for block in blocks)


def test_kazakh_letters_in_rtf_unicode_escapes_are_read():
    data = rtf_bytes(PASTURES)
    assert b"\\u1179?" in data  # қ, which cp1251 lacks
    assert [block.text for block in read_blocks(data, "note.rtf")] == [PASTURES]
