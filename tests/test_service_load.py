"""`izde bench serve`'s load generator against a real server: it counts what it claims."""

import pytest

pytest.importorskip("uvicorn", reason="the serve extra is not installed")

from search.errors import IzdeError  # noqa: E402
from search.service.load import SEED_QUERIES, http_overhead, run_load  # noqa: E402
from tests.service_server import running_server  # noqa: E402


def test_a_short_load_run_reports_throughput_latency_and_memory(seeds_index):
    with running_server(seeds_index.path) as url:
        report = run_load(url, list(SEED_QUERIES), clients=2, seconds=1.0, warmup=0.2)
        overhead = http_overhead(url, seeds_index.path, list(SEED_QUERIES)[:3], rounds=1)
    assert report["errors"] == 0 and report["requests"] > 10
    assert report["qps"] > 5 and 0 < report["p50_ms"] <= report["p95_ms"] <= report["p99_ms"]
    assert report["rss_before_mb"] > 10 and report["paragraphs"] > 100
    assert overhead["http_p50_ms"] > 0 and overhead["index_p50_ms"] > 0


def test_a_token_protected_server_counts_401_as_errors(seeds_index):
    with running_server(seeds_index.path, token="t") as url:
        with pytest.raises(IzdeError, match="401"):
            run_load(url, ["су"], clients=1, seconds=0.2, warmup=0)
        report = run_load(url, ["су"], clients=1, seconds=0.3, warmup=0, token="t")
    assert report["errors"] == 0


def test_only_this_machine_is_targeted():
    with pytest.raises(IzdeError, match="only targets this machine"):
        run_load("http://192.0.2.1:8080", ["су"], clients=1, seconds=1)
