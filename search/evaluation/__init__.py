"""Measuring quality (``izde eval``); imported by its commands, never by the library."""
