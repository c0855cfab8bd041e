"""Izde: full-text search for Kazakh, Russian and English paragraphs."""
