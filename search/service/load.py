"""`izde bench serve`: a bounded load generator for a server on this machine.

Clients are threads, each with one keep-alive connection (stdlib ``http.client``,
so the generator needs nothing the server does not), sending ``GET /api/search``
with the benchmark's query set in turn until the time is up. Only loopback
addresses are targeted: this measures Izde, it does not stress other machines.

    report = run_load("http://127.0.0.1:8080", ["су", "лес"], clients=16, seconds=30)
    report["qps"], report["p99_ms"], report["errors"]
"""

import http.client
import json
import statistics
import threading
import time
from urllib.parse import urlencode, urlsplit

from search.errors import IzdeError
from search.service.server import is_loopback

# Queries of the seed documents, used when no corpus is given.
SEED_QUERIES = ("су тасқыны", "su tasqyny", "казактелеком", "лесные пожары", "Абай облысы",
                '"прямые рейсы"', "Сеул AND рейс", "Алматы -Сеул", "lang:kk су", "цифрлық")


class NotLoopbackError(IzdeError):
    exit_code = 2


class _Client:
    def __init__(self, url: str, token: str | None):
        parts = urlsplit(url)
        if not is_loopback(parts.hostname or ""):
            raise NotLoopbackError(f"{url}: izde bench serve only targets this machine "
                                   f"(127.0.0.1, ::1 or localhost)")
        self.host, self.port = parts.hostname, parts.port or 80
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.connection = None

    def get(self, path: str) -> tuple[int, bytes]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            self.connection.request("GET", path, headers=self.headers)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None  # reconnect on the next request
            raise

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def health(self) -> dict:
        """The server's /api/health, on a new connection (an idle one may have timed out)."""
        self.close()
        try:
            status, body = self.get("/api/health")
        except (OSError, http.client.HTTPException) as error:
            raise IzdeError(f"no server answers at {self.host}:{self.port} "
                            f"({error.__class__.__name__}); start it with `izde serve`") from None
        finally:
            self.close()
        if status != 200:
            raise IzdeError(f"the server's /api/health answered {status}: {body[:200]!r}")
        return json.loads(body)


def search_path(query: str, limit: int = 10) -> str:
    return "/api/search?" + urlencode({"q": query, "limit": limit})


def run_load(url: str, queries: list[str], clients: int = 16, seconds: float = 30.0,
             warmup: float = 5.0, token: str | None = None) -> dict:
    """Queries/s, latency percentiles, errors and the server's RSS before and after.

    ``warmup`` seconds of the same load come first and are not counted, so that
    "before" is the RSS of a server that has seen the queries (caches filled).
    """
    probe = _Client(url, token)
    probe.health()
    _drive(url, queries, clients, warmup, token)
    before = probe.health()
    latencies, errors = _drive(url, queries, clients, seconds, token)
    after = probe.health()
    done = len(latencies)
    return {"url": url, "clients": clients, "seconds": seconds, "requests": done + len(errors),
            "qps": round(done / seconds, 1), **_percentiles(latencies),
            "errors": len(errors), "error_examples": sorted(set(errors))[:5],
            "rss_before_mb": round(before["rss_bytes"] / 2**20, 1),
            "rss_after_mb": round(after["rss_bytes"] / 2**20, 1),
            "rss_growth": round(after["rss_bytes"] / before["rss_bytes"] - 1, 4),
            "paragraphs": after["paragraphs"]}


def _drive(url, queries, clients, seconds, token) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(number: int):
        connection = _Client(url, token)
        mine, failed = [], []
        turn = number * 7  # clients start at different queries
        while time.perf_counter() < deadline:
            path = search_path(queries[turn % len(queries)])
            turn += 1
            started = time.perf_counter()
            try:
                status, body = connection.get(path)
            except (OSError, http.client.HTTPException) as error:
                failed.append(error.__class__.__name__)
                continue
            if status != 200:
                failed.append(f"HTTP {status}: {body[:120].decode('utf-8', 'replace')}")
                continue
            mine.append((time.perf_counter() - started) * 1000)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def _percentiles(latencies: list[float]) -> dict:
    if not latencies:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None}
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"p50_ms": round(statistics.median(latencies), 2), "p95_ms": round(cuts[94], 2),
            "p99_ms": round(cuts[98], 2)}


def http_overhead(url: str, index_dir: str, queries: list[str], rounds: int = 3,
                  token: str | None = None) -> dict:
    """Median time of each query over HTTP (one client, nothing else running) against
    the same query through :meth:`Index.search` in this process, interleaved, warm."""
    from search import Index

    client = _Client(url, token)
    client.health()  # a clear error when nothing listens there
    over_http, in_process = [], []
    with Index(index_dir) as index:
        for query in queries:  # warm both: caches, page cache, numpy
            client.get(search_path(query))
            index.search(query, limit=10)
        for _ in range(rounds):
            for query in queries:
                started = time.perf_counter()
                status, _ = client.get(search_path(query))
                over_http.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise IzdeError(f"{query!r}: the server answered {status}")
                started = time.perf_counter()
                index.search(query, limit=10)
                in_process.append((time.perf_counter() - started) * 1000)
    client.close()
    per_query = [h - i for h, i in zip(over_http, in_process)]
    return {"queries": len(queries), "rounds": rounds,
            "http_p50_ms": round(statistics.median(over_http), 2),
            "index_p50_ms": round(statistics.median(in_process), 2),
            "overhead_p50_ms": round(statistics.median(over_http) - statistics.median(in_process), 2),
            "overhead_per_query_median_ms": round(statistics.median(per_query), 2)}


def format_report(report: dict) -> str:
    lines = []
    if "overhead" in report:
        o = report["overhead"]
        lines += [f"HTTP overhead, one client, {o['queries']} queries x {o['rounds']}:",
                  f"  p50 over HTTP {o['http_p50_ms']} ms, in-process Index.search "
                  f"{o['index_p50_ms']} ms: +{o['overhead_p50_ms']} ms "
                  f"(median per query +{o['overhead_per_query_median_ms']} ms)"]
    if "load" in report:
        r = report["load"]
        lines += [f"{r['clients']} clients, {r['seconds']:.0f} s against {r['url']} "
                  f"({r['paragraphs']:,} paragraphs)",
                  f"  {r['requests']:,} requests, {r['qps']:,} queries/s, errors {r['errors']}",
                  f"  latency p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms",
                  f"  server RSS {r['rss_before_mb']} MB before, {r['rss_after_mb']} MB after "
                  f"({r['rss_growth']:+.1%})"]
        lines += [f"  error: {example}" for example in r["error_examples"]]
    return "\n".join(lines)
