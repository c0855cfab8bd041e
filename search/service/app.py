"""The HTTP API and the search page, as a Starlette ASGI application.

    GET  /                  the search page (one self-contained HTML file)
    GET  /api/search        q, limit, offset, lang, semantic: what `izde search --json`
                            prints, plus ``total`` (paragraphs matched) and ``took_ms``;
                            semantic=0 ranks by words alone on an index with embeddings
                            (as `--no-semantic`), semantic=1 insists on hybrid ranking
    GET  /api/suggest       q: completions of its last word from the index's words
    GET  /api/paragraph     path, paragraph, context: an indexed paragraph and neighbours
    GET  /api/health        counts, last update; 503 while there is no index
    POST /api/update        reindex the served folders (only with a token)

Errors are JSON ``{"error": "one line"}`` with a 4xx status; an unexpected
failure is a 500 ``{"error": ...}`` without a traceback (that goes to the log).
Endpoints are plain functions: Starlette runs them in its thread pool, so
searches run in parallel, each on a reader of its own (:mod:`search.service.pool`).

    >>> app = create_app(ServiceConfig(index="index"))   # uvicorn.run(app)
"""

import hmac
import json
import logging
import os
import threading
import time
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from analyzers import LANGUAGES
from search import (CorruptIndexError, Index, IndexLockedError, IndexNotFoundError, IzdeError,
                    PathNotFoundError, QuerySyntaxError)
from search.hits import search_response
from search.cluster.layout import CLUSTER_MANIFEST
from search.ingest.manifest import MANIFEST_NAME
from search.highlight.context import paragraph_in_context
from search.service.pool import IndexPool
from search.query.suggest import completions

log = logging.getLogger("izde.serve")

MAX_QUERY_CHARS = 2_000
MAX_LIMIT = 100
# Like Elasticsearch's max_result_window: deep pages cost as much as all pages before them.
MAX_WINDOW = 10_000
MAX_CONTEXT = 10
CONFIG_ENV = "IZDE_SERVE_CONFIG"  # how `--workers N` passes the configuration to each worker


@dataclass(frozen=True)
class ServiceConfig:
    index: str = "index"
    token: str | None = None
    roots: tuple[str, ...] = ()  # what POST /api/update reindexes (default: the indexed folders)
    readers: int = 4  # index readers, so that many searches at once


class ApiError(Exception):
    """A request the API refuses: HTTP ``status`` and a one-line message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def create_app(config: ServiceConfig) -> Starlette:
    service = SearchService(config)
    routes = [Route("/", service.page), Route("/api/search", service.search),
              Route("/api/suggest", service.suggest), Route("/api/paragraph", service.paragraph),
              Route("/api/health", service.health)]
    if config.token:
        routes.append(Route("/api/update", service.update, methods=["POST"]))
    app = Starlette(routes=routes, exception_handlers={
        ApiError: _api_error, HTTPException: _http_error, Exception: _internal_error},
        lifespan=service.lifespan)
    app.state.service = service
    return BearerToken(app, config.token) if config.token else app


def app_from_environment() -> Starlette:
    """The app of one `--workers` process, configured by the parent through ``CONFIG_ENV``."""
    settings = json.loads(os.environ[CONFIG_ENV])
    settings["roots"] = tuple(settings.get("roots") or ())
    return create_app(ServiceConfig(**settings))


def config_environment(config: ServiceConfig) -> str:
    return json.dumps(asdict(config))


class SearchService:
    def __init__(self, config: ServiceConfig):
        self.config = config
        self.index_path = Path(config.index)
        self.pool = IndexPool(self.index_path, config.readers)
        self._updating = threading.Lock()
        self._page = resources.files("search.service").joinpath("page.html").read_text("utf-8")

    def close(self) -> None:
        self.pool.close()

    @asynccontextmanager
    async def lifespan(self, app):
        await run_in_threadpool(self.warm_up)
        yield
        self.close()

    def warm_up(self) -> None:
        """One search before the first request: loads the morphology dictionaries and the
        Kazakh lexicon (~0.4 s) so that no user waits for them."""
        try:
            self.pool.read(lambda index: index.search("су лес water", limit=1))
        except IzdeError:
            pass  # no index yet: the first request after `izde index` pays instead

    # -- endpoints (run in Starlette's thread pool) --------------------------------

    def page(self, request: Request):
        return HTMLResponse(self._page, headers={"Cache-Control": "no-cache"})

    def search(self, request: Request):
        params = request.query_params
        query = _query_param(params)
        limit = _int_param(params, "limit", 10, 1, MAX_LIMIT)
        offset = _int_param(params, "offset", 0, 0, MAX_WINDOW - limit)
        lang = params.get("lang") or None
        if lang is not None and lang not in LANGUAGES:
            raise ApiError(422, f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
        semantic = _switch_param(params, "semantic")
        started = time.perf_counter()
        hits = self._read(lambda index: index.search(query, limit=offset + limit, lang=lang,
                                                     semantic=semantic))
        response = search_response(query, hits)
        response["hits"] = response["hits"][offset:]
        response["total"] = hits.total
        response["took_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return JSONResponse(response)

    def suggest(self, request: Request):
        query = _query_param(request.query_params)
        found = self._read(lambda index: completions(index.searcher().reader(), query))
        return JSONResponse({"query": query, "suggestions": found})

    def paragraph(self, request: Request):
        params = request.query_params
        path = params.get("path")
        if not path:
            raise ApiError(400, "missing path: a hit's path, as /api/search returns it")
        number = _int_param(params, "paragraph", None, 1, 10**9)
        context = _int_param(params, "context", 2, 0, MAX_CONTEXT)
        # Read from the index's stored paragraphs: a path that is not indexed is
        # a 404 and no file is ever opened, whatever the path says.
        return JSONResponse(self._read(
            lambda index: paragraph_in_context(index.searcher(), path, number, context)))

    def health(self, request: Request):
        try:
            stats = self._read(lambda index: index.stats())
        except ApiError as error:
            return JSONResponse({"status": "unavailable", "error": str(error)}, error.status)
        manifest = self.index_path / MANIFEST_NAME
        if not manifest.exists():  # a sharded index: its manifest is rewritten at each update
            manifest = self.index_path / CLUSTER_MANIFEST
        updated = datetime.fromtimestamp(manifest.stat().st_mtime, timezone.utc)
        return JSONResponse({"status": "ok", "index": str(self.index_path), **stats.as_dict(),
                             "updated_at": updated.isoformat(timespec="seconds"),
                             "pid": os.getpid(), "rss_bytes": _rss_bytes()})

    def update(self, request: Request):
        if not self._updating.acquire(blocking=False):
            raise ApiError(409, "an update is already running; try again when it finishes")
        try:
            with Index(self.index_path) as index:
                roots = list(self.config.roots) or index.indexed_roots()
                if not roots:
                    raise ApiError(409, "no folders to update: the index holds none; "
                                        "run `izde index PATHS` first")
                report = index.update(roots)
        except IndexLockedError as error:
            raise ApiError(409, str(error)) from None
        finally:
            self._updating.release()
        return JSONResponse(report.as_dict())

    def _read(self, task):
        """``task(index)`` on a pooled reader, the library's errors as API errors."""
        try:
            return self.pool.read(task)
        except QuerySyntaxError as error:
            raise ApiError(400, str(error)) from None
        except PathNotFoundError as error:
            raise ApiError(404, str(error)) from None
        except (IndexNotFoundError, CorruptIndexError) as error:
            raise ApiError(503, str(error)) from None
        except IzdeError as error:
            raise ApiError(400, str(error)) from None


