"""Sharded indexes rank exactly as one index, in this process and on a real Dask cluster
(a scheduler and two worker processes on 127.0.0.1), and survive workers dying."""

import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from search import Index
from search.cluster.layout import ClusterManifest, shard_of
from search.cluster.sharded_index import ShardedIndex
from search.ingest.manifest import Manifest

PROJECT = Path(__file__).resolve().parent.parent
RETRIEVAL_CORPUS = Path("/work/shared/data/retrieval/corpus.jsonl.gz")
QUERIES = ["су тасқыны", "лесные пожары", '"прямые рейсы"', "Сеул AND рейс", "лесо~",
           "su tasqyny", "казактелеком", "Алматы -Сеул", "lang:kk су", "рейс*",
           "Алматы OR Сеул", '"су тасқыны" дайындық', "Абай облысы әкімі"]


def ranking(hits):
    return [(hit.path, hit.paragraph, hit.score, hit.snippet) for hit in hits]


@pytest.fixture(scope="module")
def seeds_copy(tmp_path_factory):
    import shutil
    folder = tmp_path_factory.mktemp("cluster-seeds") / "seeds"
    shutil.copytree(PROJECT / "seeds", folder)
    return folder


@pytest.fixture(scope="module")
def single(seeds_copy, tmp_path_factory):
    index = Index(tmp_path_factory.mktemp("single") / "index")
    index.update([seeds_copy])
    yield index
    index.close()


def test_a_sharded_folder_ranks_as_one_index_to_the_last_bit(seeds_copy, single, tmp_path):
    sharded = ShardedIndex(tmp_path / "sharded")
    sharded.update([seeds_copy], shards=3)
    with Index(tmp_path / "sharded") as reopened:  # the folder opens as a sharded index
        assert isinstance(reopened, ShardedIndex)
        for query in QUERIES:
            expected, found = single.search(query), reopened.search(query)
            assert ranking(found) == ranking(expected), query
            assert found.total == expected.total and not found.partial
        assert reopened.stats().as_dict() | {"size_bytes": 0} == \
            single.stats().as_dict() | {"size_bytes": 0}


def test_files_always_land_in_the_shard_their_path_hashes_to(seeds_copy, tmp_path):
    sharded = ShardedIndex(tmp_path / "sharded")
    sharded.update([seeds_copy], shards=3)
    for number, folder in enumerate(ClusterManifest.load(tmp_path / "sharded")
                                    .shard_paths(tmp_path / "sharded")):
        for path in Manifest.load(folder).files:
            assert shard_of(path, 3) == number


def test_an_update_commits_only_the_shards_whose_files_changed(seeds_copy, tmp_path):
    import shutil
    docs = tmp_path / "docs"
    shutil.copytree(seeds_copy, docs)
    sharded = ShardedIndex(tmp_path / "sharded")
    sharded.update([docs], shards=4)
    folders = sharded.manifest.shard_paths(tmp_path / "sharded")
    before = [Manifest.load(folder).generation for folder in folders]
    changed = sorted(docs.iterdir())[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nЖаңа абзац: су тасқыны.\n",
                       encoding="utf-8")
    report = sharded.update([docs])
    assert (report.changed, report.unchanged) == (1, 4)
    after = [Manifest.load(folder).generation for folder in folders]
    touched = [k for k, (a, b) in enumerate(zip(before, after)) if a != b]
    assert touched == [shard_of(changed.resolve(), 4)]
    assert any(hit.text == "Жаңа абзац: су тасқыны." for hit in sharded.search("жаңа абзац"))
    changed.unlink()
    assert sharded.update([docs]).removed == 1
    assert sharded.stats().files == 4


def test_a_shard_that_fails_makes_the_answer_partial_and_named(seeds_copy, tmp_path,
                                                               monkeypatch):
    from search.cluster import runners
    from search.errors import CorruptIndexError

    sharded = ShardedIndex(tmp_path / "sharded")
    sharded.update([seeds_copy], shards=3)
    complete = sharded.search("су")
    real = runners.search_shard

    def shard_one_fails(folder, request):
        if folder.endswith("shard-001"):
            raise CorruptIndexError(f"the index at {folder} is damaged")
        return real(folder, request)

    monkeypatch.setattr(runners, "search_shard", shard_one_fails)
    found = sharded.search("су")
    assert found.partial and found.missing_shards == [1]
    assert "damaged" in found.shard_errors[1]
    lost = {(h.path, h.paragraph) for h in complete if shard_of(h.path, 3) == 1}
    assert {(h.path, h.paragraph) for h in found} == \
        {(h.path, h.paragraph) for h in complete} - lost


