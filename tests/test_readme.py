"""The README runs as written: its synopsis matches --help, and its commands, examples
and code blocks run on a fresh clone (only files tracked in the repository)."""

import re
import shlex
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from search.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Commands that serve or measure for minutes: their options and paths are checked,
# not run (tests/test_bench.py and tests/test_service_*.py run them on small input).
PARSED_ONLY = {("serve",), ("bench", "run"), ("bench", "serve"), ("bench", "shards"),
               ("watch",)}


def indented_blocks(text: str) -> list[list[str]]:
    """Markdown's indented code blocks, as lists of lines without the indent."""
    blocks, current = [], []
    in_fence = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
        if not in_fence and line.startswith("    ") and not line.startswith("    -"):
            current.append(line[4:])
        elif current and line.strip():
            blocks.append(current)
            current = []
    return blocks + ([current] if current else [])


def synopsis_lines() -> list[str]:
    section = README[README.index("## Command line"):]
    return [line for line in indented_blocks(section)[0]]


def command_of(words: list[str]):
    """(click command, its name path, the words after it) for ``izde WORDS``."""
    command, path = main, []
    rest = list(words)
    while isinstance(command, click.Group) and rest and rest[0] in command.commands:
        command = command.commands[rest[0]]
        path.append(rest.pop(0))
    return command, tuple(path), rest


def help_options(command) -> dict[str, object]:
    """Every option of ``command`` by each of its names, --help aside."""
    options = {}
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden and "--help" not in param.opts:
            for name in (*param.opts, *param.secondary_opts):
                options[name] = param
    return options


def test_every_command_has_a_synopsis_line_naming_exactly_its_options():
    written_by_command: dict[tuple, set[str]] = {}
    for line in synopsis_lines():
        words = line.split("#")[0].split()
        assert words[0] == "izde"
        command, path, rest = command_of(words[1:])
        options = help_options(command)
        written = written_by_command.setdefault(path, set())
        for name, value in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)(?: ([^\s\]]+))?",
                                      " ".join(rest)):
            assert name in options, f"`{line}`: {name} is not an option of izde {' '.join(path)}"
            written.add(options[name].name)
            choices = getattr(options[name].type, "choices", None)
            if choices and value and "|" in value:
                assert set(value.split("|")) == set(choices), f"`{line}`: {name} {value}"
    for group, cmd in [((), main)] + [((name,), main.commands[name]) for name in main.commands]:
        subcommands = getattr(cmd, "commands", {})
        paths = [(*group, name) for name in subcommands] if group or not subcommands else []
        for path in paths + ([group] if not subcommands or not group else []):
            command, _, _ = command_of(list(path))
            assert path in written_by_command, f"no synopsis line for izde {' '.join(path)}"
            missing = {p.opts[-1] for p in help_options(command).values()
                       if p.name not in written_by_command[path]}
            assert not missing, f"the synopsis of izde {' '.join(path)} lacks {sorted(missing)}"


def readme_commands() -> list[list[str]]:
    """Every `izde ...` command of the README's indented blocks, outside the synopsis."""
    commands = []
    synopsis = set(synopsis_lines())
    for block in indented_blocks(README):
        for line in block:
            if line in synopsis:
                continue
            for part in line.split("#")[0].split("&&"):
                if part.strip().startswith("izde "):
                    commands.append(shlex.split(part)[1:])
    return commands


def shell_examples() -> list[tuple[list[str], str]]:
    """(`izde` arguments, expected output) of each fenced ``$ izde ...`` example."""
    examples = []
    for block in re.findall(r"```\n(\$ izde .*?)```", README, re.S):
        first, _, output = block.partition("\n")
        examples.append((shlex.split(first[len("$ izde "):]), output))
    return examples


@pytest.fixture
def fresh_clone(tmp_path, monkeypatch):
    """The seeds and shipped samples, as a clone has them; the working folder."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "data" / "sample", tmp_path / "data" / "sample")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_readme_commands_run_on_a_fresh_clone(fresh_clone, monkeypatch):
    commands = readme_commands()
    assert len(commands) >= 8 and any(c[:2] == ["eval", "retrieval"] for c in commands)
    for args in commands:
        command, path, _ = command_of(args)
        # Embedding a folder takes minutes here: tests/test_semantic.py runs it on tiny input.
        # A --cluster command needs a Dask scheduler: tests/test_cluster.py starts one.
        if path in PARSED_ONLY or "--semantic" in args or "--cluster" in args:
            monkeypatch.setattr(command, "callback", lambda **options: None)
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, f"izde {shlex.join(args)}:\n{result.output}"
        monkeypatch.undo()
        monkeypatch.chdir(fresh_clone)


def test_readme_examples_print_what_the_readme_shows(fresh_clone):
    examples = shell_examples()
    assert len(examples) >= 2
    CliRunner().invoke(main, ["index"])  # the examples assume the index exists
    for args, expected in examples:
        result = CliRunner().invoke(main, args)
        assert result.output == expected, f"izde {shlex.join(args)}"


def test_readme_python_blocks_run(fresh_clone):
    for block in re.findall(r"```python\n(.*?)```", README, re.S):
        exec(compile(block, "README.md", "exec"), {})