def _query_param(params) -> str:
    query = params.get("q")
    if query is None or not query.strip():
        raise ApiError(400, "missing q: the text to search for, as in /api/search?q=су+тасқыны")
    if len(query) > MAX_QUERY_CHARS:
        raise ApiError(413, f"the query is {len(query):,} characters long; "
                            f"at most {MAX_QUERY_CHARS:,} are accepted")
    return query


def _switch_param(params, name: str) -> bool | None:
    """An on/off parameter: 1/true/yes/on, 0/false/no/off; absent: None (the index decides)."""
    text = params.get(name)
    if text is None or text == "":
        return None
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ApiError(422, f"{name} must be 0 or 1, not {text[:40]!r}")


def _int_param(params, name: str, default: int | None, low: int, high: int) -> int:
    text = params.get(name)
    if text is None or text == "":
        if default is None:
            raise ApiError(400, f"missing {name}: a whole number")
        return default
    try:
        value = int(text)
    except ValueError:
        raise ApiError(422, f"{name} must be a whole number, not {text[:40]!r}") from None
    if not low <= value <= high:
        raise ApiError(422, f"{name} must be between {low:,} and {high:,}, not {value:,}")
    return value


def _rss_bytes() -> int:
    """This process's resident memory now (Linux); its peak elsewhere."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


async def _api_error(request, error: ApiError):
    return JSONResponse({"error": str(error)}, error.status)


async def _http_error(request, error: HTTPException):
    messages = {404: f"no such page: {request.url.path}",
                405: f"{request.method} is not allowed on {request.url.path}"}
    return JSONResponse({"error": messages.get(error.status_code, error.detail)},
                        error.status_code, headers=getattr(error, "headers", None))


async def _internal_error(request, error: Exception):
    # Starlette logs the traceback after this response; the client gets one line.
    return JSONResponse({"error": "internal error; the server log has the details"}, 500)


class BearerToken:
    """ASGI middleware: every /api/ request needs ``Authorization: Bearer <token>``.

    The page itself holds no data and is served to anyone, so a browser can load it
    and then send the token it asks for with each API call.
    """

    def __init__(self, app, token: str):
        self.app = app
        self.state = app.state
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                response = JSONResponse(
                    {"error": "this server needs a token: send Authorization: Bearer TOKEN"},
                    401, headers={"WWW-Authenticate": "Bearer"})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
