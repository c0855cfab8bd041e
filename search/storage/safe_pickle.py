"""Unpickling what an index folder holds without letting it run code.

Whoosh stores the TOC's segment list, term-table extras and postings blocks as
pickles, and Izde's codec pickled blocks in its older layouts. A pickle can
name any importable callable and call it, so a crafted ``_MAIN_N.toc`` ran a
payload on ``izde search``: an index folder shared or downloaded was
executable content. Here every pickle read from an index is loaded by an
unpickler that admits only the classes those formats need (Python's
documented "restricting globals"), anything else fails as damage.

Most pickles an index holds are plain data (lists of numbers, bytes): when
none of the opcodes that import or call anything occurs in the bytes, the C
``pickle.loads`` is as safe and three times faster, so it reads them.
:func:`install` points Whoosh's readers here; :func:`search.storage.open.open_index`
calls it before the first TOC is read.
"""

import _compat_pickle
import io
import pickle
import re
import types

# What Izde's and Whoosh's on-disk formats pickle: the segment list (W3Segment
# holding the codec and a defaultdict of field lengths), blocks of numbers and
# bytes (protocol 2 writes bytes through _codecs.encode, arrays by name).
ALLOWED_GLOBALS = frozenset({
    ("builtins", "int"), ("builtins", "float"), ("builtins", "str"), ("builtins", "bytes"),
    ("builtins", "bytearray"), ("builtins", "list"), ("builtins", "tuple"),
    ("builtins", "dict"), ("builtins", "set"), ("builtins", "frozenset"),
    ("builtins", "bool"), ("builtins", "complex"), ("builtins", "object"),
    ("collections", "defaultdict"), ("collections", "OrderedDict"),
    ("copyreg", "_reconstructor"), ("_codecs", "encode"),
    ("array", "array"), ("array", "_array_reconstructor"),
    ("whoosh.codec.whoosh3", "W3Segment"), ("whoosh.codec.whoosh3", "W3Codec"),
    ("search.codec", "IzdeCodec"), ("search.storage.codec", "IzdeCodec"),
})

# Opcodes that import (GLOBAL, STACK_GLOBAL, EXT*), call (REDUCE, INST, OBJ,
# NEWOBJ*, BUILD) or hand objects to a hook (PERSID): absent from a pickle's
# bytes, no byte of it can be one of them.
_CODE_OPCODES = re.compile(rb"[ci\x93Ro\x81\x92b\x82\x83\x84PQ]")


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that refuses every global outside :data:`ALLOWED_GLOBALS`."""

    def find_class(self, module: str, name: str):
        # Protocol 2 names Python 2's modules (__builtin__.set, copy_reg): as Python maps them.
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        if (module, name) not in ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"the index names {module}.{name}, which no Izde "
                                         f"index holds; refusing to load it")
        return super().find_class(module, name)

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("persistent ids are not part of an index")


# A TOC's schema (read only when no schema is given: never by Izde, but by the
# bench's stock-Whoosh engine) pickles its fields, formats and analysis chain:
# classes of these packages, stemming functions of whoosh.lang, compiled regexes.
_SCHEMA_PACKAGES = ("whoosh.fields", "whoosh.formats", "whoosh.analysis.", "whoosh.lang.",
                    "analyzers.", "search.storage.schema")


class SchemaUnpickler(RestrictedUnpickler):
    """:class:`RestrictedUnpickler` that also admits what a pickled Whoosh schema names."""

    def find_class(self, module: str, name: str):
        if (module, name) == ("re", "_compile"):
            return super(RestrictedUnpickler, self).find_class(module, name)
        if module.startswith(_SCHEMA_PACKAGES) or module == "analyzers":
            found = super(RestrictedUnpickler, self).find_class(module, name)
            kind_allowed = isinstance(found, type) or (module.startswith("whoosh.lang.")
                                                      and isinstance(found, types.FunctionType))
            if kind_allowed and getattr(found, "__module__", None) == module:
                return found
        return super().find_class(module, name)


def _safe_schema_loads(data: bytes):
    return SchemaUnpickler(io.BytesIO(data)).load()


def safe_loads(data: bytes):
    """``pickle.loads`` admitting only :data:`ALLOWED_GLOBALS`."""
    if not _CODE_OPCODES.search(data):
        return pickle.loads(data)  # only data opcodes: nothing to import or call
    return RestrictedUnpickler(io.BytesIO(data)).load()


def safe_load(file):
    """``pickle.load`` admitting only :data:`ALLOWED_GLOBALS`."""
    return RestrictedUnpickler(file).load()


# Whoosh's modules that unpickle what they read from an index, and the name
# each calls ``pickle.loads`` by.
_LOADS_USERS = ("whoosh.codec.whoosh3", "whoosh.codec.whoosh2", "whoosh.codec.plaintext",
                "whoosh.formats", "whoosh.columns")
_installed = False


def install() -> None:
    """Point every Whoosh reader of index files at the restricted unpickler."""
    global _installed
    if _installed:
        return
    import importlib

    from whoosh import index as whoosh_index
    from whoosh.filedb import structfile

    for name in _LOADS_USERS:
        module = importlib.import_module(name)
        module.loads = safe_loads
    structfile.load = safe_load  # StructFile.read_pickle: TOC segments, term-table extras
    # The TOC's schema is skipped when a schema is given (Izde always gives one).
    whoosh_index.pickle = types.SimpleNamespace(loads=_safe_schema_loads, dumps=pickle.dumps,
                                                PicklingError=pickle.PicklingError)
    # TOCs of Whoosh 1.x are read by an unpickler that renames classes: Izde never wrote one.
    whoosh_index.toc_loaders = {}
    _installed = True
