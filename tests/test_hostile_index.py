"""An index folder is data, never code: a crafted pickle inside it is refused as damage.

Whoosh pickles the TOC's segment list and some blocks; before the restricted
unpickler (search.storage.safe_pickle) a ``_MAIN_N.toc`` naming ``os.system``
ran its payload on ``izde search``, ``stats``, ``check`` and ``Index.search``.
"""

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from search import Index
from search.errors import CorruptIndexError
from search.storage.safe_pickle import RestrictedUnpickler, safe_loads

ROOT = Path(__file__).resolve().parent.parent


class _Payload:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


@pytest.fixture
def crafted_index(tmp_path):
    """A healthy index whose latest TOC's segment list is replaced by a payload."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Лесные пожары в области Абай.\n", encoding="utf-8")
    folder = tmp_path / "ix"
    with Index(folder) as index:
        index.update([docs])
        generation = index._open().latest_generation()
    marker = tmp_path / "PWNED"
    TOC(index.schema, [_Payload(marker)], generation + 1).write(FileStorage(str(folder)), "MAIN")
    return folder, marker


def test_a_toc_naming_a_callable_is_damage_and_runs_nothing(crafted_index):
    folder, marker = crafted_index
    with pytest.raises(CorruptIndexError, match="damaged"):
        with Index(folder) as index:
            index.search("пожары")
    assert not marker.exists()


@pytest.mark.parametrize("command", [["search", "пожары"], ["stats"], ["check"]])
def test_the_cli_refuses_it_in_one_line_with_exit_3(crafted_index, command):
    folder, marker = crafted_index
    done = subprocess.run([sys.executable, "-m", "search.cli", *command, "--index", str(folder)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 3, done.stderr
    assert done.stderr.count("\n") == 1 and "damaged" in done.stderr
    assert not marker.exists()


def test_rebuild_replaces_a_crafted_index_without_running_it(crafted_index):
    folder, marker = crafted_index
    with Index(folder) as index:
        index.update([folder.parent / "docs"], rebuild=True)
        assert [hit.path for hit in index.search("пожары")] == [str(folder.parent / "docs" / "a.txt")]
    assert not marker.exists()


@pytest.mark.parametrize("protocol", [2, 5])
def test_the_restricted_unpickler_refuses_what_no_index_holds(tmp_path, protocol):
    marker = tmp_path / "PWNED"
    with pytest.raises(pickle.UnpicklingError, match="posix.system|os.system"):
        safe_loads(pickle.dumps(_Payload(marker), protocol))
    assert not marker.exists()


@pytest.mark.parametrize("value", [[1, 2, 99, 300], (b"\x00c", [0.5, 1.0]), {"path": "a", "n": 1},
                                   bytes(range(256))])
@pytest.mark.parametrize("protocol", [2, 5])
def test_data_reads_back_whatever_its_bytes_look_like(value, protocol):
    assert safe_loads(pickle.dumps(value, protocol)) == value


def test_the_segment_list_of_a_real_index_passes(tmp_path):
    import io
    from collections import defaultdict

    from whoosh.codec.whoosh3 import W3Segment
    from search.codec import IzdeCodec

    segment = W3Segment(IzdeCodec(), "MAIN")
    segment._fieldlengths = defaultdict(int, {"text_kk": 3})
    segment._deleted = {1, 2}
    for protocol in (2, 5):
        loaded = RestrictedUnpickler(io.BytesIO(pickle.dumps([segment], protocol))).load()
        assert loaded[0].segid == segment.segid and loaded[0]._deleted == {1, 2}


def test_a_schema_pickles_only_what_the_schema_gate_admits():
    import io

    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from search.storage.safe_pickle import SchemaUnpickler
    from search.storage.schema import build_schema

    for schema in (build_schema(), Schema(path=ID(stored=True), text=TEXT(StemmingAnalyzer()))):
        loaded = SchemaUnpickler(io.BytesIO(pickle.dumps(schema, 2))).load()
        assert sorted(loaded.names()) == sorted(schema.names())
    with pytest.raises(pickle.UnpicklingError):
        SchemaUnpickler(io.BytesIO(pickle.dumps(_Payload(Path("x")), 2))).load()
