"""An index written by an older Izde, whose analyzers no longer exist, is rebuilt, not a crash."""

import json
import sys

from click.testing import CliRunner
from whoosh import index as whoosh_index
from whoosh.analysis import Filter, RegexTokenizer
from whoosh.fields import ID, TEXT, Schema

from search import Index
from search.cli import main
from search.ingest.manifest import MANIFEST_NAME


class RetiredFilter(Filter):
    """Stands for an analyzer class a later Izde renamed (pickled in the old index's schema)."""

    def __call__(self, tokens):
        yield from tokens


def test_an_index_whose_stored_schema_names_a_retired_analyzer_is_rebuilt(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Су тасқыны кезеңіне дайындық жүргізілді.\n", encoding="utf-8")
    index_dir = tmp_path / "ix"
    Index(index_dir).update([docs])
    old_schema = Schema(path=ID(stored=True), text_kk=TEXT(analyzer=RegexTokenizer() | RetiredFilter()))
    whoosh_index.create_in(str(index_dir), old_schema).close()
    manifest_path = index_dir / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["schema_version"] = 1
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.delattr(sys.modules[__name__], "RetiredFilter")  # the class is gone in this version

    result = CliRunner().invoke(main, ["search", "су тасқыны", "--index", str(index_dir)])

    assert result.exit_code == 0, result.output
    assert "a.txt:1" in result.output
