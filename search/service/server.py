"""Running the service: uvicorn in this process (or `--workers` processes), and the
`--watch` folders followed by one writer thread here, whatever the number of workers."""

import ipaddress
import logging
import os
import threading

from search.service.app import CONFIG_ENV, ServiceConfig, config_environment, create_app

log = logging.getLogger("izde.serve")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(config: ServiceConfig, host: str = "127.0.0.1", port: int = 8080, workers: int = 1,
          watch: tuple[str, ...] = (), access_log: bool = False) -> None:
    """Serve until Ctrl-C or SIGTERM; the watcher, if any, stops with the server."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    stop = threading.Event()
    watcher = _start_watcher(config.index, watch, stop) if watch else None
    try:
        if workers == 1:
            uvicorn.run(create_app(config), host=host, port=port, access_log=access_log,
                        log_level="info")
        else:
            # Workers are fresh processes: they read the configuration from the environment.
            os.environ[CONFIG_ENV] = config_environment(config)
            uvicorn.run("search.service.app:app_from_environment", factory=True, host=host,
                        port=port, workers=workers, access_log=access_log, log_level="info")
    finally:
        stop.set()
        if watcher is not None:
            watcher.join(timeout=30)


def _start_watcher(index_dir: str, paths: tuple[str, ...], stop: threading.Event):
    from search import Index
    from search.ingest.watch import Watcher

    index = Index(index_dir)  # the one writer; readers are the app's own
    watcher = Watcher(index, paths,
                      on_batch=lambda batch: log.info("watch: %s", batch.line()),
                      on_error=lambda error: log.warning("watch: %s", error))

    def run():
        try:
            watcher.run(stop)
        finally:
            index.close()

    thread = threading.Thread(target=run, name="izde-watch", daemon=True)
    thread.start()
    return thread
