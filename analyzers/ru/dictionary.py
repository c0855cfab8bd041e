"""pymorphy3's Russian analyzer, loaded without building its whole tag table first.

pymorphy3 turns every one of its 5,563 tag strings into an ``OpencorporaTag``
when it loads a dictionary: ~12 ms of its ~35 ms load, paid by every
``izde search`` whose words may be Russian, which then looks at a handful of
tags. Here each tag is built on its first look, and everything else is loaded
as pymorphy3 loads it, with its own functions, in its own order.

The loader relies on pymorphy3's private storage functions. When their shape
is not the one known here (another pymorphy3 version), pymorphy3 loads as it
always did, only slower; tests/test_pymorphy3_contract.py fails loudly then,
and checks that both loads give the same dictionary, tag by tag.
"""

import os

import pymorphy3
from pymorphy3 import dawg
from pymorphy3.opencorpora_dict import storage, wrapper

# The LoadedDictionary fields that _load_dictionary fills, as pymorphy3 2.0 has them.
_KNOWN_FIELDS = ("meta", "gramtab", "suffixes", "paradigms", "words",
                 "prediction_suffixes_dawgs", "Tag", "paradigm_prefixes")


class LazyTags:
    """pymorphy3's gramtab (tag id -> tag) whose tags are built on first look."""

    __slots__ = ("_strings", "_tags", "_tag_class")

    def __init__(self, strings: list[str], tag_class):
        self._strings, self._tag_class = strings, tag_class
        self._tags = [None] * len(strings)

    def __len__(self) -> int:
        return len(self._strings)

    def __getitem__(self, tag_id: int):
        tag = self._tags[tag_id]
        if tag is None:
            tag = self._tags[tag_id] = self._tag_class(self._strings[tag_id])
        return tag

    def __iter__(self):
        return (self[tag_id] for tag_id in range(len(self)))


def lazy_tags_supported() -> bool:
    """Whether this pymorphy3 loads the way _load_dictionary repeats."""
    return (storage.LoadedDictionary._fields == _KNOWN_FIELDS
            and all(hasattr(storage, name) for name in (
                "load_meta", "_assert_format_is_compatible", "_load_tag_class",
                "_load_gramtab", "json_read", "_load_paradigms"))
            and getattr(wrapper, "load_dict", None) is storage.load_dict)


def _load_dictionary(path: str, gramtab_format: str = "opencorpora-int"):
    """storage.load_dict step by step, with a LazyTags gramtab."""
    def file(name):
        return os.path.join(path, name)

    meta = storage.load_meta(file("meta.json"))
    storage._assert_format_is_compatible(meta, path)
    tag_class = storage._load_tag_class(gramtab_format, file("grammemes.json"))
    gramtab = LazyTags(storage._load_gramtab(meta, gramtab_format, path), tag_class)
    suffixes = storage.json_read(file("suffixes.json"))
    paradigms = storage._load_paradigms(file("paradigms.array"))
    words = dawg.WordsDawg().load(file("words.dawg"))
    try:
        paradigm_prefixes = meta["compile_options"]["paradigm_prefixes"]
    except KeyError:  # dictionaries in format 2.4 keep them in a file
        paradigm_prefixes = storage.json_read(file("paradigm-prefixes.json"))
    prediction_suffixes_dawgs = [
        dawg.PredictionSuffixesDAWG().load(file(f"prediction-suffixes-{prefix_id}.dawg"))
        for prefix_id in range(len(paradigm_prefixes))]
    return storage.LoadedDictionary(
        meta=meta, gramtab=gramtab, suffixes=suffixes, paradigms=paradigms, words=words,
        prediction_suffixes_dawgs=prediction_suffixes_dawgs, Tag=tag_class,
        paradigm_prefixes=paradigm_prefixes)


def load_analyzer(path: str | None) -> pymorphy3.MorphAnalyzer:
    """``pymorphy3.MorphAnalyzer(path=path, lang="ru")``, its tags built on first look."""
    if not lazy_tags_supported():
        return pymorphy3.MorphAnalyzer(path=path, lang="ru")
    # pymorphy3's Dictionary calls wrapper.load_dict; it is swapped only while this
    # analyzer loads, under the lock pymorphy3 itself holds while loading (reentrant).
    with pymorphy3.MorphAnalyzer._lock:
        wrapper.load_dict = _load_dictionary
        try:
            return pymorphy3.MorphAnalyzer(path=path, lang="ru")
        finally:
            wrapper.load_dict = storage.load_dict
