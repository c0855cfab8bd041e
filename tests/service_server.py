"""A real uvicorn server on a free loopback port, in a thread, for tests."""

import socket
import threading
import time
from contextlib import contextmanager

import uvicorn

from search.service.app import ServiceConfig, create_app


@contextmanager
def running_server(index_dir, **settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(ServiceConfig(index=str(index_dir), **settings)),
                            host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
