"""Where shard tasks run: in this process, one shard after another, or on Dask workers.

Both runners answer the same two calls: :meth:`search` (one task per shard; a
shard that fails is reported missing, never silently dropped) and :meth:`build`
(one task per shard that has changes; a shard that fails fails the build).

On Dask, shard ``k`` is pinned to worker ``k mod W`` (in address order), so each
worker keeps its own shards open between queries, but may run elsewhere when
that worker is gone: a task whose worker dies is run again by the scheduler
on another one. Search tasks get one more try after an error; build tasks two.
"""

import os
import time
import uuid
from pathlib import Path

from search.cluster.shard_tasks import (ShardAnswer, ShardBuild, ShardQuery, build_shard,
                                       search_shard, shard_snippets)
from search.errors import ClusterUnavailableError, IzdeError

# Seconds to wait for the scheduler (IZDE_CLUSTER_TIMEOUT overrides) and for a query's shards.
CONNECT_TIMEOUT = float(os.environ.get("IZDE_CLUSTER_TIMEOUT", "10"))
QUERY_TIMEOUT = float(os.environ.get("IZDE_QUERY_TIMEOUT", "60"))


class LocalRunner:
    """Shard tasks in this process: a sharded folder searched without a cluster."""

    address = None

    def search(self, folders: list[Path], request: ShardQuery) -> tuple[dict[int, ShardAnswer],
                                                                         dict[int, str]]:
        answers, missing = {}, {}
        for shard, folder in enumerate(folders):
            try:
                answers[shard] = search_shard(str(folder), request)
            except IzdeError as error:
                missing[shard] = str(error)
        return answers, missing

    def snippets(self, folders: dict[int, Path], request: ShardQuery,
                 wanted: dict[int, list[tuple[str, int]]]) -> dict[int, list]:
        found = {}
        for shard, paragraphs in wanted.items():
            try:
                found[shard] = shard_snippets(str(folders[shard]), request, paragraphs)
            except IzdeError:
                pass  # the hits stand; their snippets stay empty
        return found

    def build(self, jobs: list[tuple]) -> list[ShardBuild]:
        return [build_shard(*job) for job in jobs]

    def close(self) -> None:
        pass


class DaskRunner:
    """Shard tasks on the Dask cluster whose scheduler is at ``address``, or on a local
    cluster of ``local_workers`` processes started here (and stopped by :meth:`close`)."""

    def __init__(self, address: str | None = None, local_workers: int = 0):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise IzdeError("dask.distributed is missing; install the cluster extra: "
                            "pip install 'izde[cluster]'") from None
        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(n_workers=max(1, local_workers), threads_per_worker=1,
                                         processes=True, dashboard_address=":0")
            address = self._cluster.scheduler_address
        self.address = address
        try:
            self.client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            self.close()
            raise ClusterUnavailableError(
                f"cannot reach the Dask scheduler at {address} "
                f"({error.__class__.__name__}); start it with `dask scheduler` "
                f"or check --cluster") from None

    def _workers(self) -> list[str]:
        workers = sorted(self.client.scheduler_info(n_workers=-1)["workers"])
        if not workers:  # restarting, or the client's copy of the list is stale
            try:
                self.client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
            except TimeoutError:
                pass
            workers = sorted(self.client.scheduler_info(n_workers=-1)["workers"])
        if not workers:
            raise ClusterUnavailableError(f"the Dask scheduler at {self.address} has no "
                                          f"workers; start some with `dask worker {self.address}`")
        return workers

    def _pinned(self, shard: int, workers: list[str]) -> dict:
        return {"workers": [workers[shard % len(workers)]], "allow_other_workers": True}

    def search(self, folders: list[Path], request: ShardQuery) -> tuple[dict[int, ShardAnswer],
                                                                         dict[int, str]]:
        workers = self._workers()
        tag = uuid.uuid4().hex[:12]
        futures = {shard: self.client.submit(search_shard, str(folder), request, pure=False,
                                             retries=1, key=f"izde-search-{shard}-{tag}",
                                             **self._pinned(shard, workers))
                   for shard, folder in enumerate(folders)}
        results, failures = _outcomes(futures, time.monotonic() + QUERY_TIMEOUT)
        return results, failures

    def snippets(self, folders: dict[int, Path], request: ShardQuery,
                 wanted: dict[int, list[tuple[str, int]]]) -> dict[int, list]:
        workers = self._workers()
        tag = uuid.uuid4().hex[:12]
        futures = {shard: self.client.submit(shard_snippets, str(folders[shard]), request,
                                             paragraphs, pure=False, retries=1,
                                             key=f"izde-snippets-{shard}-{tag}",
                                             **self._pinned(shard, workers))
                   for shard, paragraphs in wanted.items()}
        found, _ = _outcomes(futures, time.monotonic() + QUERY_TIMEOUT)
        return found  # a shard that failed leaves its hits without snippets

    def build(self, jobs: list[tuple]) -> list[ShardBuild]:
        workers = self._workers()
        tag = uuid.uuid4().hex[:12]
        futures = {job[1]: self.client.submit(build_shard, *job, pure=False, retries=2,
                                              key=f"izde-build-{job[1]}-{tag}",
                                              **self._pinned(job[1], workers))
                   for job in jobs}
        results, failures = _outcomes(futures, None)
        if failures:
            shard, reason = sorted(failures.items())[0]
            raise IzdeError(f"shard {shard} could not be built ({reason}); the other "
                            f"shards' commits stand, and running `izde index` again "
                            f"finishes the job")
        return [results[job[1]] for job in jobs]

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def _outcomes(futures: dict, deadline: float | None) -> tuple[dict, dict[int, str]]:
    """({shard: result}, {shard: why it has none}) once every future is done or the
    ``deadline`` (time.monotonic) has passed; the late ones are cancelled."""
    results, failures = {}, {}
    for shard, future in futures.items():
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            results[shard] = future.result(timeout=timeout)
        except TimeoutError:
            failures[shard] = "no answer in time"
            future.cancel()
        except IzdeError as error:
            failures[shard] = str(error)
        except Exception as error:  # a worker's failure of any kind: that shard is missing
            failures[shard] = f"{error.__class__.__name__}: {error}"
    return results, failures
