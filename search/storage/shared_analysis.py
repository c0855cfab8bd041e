"""Adding a document with its words cut once for all the fields that share a tokenizer.

Whoosh's ``SegmentWriter.add_document`` asks each field for its postings, and
the field runs its analyzer over the text: a paragraph fills its language's
field, ``exact`` and a companion field, so it was tokenized three times and
every word went through three chains of generators. :class:`SharedAnalysisWriting`
cuts each text once per tokenizer and maps the words to each field's terms with
:mod:`analyzers.word_terms`; the postings (terms, frequencies, positions, field
lengths) are the ones Whoosh would have written. A field whose analyzer has no
plan, or whose format is not plain positions, is indexed by Whoosh's own path.
"""

from whoosh.fields import ID, NUMERIC
from whoosh.formats import Positions

from analyzers.word_terms import CLOSE, FIRST_KEPT, index_plan


# Fields (exact types) whose postings are remembered by value, and how many values.
_WHOLE_VALUE_FIELDS = (ID, NUMERIC)
_VALUES_KEPT = 10_000


class SharedAnalysisWriting:
    """Mixin for Whoosh's ``SegmentWriter``: ``add_document`` with shared tokenization."""

    def _index_plans(self) -> dict | None:
        """Field name -> (plan, PositionValues) for the fields indexed from shared words;
        None when a field needs what the loop below leaves out (spelling, vectors)."""
        if "_plans" not in self.__dict__:
            plans = {}
            for name, field in self.schema.items():
                if field.separate_spelling() or field.vector:
                    plans = None
                    break
                plan = index_plan(field.analyzer) if (
                    field.indexed and type(field.format) is Positions) else None
                if plan is not None:
                    plans[name] = (plan, PositionValues(field.format))
            self._plans = plans
        return self._plans

    def _value_postings(self, fieldname, field, value):
        """``field.index(value)``, kept for fields whose value repeats from paragraph to
        paragraph (a file's path and name, the language, paragraph numbers): an ID or
        NUMERIC field's postings are a function of the value alone."""
        if type(field) not in _WHOLE_VALUE_FIELDS or not isinstance(value, (str, int)):
            return field.index(value)
        cache = self.__dict__.setdefault("_postings_of_value", {})
        key = (fieldname, type(value), value)
        found = cache.get(key)
        if found is None:
            if len(cache) >= _VALUES_KEPT:
                cache.clear()
            found = cache[key] = list(field.index(value))
        return found

    def _value_items(self, fieldname, field, value, fieldboost: float, scorable: bool):
        """The field's postings as the pool takes them, ``(term bytes, weight times
        fieldboost, value bytes)``, and its length; kept as _value_postings keeps them."""
        cacheable = type(field) in _WHOLE_VALUE_FIELDS and isinstance(value, (str, int))
        if cacheable:
            cache = self.__dict__.setdefault("_items_of_value", {})
            key = (fieldname, type(value), value, fieldboost)
            found = cache.get(key)
            if found is not None:
                return found
        items, length = [], 0
        for tbytes, freq, weight, vbytes in self._value_postings(fieldname, field, value):
            if scorable:
                length += freq
            items.append((tbytes, weight * fieldboost, vbytes))
        if cacheable:
            if len(cache) >= _VALUES_KEPT:
                cache.clear()
            cache[key] = items, length
        return items, length

    def add_document(self, **fields):
        plans = self._index_plans()
        if plans is None:
            return super().add_document(**fields)
        # SegmentWriter.add_document, with planned fields' postings from shared words.
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        add_terms = self.pool.add_document_terms
        # The writer this mixes into pools in a TermPostingPool: one call per field, text terms.
        add_positions = self.pool.add_document_positions
        add_forms = self.pool.add_document_forms
        add_form_terms = self.pool.add_document_form_terms
        words_of: dict[tuple, list[str]] = {}  # (tokenizer class, text) -> words

        docboost = self._doc_boost(fields)
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        self._check_fields(schema, fieldnames)

        perdocwriter.start_doc(docnum)
        facts_of = self.__dict__.setdefault("_field_facts", {})
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                facts = facts_of.get(fieldname)
                if facts is None:
                    facts = facts_of[fieldname] = _FieldFacts(fieldname, schema[fieldname],
                                                              plans.get(fieldname))
                field = facts.field
                length = 0
                if facts.indexed:
                    # IndexWriter._field_boost, its keyword named once per field
                    boost_key = facts.boost_key
                    fieldboost = float(fields[boost_key]) if boost_key in fields else docboost
                    planned = facts.planned
                    if planned is not None and isinstance(value, str):
                        plan, position_values = planned
                        key = (plan.tokenizer.words_like(value), value)
                        words = words_of.get(key)
                        if words is None:
                            words = words_of[key] = plan.tokenizer.words(value)
                        boost = facts.format_boost
                        # The pool numbers positions when it flushes (search.storage.
                        # word_columns): here each word's term number(s), looked up in C.
                        if plan.term_of is not None:
                            length = add_forms(fieldname, docnum, words, plan.term_of,
                                               position_values, boost, fieldboost,
                                               first_kept=plan.numbering == FIRST_KEPT)
                        elif plan.numbering == CLOSE:
                            length = add_form_terms(fieldname, docnum, words, plan.terms_of,
                                                    position_values, boost, fieldboost)
                        else:
                            positions = plan.positions(words)
                            length = sum(map(len, positions.values()))
                            add_positions(fieldname, docnum, positions, position_values, boost,
                                          fieldboost)
                        if not facts.scorable:
                            length = 0
                    else:
                        items, length = self._value_items(fieldname, field, value, fieldboost,
                                                          facts.scorable)
                        add_terms(fieldname, docnum, items)
                customval = fields.get(facts.stored_key, value)
                perdocwriter.add_field(fieldname, field, customval if facts.stored else None,
                                       length)
                column = facts.column
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column,
                                                  field.to_column_value(customval))
        except ValueError:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1


class _FieldFacts:
    """What add_document reads of a field on every paragraph, read once per writer."""

    __slots__ = ("field", "planned", "indexed", "scorable", "stored", "column", "format_boost",
                 "boost_key", "stored_key")

    def __init__(self, fieldname: str, field, planned):
        self.field, self.planned = field, planned
        self.indexed, self.scorable, self.stored = field.indexed, field.scorable, field.stored
        self.column = field.column_type
        self.format_boost = field.format.field_boost if planned is not None else None
        # The keywords IndexWriter._field_boost and SegmentWriter.add_document look for.
        self.boost_key, self.stored_key = f"_{fieldname}_boost", f"_stored_{fieldname}"


class PositionValues:
    """A positions format's values: ``self(positions)`` is ``format_.encode(positions)``,
    and ``lone[position]`` the value of a lone position (most postings), made once
    and then read without a Python call."""

    __slots__ = ("encode", "lone")

    def __init__(self, format_):
        self.encode = format_.encode
        self.lone = _LonePositions(self.encode)

    def __call__(self, where: list[int]) -> bytes:
        if len(where) == 1:
            return self.lone[where[0]]
        return self.encode(where)


class _LonePositions(dict):
    __slots__ = ("encode",)

    def __init__(self, encode):
        super().__init__()
        self.encode = encode

    def __missing__(self, position: int) -> bytes:
        value = self[position] = self.encode([position])
        return value
