"""The Kazakh stem lexicon file, as the stemmer reads it (a binary search over its bytes)."""

from analyzers.kk.stemmer import _HERE, _SEARCHES_BEFORE_TABLES, _Lexicon, _SortedRows

LEXICON = _HERE / "stem_counts.tsv"


def _rows():
    return [line for line in LEXICON.read_bytes().split(b"\n")
            if line and not line.startswith(b"#")]


def test_the_lexicon_rows_are_in_byte_order():
    rows = _rows()
    assert rows == sorted(rows), "stem_counts.tsv out of order: rebuild it with build_lexicon"


def test_every_row_is_found_by_its_stem_and_kind_and_nothing_else_is():
    rows = _SortedRows(LEXICON.read_bytes())
    keys = set()
    for line in _rows():
        stem, kind, rest = line.decode("utf-8").split("\t", 2)
        keys.add((stem, kind))
        assert rows.get((stem, kind)) == rest
    for stem, kind in list(keys)[:2000]:
        for other in ((stem[:-1], kind), (stem + "а", kind), (stem, kind + "x")):
            if other not in keys:
                assert rows.get(other) is None, other
    assert rows.get(("", "noun")) is None and rows.get(("￿", "noun")) is None


def test_a_small_file_with_a_header_and_no_final_newline():
    rows = _SortedRows("# stem\tkind\n# note\nалма\tnoun\t3\t-=1\nорман\tnoun\t9\t-=2".encode())
    assert rows.get(("орман", "noun")) == "9\t-=2"
    assert rows.get(("алма", "noun")) == "3\t-=1"
    assert rows.get(("алм", "noun")) is None and rows.get(("я", "noun")) is None
    tables = rows.tables()
    assert tables["noun"]["орман"] == (9, "-=2") and tables["noun"]["орман"][1].get("") == 2
    assert set(tables["noun"]) == {"алма", "орман"} and tables["verb"] == {}


def test_rows_read_whole_are_the_rows_a_search_finds():
    rows = _SortedRows(LEXICON.read_bytes())
    tables = rows.tables()
    searched = {}
    for line in _rows():
        stem, kind, _ = line.decode("utf-8").split("\t", 2)
        searched.setdefault(kind, {})[stem] = rows.get((stem, kind))
    assert {kind: {stem: f"{total}\t{families}" for stem, (total, families) in table.items()}
            for kind, table in tables.items()} == searched


def test_rows_by_kind_answer_as_the_lexicon_does_before_and_after_they_are_a_dict():
    lexicon = _Lexicon(_SortedRows(LEXICON.read_bytes()))
    keys = [tuple(line.decode("utf-8").split("\t", 2)[:2]) for line in _rows()[::97]]
    keys += [(stem + "ъ", kind) for stem, kind in keys[:50]]  # absent
    expected = {key: lexicon.get(key, "absent") for key in keys}
    views = lexicon.by_kind()  # the rows are still searched: views onto get
    assert {key: views[key[1]].get(key[0], "absent") for key in keys} == expected
    for i in range(_SEARCHES_BEFORE_TABLES + 1):
        lexicon.get((f"нет{i}", "noun"))
    tables = lexicon.by_kind()
    assert all(type(table) is dict for table in tables.values())
    found = {key: tables[key[1]].get(key[0], "absent") for key in keys}
    assert {key: (value if value == "absent" else (value[0], value[1].get("")))
            for key, value in found.items()} == \
        {key: (value if value == "absent" else (value[0], value[1].get("")))
         for key, value in expected.items()}