def test_an_unreachable_scheduler_is_one_line_and_exit_5(seeds_copy, tmp_path):
    ShardedIndex(tmp_path / "sharded").update([seeds_copy], shards=2)
    done = subprocess.run([sys.executable, "-m", "search.cli", "search", "су", "--index",
                           str(tmp_path / "sharded"), "--cluster", "tcp://127.0.0.1:9"],
                          cwd=PROJECT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "IZDE_CLUSTER_TIMEOUT": "1"})
    assert done.returncode == 5
    assert done.stderr.count("\n") == 1 and "cannot reach the Dask scheduler" in done.stderr


def test_a_shard_count_changes_only_with_rebuild(seeds_copy, tmp_path):
    from search.errors import IzdeError

    sharded = ShardedIndex(tmp_path / "sharded")
    sharded.update([seeds_copy], shards=3)
    with pytest.raises(IzdeError, match="has 3 shards"):
        sharded.update([seeds_copy], shards=2)
    sharded.update([seeds_copy], shards=2, rebuild=True)
    assert sorted(p.name for p in (tmp_path / "sharded").iterdir() if p.is_dir()) == \
        ["shard-000", "shard-001"]
    with Index(tmp_path / "one") as one:
        one.update([seeds_copy])
        assert sharded.stats().paragraphs == one.stats().paragraphs > 100


# -- on a real Dask cluster ------------------------------------------------------------

distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")


def _collection_files(folder: Path, files: int, per_file: int = 20) -> Path:
    """Files of the retrieval collection's paragraphs (the seeds if it is not here)."""
    folder.mkdir(parents=True)
    if not RETRIEVAL_CORPUS.exists():
        import shutil
        shutil.copytree(PROJECT / "seeds", folder, dirs_exist_ok=True)
        return folder
    with gzip.open(RETRIEVAL_CORPUS, "rt", encoding="utf-8") as lines:
        records = [json.loads(next(lines))["text"] for _ in range(files * per_file)]
    for number in range(files):
        chunk = records[number * per_file:(number + 1) * per_file]
        (folder / f"{number:04d}.txt").write_text(
            "\n\n".join(" ".join(text.split()) for text in chunk) + "\n", encoding="utf-8")
    return folder


# Dask's own sockets, closed by its event loop after the cluster says it is closed.
dask_sockets = pytest.mark.filterwarnings("ignore::ResourceWarning",
                                          "ignore::pytest.PytestUnraisableExceptionWarning")


def _local_cluster():
    return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                    host="127.0.0.1", dashboard_address=":0")


@pytest.fixture(scope="module")
def cluster():
    """A scheduler and two worker processes on 127.0.0.1."""
    with _local_cluster() as local:
        yield local


@pytest.fixture
def doomed_cluster():
    """A cluster of its own for a test that kills one of its workers."""
    with _local_cluster() as local:
        yield local


def _worker_pids(client) -> dict[str, int]:
    return client.run(os.getpid)


@pytest.mark.cluster
@dask_sockets
def test_a_cluster_builds_and_searches_shards_as_one_index(cluster, seeds_copy, single,
                                                           tmp_path):
    sharded = ShardedIndex(tmp_path / "sharded", cluster=cluster.scheduler_address)
    report = sharded.update([seeds_copy], shards=4)
    assert report.added == 5
    workers = {record.worker for record in sharded.manifest.shard_records.values()}
    assert len(workers) == 2  # the shards were built on both workers, not here
    for query in QUERIES:
        assert ranking(sharded.search(query)) == ranking(single.search(query)), query
    sharded.close()
    done = subprocess.run([sys.executable, "-m", "search.cli", "search", "су тасқыны", "--json",
                           "--index", str(tmp_path / "sharded"), "--cluster",
                           cluster.scheduler_address],
                          cwd=PROJECT, capture_output=True, text=True, timeout=120)
    answer = json.loads(done.stdout)
    assert answer["partial"] is False
    assert [(h["path"], h["paragraph"]) for h in answer["hits"]] == \
        [(h.path, h.paragraph) for h in single.search("су тасқыны")]


