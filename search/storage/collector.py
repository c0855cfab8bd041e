"""Python's cycle collector run less often while an index is written.

Indexing keeps millions of container objects alive until the commit (pooled
postings, per-word-form caches) and the collector, at its default threshold of
700 allocations, walks the young ones thousands of times and all of them in
every full collection: 10,000 paragraphs in one process cost 15.1 CPU-s with
it, 13.7 without it. Switched off, though, the cyclic garbage of those
paragraphs (130,000 objects) would stay until the end, and a million-paragraph
build would keep it all; with :data:`WRITING_THRESHOLDS` the collector still
runs, and the same build took 13.9 CPU-s with 187 objects left to collect.
"""

import gc
from contextlib import contextmanager

# Allocations before a young collection, and young collections before an older one.
WRITING_THRESHOLDS = (50_000, 20, 20)


@contextmanager
def fewer_collections():
    """Collect cycles at :data:`WRITING_THRESHOLDS` inside the block, as before after it.

    A collector switched off (threshold 0) stays off.
    """
    before = gc.get_threshold()
    if before[0]:
        gc.set_threshold(*WRITING_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
