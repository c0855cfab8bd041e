"""Markdown is read as text: its syntax neither shows in snippets nor is searchable, a
heading is the title of what stands under it, and hits say the line they start on."""

from pathlib import Path

from search import Index

NOTE = """# Орман өрттері

Абай облысында **орман** өрті [сөндірілді](https://example.kz/fires-report),
құтқарушылар _түні бойы_ жұмыс істеді.

```
code_sample = "орман"
```

| Аудан | Гектар |
|---|---|
| Аягөз | 120 |
"""


def test_markdown_syntax_never_reaches_snippets_or_the_index(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "note.md").write_text(NOTE, encoding="utf-8")
    with Index(tmp_path / "index") as index:
        index.update([docs])
        hits = index.search("өрті сөндірілді", limit=1)
        assert hits[0].snippet.startswith("Абай облысында орман **өрті** **сөндірілді**")
        assert "](" not in hits[0].text and "**орман**" not in hits[0].text
        assert (hits[0].line, hits[0].title) == (3, "Орман өрттері")
        # The link's address is markup, not words of the note.
        assert not index.search("fires-report")
        # Code keeps its words, without the fence; a table row is one paragraph.
        code = index.search("code_sample", limit=1)[0]
        assert code.line == 7 and "```" not in code.text
        row = index.search("Аягөз", limit=1)[0]
        assert row.text == "Аягөз 120" and Path(row.path).name == "note.md"
