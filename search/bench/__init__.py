"""Measuring speed (``izde bench``); imported by its commands, never by the library."""
