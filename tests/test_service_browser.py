"""The search page in a real headless chromium, against a real uvicorn server."""

import shutil
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

pytest.importorskip("uvicorn", reason="the serve extra is not installed")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("chromium and chromium-driver are not installed "
                "(apt-get install chromium chromium-driver)", allow_module_level=True)

from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as ready  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from tests.service_server import running_server  # noqa: E402


@pytest.fixture(scope="module")
def server(seeds_index):
    with running_server(seeds_index.path) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1200,900", "--lang=en"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER),
                              options=options)
    yield driver
    driver.quit()


def _wait(browser, seconds=20):
    # Results are redrawn as the user types: an element read mid-redraw is stale, not wrong.
    return WebDriverWait(browser, seconds, ignored_exceptions=(StaleElementReferenceException,))


def test_typing_without_kazakh_letters_marks_the_kazakh_word_and_opens_its_context(server, browser):
    browser.get(server + "/")
    box = _wait(browser).until(ready.element_to_be_clickable((By.ID, "q")))
    box.send_keys("казактелеком")
    first = _wait(browser).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#hits .hit")))
    _wait(browser).until(lambda b: "<mark>Қазақтелеком</mark>" in
                         b.find_element(By.ID, "hits").get_attribute("innerHTML"))
    assert "казактелеком" in browser.current_url or quote("казактелеком") in browser.current_url
    assert "searched for: казактелеком | қазақтелеком" in browser.find_element(By.ID, "notes").text

    first = browser.find_element(By.CSS_SELECTOR, "#hits .hit")
    location = first.find_element(By.CSS_SELECTOR, ".path").text  # …/file.txt:N
    first.click()
    current = _wait(browser).until(
        ready.visibility_of_element_located((By.CSS_SELECTOR, "#context .para.current")))
    assert "Қазақтелеком" in current.text
    assert current.find_element(By.TAG_NAME, "mark").text == "Қазақтелеком"
    assert location.rsplit(":", 1)[1] == current.find_element(By.CSS_SELECTOR, ".n").text
    assert browser.find_elements(By.CSS_SELECTOR, "#context .para:not(.current)")  # neighbours
    browser.find_element(By.ID, "ctx-close").click()
    _wait(browser).until(ready.invisibility_of_element_located((By.ID, "context")))


def test_a_shared_link_shows_results_and_the_keyboard_opens_a_hit(server, browser):
    browser.get(server + "/?q=" + quote("su tasqyny"))
    _wait(browser).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#hits .hit")))
    hits = browser.find_elements(By.CSS_SELECTOR, "#hits .hit")
    assert "003_39e129c5cc536c5f.txt:15" in hits[0].find_element(By.CSS_SELECTOR, ".path").text
    assert browser.find_element(By.ID, "q").get_attribute("value") == "su tasqyny"
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_DOWN)
    body.send_keys(Keys.ENTER)
    current = _wait(browser).until(
        ready.visibility_of_element_located((By.CSS_SELECTOR, "#context .para.current")))
    assert current.find_element(By.CSS_SELECTOR, ".n").text == "15"


def test_language_filter_and_interface_language(server, browser):
    browser.get(server + "/?q=" + quote("Абай"))
    _wait(browser).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#hits .hit")))
    browser.find_element(By.CSS_SELECTOR, '[data-lang="ru"]').click()
    _wait(browser).until(lambda b: "lang=ru" in b.current_url)
    _wait(browser).until(lambda b: {e.text for e in b.find_elements(By.CSS_SELECTOR, "#hits .badge")}
                         == {"RU"})
    browser.find_element(By.CSS_SELECTOR, '[data-ui="kk"]').click()
    assert browser.find_element(By.CSS_SELECTOR, '[data-lang=""]').text == "Барлығы"
