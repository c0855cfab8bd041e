import shutil
from pathlib import Path

import pytest

from search import Index

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
KAZAKH_SEED = "003_39e129c5cc536c5f.txt"
FOREST_SEED = "000_91e10abcbcaecb03.txt"


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory):
    """An index of the seed documents, built once for the whole test session."""
    folder = tmp_path_factory.mktemp("seeds-index")
    corpus = folder / "seeds"
    shutil.copytree(SEEDS, corpus)
    index = Index(folder / "index")
    index.update([corpus])
    yield index
    index.close()


@pytest.fixture
def corpus(tmp_path):
    """An empty folder to drop test files into, and an index beside it."""
    folder = tmp_path / "docs"
    folder.mkdir()
    return folder
