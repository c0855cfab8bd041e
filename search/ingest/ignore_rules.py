"""Which files a folder walk skips, as ripgrep decides it.

Hidden files and folders (names starting with a dot) are skipped; the patterns
of ``.gitignore``, ``.ignore`` and ``.izdeignore`` files are honoured in the
folder that holds them and below, with git's syntax and precedence: a deeper
file overrides a shallower one, and in one folder ``.ignore`` overrides
``.gitignore`` and ``.izdeignore`` overrides both (a ``!pattern`` re-includes).
``--glob`` patterns, given by the user, decide last: ``*.pdf`` takes only
matching files, ``!drafts/`` leaves matching ones out.

    >>> rules = IgnoreRules(Path("docs"), globs=["!*.log"])
    >>> rules.skips(Path("docs/build/x.txt"))   # doctest: +SKIP
"""

from pathlib import Path

import pathspec

from search.errors import IzdeError

IGNORE_FILES = (".gitignore", ".ignore", ".izdeignore")  # lowest precedence first


class BadGlobError(IzdeError):
    """A --glob pattern that is not a valid gitignore-style pattern."""

    exit_code = 2


def glob_specs(globs: list[str]) -> tuple[pathspec.PathSpec | None, pathspec.PathSpec | None]:
    """(include, exclude) specs of ``--glob`` patterns; ``!`` marks an exclusion."""
    if any(not g.strip("!").strip() for g in globs):
        raise BadGlobError("bad --glob pattern: empty (use a pattern such as '*.pdf' or "
                           "'!drafts/')")
    include = [g for g in globs if not g.startswith("!")]
    exclude = [g[1:] for g in globs if g.startswith("!")]
    try:
        return (pathspec.GitIgnoreSpec.from_lines(include) if include else None,
                pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None)
    except (ValueError, TypeError) as error:
        raise BadGlobError(f"bad --glob pattern: {error}") from None


class IgnoreRules:
    """The ignore files met while walking down from ``root``, and the user's globs."""

    def __init__(self, root: Path, globs: list[str] = ()):
        self.root = root
        self._specs: dict[Path, list[pathspec.PathSpec]] = {}
        self._include, self._exclude = glob_specs(list(globs))

    def enter(self, folder: Path) -> None:
        """Read the ignore files of ``folder`` (call before looking at its entries)."""
        specs = []
        for name in IGNORE_FILES:
            try:
                lines = (folder / name).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            specs.append(pathspec.GitIgnoreSpec.from_lines(lines))
        if specs:
            self._specs[folder] = specs

    def skips(self, path: Path, is_dir: bool = False) -> bool:
        """Whether the walk leaves ``path`` (a file or folder under the root) out."""
        if path.name.startswith("."):
            return True
        relative = path.relative_to(self.root).as_posix() + ("/" if is_dir else "")
        if self._exclude is not None and self._exclude.match_file(relative):
            return True
        if self._ignored(path, is_dir):
            return True
        # Include globs choose files; folders are walked into to find them.
        return not is_dir and self._include is not None \
            and not self._include.match_file(relative)

    def _ignored(self, path: Path, is_dir: bool) -> bool:
        for folder in (path.parent, *path.parent.parents):  # nearest folder first
            for spec in reversed(self._specs.get(folder, ())):
                relative = path.relative_to(folder).as_posix() + ("/" if is_dir else "")
                decision = spec.check_file(relative).include
                if decision is not None:
                    return decision
            if folder == self.root:
                break
        return False
