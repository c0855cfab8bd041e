"""Files and records to index changes: reading, paragraphs, the manifest, health checks, watching."""
