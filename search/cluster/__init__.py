"""Sharded indexes: N ordinary Izde indexes searched as one, in process or on a Dask cluster.

:mod:`~search.cluster.layout` says which shard holds a file; :mod:`~search.cluster.shard_tasks`
is what runs beside a shard (building it, searching it); :mod:`~search.cluster.runners`
runs those tasks in this process or on Dask workers; :mod:`~search.cluster.merge` turns
the shards' answers into one index's; :mod:`~search.cluster.sharded_index` is the facade.
"""