def _kill_when(client, condition, timeout=60.0) -> str | None:
    """SIGKILL the worker process for which ``condition(tasks it is processing)`` first
    holds; its address, or None if that never happened."""
    pids = _worker_pids(client)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for address, tasks in client.processing().items():
            if condition(tasks) and address in pids:
                os.kill(pids[address], signal.SIGKILL)
                return address
        time.sleep(0.01)
    return None


@pytest.mark.cluster
@dask_sockets
def test_a_worker_killed_while_indexing_loses_and_doubles_nothing(doomed_cluster, tmp_path):
    cluster = doomed_cluster
    docs = _collection_files(tmp_path / "docs", files=24)
    expected = Index(tmp_path / "single")
    expected.update([docs])
    sharded = ShardedIndex(tmp_path / "sharded", cluster=cluster.scheduler_address)
    client = sharded._search_runner().client
    outcome = {}
    build = threading.Thread(target=lambda: outcome.setdefault(
        "report", sharded.update([docs], shards=4)))
    build.start()
    killed = _kill_when(client, lambda tasks: any("izde-build" in str(t) for t in tasks))
    build.join(timeout=240)
    assert killed is not None, "no build task was seen running"
    assert outcome["report"].added == 24
    assert sharded.stats().paragraphs == expected.stats().paragraphs
    for query in ["Пэнтерс защита очков", "лига перехватам"]:
        assert ranking(sharded.search(query)) == ranking(expected.search(query))
    sharded.close()
    expected.close()


@pytest.mark.cluster
@dask_sockets
def test_a_worker_killed_during_queries_never_drops_results_silently(doomed_cluster, seeds_copy,
                                                                    single, tmp_path):
    cluster = doomed_cluster
    sharded = ShardedIndex(tmp_path / "sharded", cluster=cluster.scheduler_address)
    sharded.update([seeds_copy], shards=4)
    client = sharded._search_runner().client
    expected = ranking(single.search("су тасқыны"))
    killer = threading.Thread(target=lambda: _kill_when(
        client, lambda tasks: any("izde-search" in str(t) for t in tasks)))
    killer.start()
    answers = []
    deadline = time.monotonic() + 20
    while killer.is_alive() and time.monotonic() < deadline:
        answers.append(sharded.search("су тасқыны"))
    killer.join()
    answers.append(sharded.search("су тасқыны"))
    for found in answers:
        if found.partial:
            assert found.missing_shards  # says which shards are missing
        else:
            assert ranking(found) == expected
    assert not answers[-1].partial and ranking(answers[-1]) == expected
    sharded.close()


def test_izde_serve_serves_a_sharded_folder(seeds_copy, single, tmp_path):
    pytest.importorskip("starlette", reason="the serve extra is not installed")
    pytest.importorskip("httpx2", reason="httpx2 (Starlette's test client) is not installed")
    from starlette.testclient import TestClient

    from search.service.app import ServiceConfig, create_app

    ShardedIndex(tmp_path / "sharded").update([seeds_copy], shards=3)
    with TestClient(create_app(ServiceConfig(index=str(tmp_path / "sharded")))) as client:
        answer = client.get("/api/search", params={"q": "су тасқыны"}).json()
        assert [(h["path"], h["paragraph"], h["score"]) for h in answer["hits"]] == \
            [(h.path, h.paragraph, round(h.score, 4)) for h in single.search("су тасқыны")]
        assert answer["partial"] is False
        assert client.get("/api/suggest", params={"q": "су тасқ"}).json()["suggestions"]
        top = answer["hits"][0]
        shown = client.get("/api/paragraph", params={"path": top["path"],
                                                      "paragraph": top["paragraph"]}).json()
        assert shown["text"] == top["text"]
        assert client.get("/api/health").json()["paragraphs"] == single.stats().paragraphs
