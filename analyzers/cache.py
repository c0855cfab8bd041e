"""Bounded caches for pure per-word-form functions (the analyzers' hot path).

Morphology is a pure function of the word form, and running text repeats forms
constantly, so every per-form step is cached. The caches are registered here so
benchmarks can measure a cold start with :func:`clear_caches`.
"""

from functools import lru_cache

_registered = []


def word_cache(maxsize: int = 200_000):
    """``functools.lru_cache`` with a bound, registered for :func:`clear_caches`."""
    def decorate(function):
        cached = lru_cache(maxsize=maxsize)(function)
        _registered.append(cached)
        return cached
    return decorate


def clear_caches() -> None:
    for cached in _registered:
        cached.cache_clear()
