"""Everything that touches Whoosh's internals: the index's on-disk formats and how they are read.

No other package imports ``whoosh.codec``, ``whoosh.filedb``, ``whoosh.matching``,
``whoosh.multiproc``, ``whoosh.system`` or ``whoosh.support`` (an import-linter
contract in pyproject.toml says so); ``tests/test_whoosh_contract.py`` fails when a
new Whoosh release changes a private this package relies on.
"""
