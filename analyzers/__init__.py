"""Language analyzers for Izde: one Whoosh analyzer per language.

    >>> from analyzers import analyzer_for
    >>> [t.text for t in analyzer_for("en")("Forests burning")]
    ['forest', 'burn']
"""

from analyzers.detect import LANGUAGES, detect_language, sample_language


def analyzer_for(lang: str):
    """The Whoosh analyzer that indexes and queries text in ``lang`` ("kk", "ru", "en")."""
    if lang == "kk":
        from analyzers.kk import kazakh_analyzer
        return kazakh_analyzer()
    if lang == "ru":
        from analyzers.ru import russian_analyzer
        return russian_analyzer()
    if lang == "en":
        from analyzers.en import english_analyzer
        return english_analyzer()
    raise ValueError(f"no analyzer for language {lang!r}; expected one of {', '.join(LANGUAGES)}")


__all__ = ["LANGUAGES", "analyzer_for", "detect_language", "sample_language"]
