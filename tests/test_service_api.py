"""The HTTP API through Starlette's test client: what a script or the page gets back."""

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the serve extra is not installed")
pytest.importorskip("httpx2", reason="httpx2 (Starlette's test client) is not installed")
from starlette.testclient import TestClient  # noqa: E402

from search import Index  # noqa: E402
from search.service.app import ServiceConfig, create_app  # noqa: E402
from tests.conftest import FOREST_SEED, KAZAKH_SEED, SEEDS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def api(seeds_index):
    with TestClient(create_app(ServiceConfig(index=str(seeds_index.path)))) as client:
        yield client


def test_kazakh_typed_in_latin_tops_the_flood_paragraph(api):
    body = api.get("/api/search", params={"q": "su tasqyny"}).json()
    assert Path(body["hits"][0]["path"]).name == KAZAKH_SEED
    assert body["hits"][0]["paragraph"] == 15
    assert body["searched_for"] == ["su tasqyny", "су тасқыны"]
    assert body["total"] >= len(body["hits"]) > 0
    assert body["took_ms"] >= 0


def test_search_answers_exactly_what_the_cli_prints(api, seeds_index):
    printed = subprocess.run(
        [sys.executable, "-m", "search.cli", "search", "су тасқыны", "--json", "--limit", "3",
         "--index", str(seeds_index.path)], cwd=ROOT, capture_output=True, text=True, check=True)
    body = api.get("/api/search", params={"q": "су тасқыны", "limit": 3}).json()
    assert body.pop("took_ms") >= 0 and body.pop("total") >= 3
    assert body == json.loads(printed.stdout)


def test_pages_continue_one_another_and_total_counts_every_match(api):
    whole = api.get("/api/search", params={"q": "облыс", "limit": 6}).json()
    first = api.get("/api/search", params={"q": "облыс", "limit": 3}).json()
    second = api.get("/api/search", params={"q": "облыс", "limit": 3, "offset": 3}).json()
    assert first["hits"] + second["hits"] == whole["hits"]
    assert first["total"] == second["total"] == whole["total"] > 6
    with Index(api.app.state.service.index_path) as index:
        assert whole["total"] == len(index.search("облыс", limit=1000))


def test_language_filter(api):
    body = api.get("/api/search", params={"q": "Абай", "lang": "ru"}).json()
    assert body["hits"] and {hit["lang"] for hit in body["hits"]} == {"ru"}


@pytest.mark.parametrize("method, url, status", [
    ("GET", "/api/search", 400),
    ("GET", "/api/search?q=%20%20", 400),
    ("GET", '/api/search?q="прямые рейсы AND Алматы', 400),
    ("GET", "/api/search?q=(Сеул OR Алматы", 400),
    ("GET", "/api/search?q=" + "су " * 700, 413),
    ("GET", "/api/search?q=су&limit=ten", 422),
    ("GET", "/api/search?q=су&limit=0", 422),
    ("GET", "/api/search?q=су&limit=1000", 422),
    ("GET", "/api/search?q=су&offset=-1", 422),
    ("GET", "/api/search?q=су&lang=de", 422),
    ("GET", "/api/suggest", 400),
    ("GET", "/api/paragraph?paragraph=1", 400),
    ("GET", "/api/paragraph?path=x&paragraph=first", 422),
    ("GET", "/api/paragraph?path=/etc/passwd&paragraph=1", 404),
    ("GET", "/api/paragraph?path=../../../etc/passwd&paragraph=1", 404),
    ("GET", "/api/nothing-here", 404),
    ("POST", "/api/search?q=су", 405),
    ("POST", "/api/update", 404),  # exists only with a token
])
def test_bad_requests_get_a_one_line_json_error(api, method, url, status):
    response = api.request(method, url)
    assert response.status_code == status
    error = response.json()["error"]
    assert error and "\n" not in error and "Traceback" not in error


def test_a_paragraph_outside_the_index_is_never_read(api):
    secret = ROOT / "pyproject.toml"
    response = api.get("/api/paragraph", params={"path": str(secret), "paragraph": 1})
    assert response.status_code == 404
    assert "whoosh" not in response.text


def test_a_hit_opens_with_its_neighbours(api):
    hit = api.get("/api/search", params={"q": "su tasqyny", "limit": 1}).json()["hits"][0]
    body = api.get("/api/paragraph", params={"path": hit["path"], "paragraph": hit["paragraph"],
                                             "context": 2}).json()
    assert body["text"] == hit["text"] and body["paragraph"] == 15
    assert len(body["before"]) == len(body["after"]) == 2
    assert [p["paragraph"] for p in body["before"]] == sorted(p["paragraph"] for p in body["before"])
    assert body["before"][-1]["paragraph"] < 15 < body["after"][0]["paragraph"]
    alone = api.get("/api/paragraph", params={"path": hit["path"], "paragraph": 15,
                                              "context": 0}).json()
    assert alone["before"] == alone["after"] == []
    missing = api.get("/api/paragraph", params={"path": hit["path"], "paragraph": 100000})
    assert missing.status_code == 404


