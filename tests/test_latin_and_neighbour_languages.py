"""Latin-script Kazakh is found in Cyrillic; Cyrillic text of neighbour languages is not Kazakh."""

import pytest

from analyzers import detect_language
from analyzers.kk.latin import latin_to_cyrillic
from search import Index

LATIN_NEWS = ("Qazaqstanda topyraq eroziiasy auyl şaruaşylyğyna ülken zian keltıredı. "
              "Ekologtar ormandardy qorğau jäne jaiylymdardy qalpyna keltıru üşın "
              "jaña bağdarlama ūsyndy.")
UKRAINIAN = ("Лісові пожежі знищили сотні гектарів у Київській області, повідомили в ДСНС. "
             "Рятувальники працювали всю ніч.")
KYRGYZ = ("Кыргызстандын борбору Бишкек шаарында жаңы мектеп ачылды жана окуучулар үчүн "
          "китепкана курулду.")
CYRILLIC_KAZAKH = "Топырақ эрозиясы егістік жерлердің құнарлылығын төмендетеді."


@pytest.mark.parametrize("text", [
    UKRAINIAN,
    "Уряд ухвалив нові правила для шкіл і університетів після тривалого обговорення.",
    "Лясныя пажары знішчылі сотні гектараў у Гомельскай вобласці, паведамілі ў МНС.",
    KYRGYZ,
    "Татарстан Республикасы башкаласы Казан шәһәрендә яңа мәктәп ачылды һәм укучылар "
    "өчен китапханә төзелде.",
    "Башҡортостан Республикаһының башҡалаһы Өфө ҡалаһында яңы мәктәп асылды.",
    "Ўзбекистон Республикаси пойтахти Тошкент шаҳрида янги мактаб очилди.",
])
def test_neighbour_cyrillic_languages_are_other_not_kazakh(text):
    assert detect_language(text) == "other"


@pytest.mark.parametrize("text, lang", [
    (LATIN_NEWS, "kk"),
    ("Qazaqstan Respublikasynyñ astanasy Astana qalasynda jaña mektep aşyldy.", "kk"),
    ("Qatar Airways resumed flights to Astana in the Republic of Kazakhstan.", "en"),
    ("Türkiye Cumhuriyeti'nin başkenti Ankara'da yeni bir okul açıldı.", "en"),
    # names with q, ñ, ö in a short English paragraph are names, not Kazakh letters
    ("Iraq and Qatar signed the deal.", "en"),
    ("Tariq Aziz of Iraq", "en"),
    ("El Niño and La Niña affect Peña", "en"),
    ("Schrödinger and Gödel met in Qingdao", "en"),
    ("Qazaqstan jañalyqtary", "kk"),
    # one quoted Ukrainian name does not make a Russian paragraph Ukrainian
    ("Делегация посетила Київ и провела переговоры с коллегами из Украины.", "ru"),
    # a Kazakh heading with the abbreviation ғ. (ғасыр) stays Kazakh
    ("=== Сарматтар (б.з.д. VII ғ.-б.з. IV ғ.) ===", "kk"),
])
def test_latin_kazakh_is_kazakh_and_names_do_not_mislead(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("latin, cyrillic", [
    # Russian loans keep Э at the start; native е-words and ел/ер compounds keep Е
    ("topyraq eroziiasy", "топырақ эрозиясы"), ("ekologiia", "экология"),
    ("ekonomikasy", "экономикасы"), ("eksport", "экспорт"), ("elektr", "электр"),
    ("energiia", "энергия"), ("etap", "этап"),
    ("eseptı", "есепті"), ("ekınşı", "екінші"), ("eñbek", "еңбек"), ("erte", "ерте"),
    ("Elorda", "Елорда"), ("Elbasy", "Елбасы"), ("Ekıbastūz", "Екібастұз"),
    # ia after a consonant is и+а; я after a vowel or и, and at the start
    ("material", "материал"), ("milliard", "миллиард"), ("Aziia", "Азия"),
    ("aiaq", "аяқ"), ("iadro", "ядро"),
    # т+с and ы+а across morphemes are not ц and я
    ("aitsaq", "айтсақ"), ("Saryarqa", "Сарыарқа"),
])
def test_2021_latin_gaps_measured_on_the_collection(latin, cyrillic):
    assert latin_to_cyrillic(latin) == cyrillic


@pytest.fixture(scope="module")
def folder_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("neighbours")
    docs = root / "docs"
    docs.mkdir()
    (docs / "latin_news.txt").write_text(LATIN_NEWS, encoding="utf-8")
    (docs / "ukrainian.txt").write_text(UKRAINIAN, encoding="utf-8")
    (docs / "kyrgyz.txt").write_text(KYRGYZ, encoding="utf-8")
    (docs / "cyrillic.txt").write_text(CYRILLIC_KAZAKH, encoding="utf-8")
    index = Index(root / "index")
    index.update([docs])
    yield index
    index.close()


def _paths(hits):
    return [hit.path.rsplit("/", 1)[-1] for hit in hits]


def test_latin_kazakh_news_is_found_by_cyrillic_words(folder_index):
    hits = folder_index.search("ормандарды қорғау бағдарламасы")
    assert _paths(hits)[:1] == ["latin_news.txt"]
    hit = hits[0]
    assert hit.lang == "kk"
    assert hit.text == LATIN_NEWS  # shown as written
    # the Latin words the Cyrillic query matched are the ones marked
    assert set(hit.highlighted.matches) == {"ormandardy", "qorğau", "bağdarlama"}


def test_topyraq_eroziiasy_finds_cyrillic_эрозия(folder_index):
    hits = folder_index.search("topyraq eroziiasy")
    assert {"cyrillic.txt", "latin_news.txt"} <= set(_paths(hits))


def test_ukrainian_and_kyrgyz_paragraphs_are_other_and_searchable_as_written(folder_index):
    hits = {path: hit for path, hit in zip(_paths(folder_index.search("пожежі")),
                                            folder_index.search("пожежі"))}
    assert hits["ukrainian.txt"].lang == "other"
    assert hits["ukrainian.txt"].highlighted.matches == ["пожежі"]
    other = folder_index.search("мектеп", lang="other")
    assert _paths(other) == ["kyrgyz.txt"]
    assert folder_index.stats().languages["other"] == 2
