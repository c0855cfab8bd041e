"""Izde as a service: an HTTP API and a search page over one index (`izde serve`).

:mod:`search.service.app` is the ASGI application, :mod:`search.service.pool` lends
index readers to request threads, :mod:`search.service.server` runs it under
uvicorn, :mod:`search.service.load` is the load generator of `izde bench serve`.
Needs the ``serve`` extra: ``pip install 'izde[serve]'``.
"""
