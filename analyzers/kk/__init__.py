"""Kazakh: first version, normalized surface forms (replaced by our own stemmer)."""

from analyzers.normalize import NormalizeFilter
from analyzers.tokenize import WordTokenizer


def kazakh_analyzer():
    return WordTokenizer() | NormalizeFilter()