@pytest.mark.parametrize("typed, expected", [
    ("казактелек", "қазақтелеком"),      # Kazakh letters restored as search does
    ("su tasq", "су тасқыны"),           # Kazakh Latin
    ("лесн", "лесных"),
])
def test_suggestions_complete_the_last_word_from_the_index(api, typed, expected):
    suggestions = api.get("/api/suggest", params={"q": typed}).json()["suggestions"]
    assert expected in suggestions and len(suggestions) <= 10


def test_health_counts_the_index(api):
    body = api.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["files"] == 5 and body["paragraphs"] > 100
    assert body["updated_at"].endswith("+00:00") and body["rss_bytes"] > 0


def test_the_page_is_self_contained(api):
    response = api.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert 'id="q"' in page
    # Works offline: nothing is fetched from another host.
    assert 'src="http' not in page and 'href="http' not in page and "@import" not in page


def test_without_an_index_every_endpoint_answers_503(tmp_path):
    with TestClient(create_app(ServiceConfig(index=str(tmp_path / "none")))) as client:
        for url in ("/api/search?q=су", "/api/suggest?q=су", "/api/health",
                    "/api/paragraph?path=x&paragraph=1"):
            response = client.get(url)
            assert response.status_code == 503, url
            assert "izde index" in response.json()["error"]
        assert client.get("/api/health").json()["status"] == "unavailable"
        assert client.get("/").status_code == 200


def test_an_unexpected_failure_is_a_500_without_traceback(seeds_index, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    app = create_app(ServiceConfig(index=str(seeds_index.path)))
    with TestClient(app, raise_server_exceptions=False) as client:
        monkeypatch.setattr(Index, "search", broken)
        response = client.get("/api/search", params={"q": "су"})
    assert response.status_code == 500
    assert response.json() == {"error": "internal error; the server log has the details"}


def _small_corpus(folder: Path) -> Path:
    docs = folder / "docs"
    docs.mkdir()
    for name in (KAZAKH_SEED, FOREST_SEED):
        shutil.copy(SEEDS / name, docs / name)
    return docs


def test_a_token_guards_the_api_but_not_the_page(tmp_path):
    docs = _small_corpus(tmp_path)
    with Index(tmp_path / "index") as index:
        index.update([docs])
    config = ServiceConfig(index=str(tmp_path / "index"), token="s3cret")
    with TestClient(create_app(config)) as client:
        assert client.get("/").status_code == 200
        assert client.get("/api/health").status_code == 401
        wrong = client.get("/api/health", headers={"Authorization": "Bearer guess"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        assert "token" in wrong.json()["error"]
        auth = {"Authorization": "Bearer s3cret"}
        assert client.get("/api/health", headers=auth).status_code == 200
        assert client.post("/api/update").status_code == 401

        (docs / "new.txt").write_text("Жаңа құжат: мұзарт туралы хабар.\n", encoding="utf-8")
        report = client.post("/api/update", headers=auth).json()
        assert report["added"] == 1
        found = client.get("/api/search", params={"q": "мұзарт"}, headers=auth).json()
        assert Path(found["hits"][0]["path"]).name == "new.txt"

        service = client.app.state.service
        service._updating.acquire()  # another update is running
        try:
            busy = client.post("/api/update", headers=auth)
        finally:
            service._updating.release()
        assert busy.status_code == 409 and "already running" in busy.json()["error"]


def test_the_server_sees_another_process_commit_without_restart(tmp_path):
    docs = _small_corpus(tmp_path)
    index_dir = tmp_path / "index"
    with Index(index_dir) as index:
        index.update([docs])
    with TestClient(create_app(ServiceConfig(index=str(index_dir)))) as client:
        assert client.get("/api/search", params={"q": "мұзарт"}).json()["hits"] == []
        (docs / "later.txt").write_text("Мұзарт шыңы туралы жаңа мақала.\n", encoding="utf-8")
        subprocess.run([sys.executable, "-m", "search.cli", "index", str(docs),
                        "--index", str(index_dir)], cwd=ROOT, check=True, capture_output=True)
        hits = client.get("/api/search", params={"q": "мұзарт"}).json()["hits"]
        assert [Path(hit["path"]).name for hit in hits] == ["later.txt"]
        assert client.get("/api/health").json()["files"] == 3


def test_searches_during_a_rebuild_answer_from_the_old_or_new_index(tmp_path):
    docs = _small_corpus(tmp_path)
    index_dir = tmp_path / "index"
    with Index(index_dir) as index:
        index.update([docs])
    statuses, stop = [], threading.Event()
    with TestClient(create_app(ServiceConfig(index=str(index_dir)))) as client:
        def keep_searching():
            while not stop.is_set():
                response = client.get("/api/search", params={"q": "су тасқыны"})
                statuses.append((response.status_code, bool(response.json().get("hits"))))

        searchers = [threading.Thread(target=keep_searching) for _ in range(3)]
        for thread in searchers:
            thread.start()
        try:
            with Index(index_dir) as writer:
                for _ in range(3):
                    writer.update([docs], rebuild=True)
        finally:
            stop.set()
            for thread in searchers:
                thread.join()
    assert statuses and set(statuses) == {(200, True)}


def test_serving_beyond_loopback_requires_a_token():
    result = subprocess.run([sys.executable, "-m", "search.cli", "serve", "--host", "0.0.0.0"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--token" in result.stderr and "Traceback" not in result.stderr
