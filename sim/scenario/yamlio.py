"""Safe YAML reading that remembers the file and line of every key, and deep merging.

Only plain YAML data is built (mappings, lists, text, numbers, booleans, null, dates); any
other tag (``!!python/...``, ``!!binary``, custom ``!tags``) is refused with a located
problem, never constructed. Each value's location is kept in a map
``path tuple -> (file, line)`` so that validation errors can point at the line.
"""

from __future__ import annotations

import copy
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from sim.messages import shown
from sim.scenario.errors import Problem, ScenarioError

Path_ = tuple  # a path into the data: keys and list indices
Locations = dict[tuple, tuple[str, int | None]]

MAX_NODES = 500_000
"""Values built from one file, counting every alias expansion (stops 'billion laughs')."""
MAX_BYTES = 2 * 1024 * 1024
"""Largest file read (2 MiB, forty times the largest shipped scenario): checked before
parsing, so that a huge file is refused at once rather than after minutes and gigabytes."""
MAX_DEPTH = 50
"""Deepest nesting of mappings and lists (a scenario needs about ten levels): checked while
the document is composed, before any value is built."""

_PLAIN = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_PLAIN + t for t in ("null", "bool", "int", "float", "str", "timestamp")}
_EXPECT_PLAIN = ("expected plain YAML data: mappings, lists, text, numbers, true/false, "
                 "null and dates")


class _Loader(yaml.SafeLoader):
    """SafeLoader (no object construction) used only to compose nodes and build scalars;
    refuses nesting deeper than :data:`MAX_DEPTH` as it composes (before building)."""

    _depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:
                raise _TooDeep(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# YAML 1.1 (PyYAML) reads ``46.0e6`` or ``1e6`` as text; read them as numbers, as YAML 1.2,
# JSON and every editor do.
_Loader.add_implicit_resolver(
    _PLAIN + "float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def read_yaml(path: Path) -> tuple[Any, Locations]:
    """Parse ``path`` safely; return the data and the location of every key and item.

    An empty file gives ``{}``. Problems raise :class:`ScenarioError`.
    """
    name = str(path)
    problem = file_problem(path)
    if problem:
        raise ScenarioError([Problem(name, None, "", problem)])
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(
            [Problem(name, None, "", f"cannot read file ({exc.strerror or exc})")]) from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError([_too_large(name, raw.count(b"\n", 0, MAX_BYTES) + 1)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start:exc.start + 1].hex()
        raise ScenarioError([Problem(
            name, line, "",
            f"not UTF-8 text: byte 0x{byte} cannot be decoded (expected a UTF-8 encoded "
            f"file; re-save it as UTF-8)")]) from None
    return parse_yaml(text, name)


def file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as a YAML file (None if it can): missing, a directory, or
    not a regular file (a device or a pipe, which could block or never end)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "file not found"
    except OSError as exc:
        return f"cannot read file ({exc.strerror or exc})"
    if stat.S_ISDIR(mode):
        return "is a directory (expected a YAML file)"
    if not stat.S_ISREG(mode):
        return "is not a regular file, but a device, a pipe or a socket (expected a YAML file)"
    return None


def _too_large(name: str, line: int) -> Problem:
    return Problem(name, line, "", f"file too large: it passes {MAX_BYTES // 1024 // 1024} MiB "
                                   f"at line {line} (expected a scenario or spec of at most "
                                   f"{MAX_BYTES:,} bytes)")


def parse_yaml(text: str, name: str) -> tuple[Any, Locations]:
    """Parse YAML ``text`` (named ``name`` in messages); return the data and locations."""
    if len(text) > MAX_BYTES:
        raise ScenarioError([_too_large(name, text.count("\n", 0, MAX_BYTES) + 1)])
    locs: Locations = {}
    problems: list[Problem] = []
    loader = None
    budget = [MAX_NODES]
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            return {}, locs
        active: set[int] = set()

        def build(n: yaml.Node, path: tuple) -> Any:
            line = n.start_mark.line + 1
            locs.setdefault(path, (name, line))
            budget[0] -= 1
            if budget[0] < 0:
                raise _TooBig(line)
            if len(path) > MAX_DEPTH:  # aliases can nest deeper than the text does
                raise _TooDeep(line)
            if id(n) in active:
                problems.append(Problem(name, line, _dotted(path),
                                        "an alias refers to itself (expected no recursive "
                                        "anchors)"))
                return None
            if isinstance(n, yaml.MappingNode):
                if n.tag != _PLAIN + "map":
                    problems.append(_tag_problem(name, line, path, n.tag))
                    return None
                active.add(id(n))
                try:
                    loader.flatten_mapping(n)
                    out: dict = {}
                    for k_node, v_node in n.value:
                        k_line = k_node.start_mark.line + 1
                        if not isinstance(k_node, yaml.ScalarNode):
                            problems.append(Problem(name, k_line, _dotted(path),
                                                    "a key must be a plain value (expected "
                                                    "a name, not a list or mapping)"))
                            continue
                        key = scalar(k_node, path)
                        if key is _BAD:
                            continue
                        if key in out:
                            problems.append(Problem(
                                name, k_line, _dotted(path + (key,)),
                                f"duplicate key '{key}' (expected each key once in a "
                                f"mapping)"))
                        locs[path + (key,)] = (name, k_line)
                        out[key] = build(v_node, path + (key,))
                    return out
                finally:
                    active.discard(id(n))
            if isinstance(n, yaml.SequenceNode):
                if n.tag != _PLAIN + "seq":
                    problems.append(_tag_problem(name, line, path, n.tag))
                    return None
                active.add(id(n))
                try:
                    return [build(item, path + (i,)) for i, item in enumerate(n.value)]
                finally:
                    active.discard(id(n))
            value = scalar(n, path)
            return None if value is _BAD else value

        def scalar(n: yaml.ScalarNode, path: tuple) -> Any:
            if n.tag == _PLAIN + "value":  # a bare '=' (YAML 1.1's "value" key): just text
                return n.value
            if n.tag not in _SCALAR_TAGS:
                problems.append(_tag_problem(name, n.start_mark.line + 1, path, n.tag))
                return _BAD
            try:
                return loader.construct_object(n, deep=True)
            except (ValueError, OverflowError):
                # e.g. 2026-13-40 looks like a date but is not one: keep the text, and let
                # validation say what was expected in that place
                return n.value

        data = build(node, ())
    except _TooBig as exc:
        raise ScenarioError([Problem(
            name, exc.line, "",
            f"document too large: more than {MAX_NODES:,} values after expanding aliases "
            f"(expected a scenario of reasonable size; are aliases nested?)")]) from None
    except _TooDeep as exc:
        raise ScenarioError([_too_deep(name, exc.line)]) from None
    except RecursionError:  # not expected with the depth limit; kept as a last guard
        raise ScenarioError([_too_deep(name, None)]) from None
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError([_syntax_problem(name, exc)]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        char = exc.character
        code = ord(char) if isinstance(char, str) else char
        shown = f"#x{code:04x}" if isinstance(code, int) else repr(char)
        raise ScenarioError([Problem(
            name, line, "",
            f"unacceptable character {shown} (expected printable text; control characters "
            f"are not allowed in YAML)")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(name, None, "", f"YAML error: {exc}")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if problems:
        raise ScenarioError(problems)
    return data, locs


class _TooBig(Exception):
    def __init__(self, line: int | None):
        self.line = line


class _TooDeep(Exception):
    def __init__(self, line: int | None):
        self.line = line


def _too_deep(name: str, line: int | None) -> Problem:
    return Problem(name, line, "", f"nesting too deep: more than {MAX_DEPTH} levels of "
                                   f"mappings and lists (expected at most {MAX_DEPTH}; a "
                                   f"scenario needs about ten)")


_BAD = object()


def _tag_problem(name: str, line: int, path: tuple, tag: str) -> Problem:
    short = "!!" + tag[len(_PLAIN):] if tag.startswith(_PLAIN) else tag
    return Problem(name, line, _dotted(path),
                   f"YAML tag '{short}' is not allowed ({_EXPECT_PLAIN})")


_INDENT = ("the indentation does not line up (expected the keys of one mapping to start in "
           "the same column)")
_HINTS = (
    ("found character '\\t'", "tabs cannot indent YAML (expected spaces)"),
    ("<block end>, but found '-'", "a list item where a key was expected (expected '- items' "
                                   "indented under their key, and nothing else among them)"),
    ("<block end>, but found '?'", "a key where a list item was expected (expected only "
                                   "'- items' in a list, or the key to line up with its parent)"),
    ("<block end>, but found '<scalar>'", "more text after a value (expected one value per "
                                          "key; quote text that contains quotes or ': ')"),
    ("<block end>", _INDENT),
    ("<document start>", "unexpected content at the top level (expected a single mapping of "
                         "sections; look for a stray '%', '---', '...' or a line out of place)"),

    ("mapping values are not allowed", "unexpected ':' (expected 'key: value' with a space "
                                       "after the colon; quote text that contains ': ')"),
    ("could not find expected ':'", "a line without ':' (expected 'key: value' or a "
                                    "'- item' of a list)"),
    ("another document", "more than one YAML document (expected a single document; remove "
                         "'---')"),
    ("undefined alias", None),
)


def _syntax_problem(name: str, exc: yaml.MarkedYAMLError) -> Problem:
    """One readable message for a PyYAML error, at the line where it was noticed."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    ctx_line = exc.context_mark.line + 1 if exc.context_mark else None
    if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in problem:
        return Problem(name, line, "", f"{problem} ({_EXPECT_PLAIN})")
    for needle, hint in _HINTS:
        if needle in problem and hint:
            at = ctx_line if "expected ':'" in problem and ctx_line else line
            return Problem(name, at, "", f"YAML syntax error: {hint}")
    if "quoted scalar" in context:
        return Problem(name, ctx_line or line, "",
                       "YAML syntax error: a quote is not closed (expected a matching "
                       "closing quote)")
    if "flow sequence" in context or "flow mapping" in context:
        what = "[" if "sequence" in context else "{"
        return Problem(name, line, "",
                       f"YAML syntax error: {problem} (expected the '{what}' opened on line "
                       f"{ctx_line} to be closed)")
    if "<stream end>" in problem:
        return Problem(name, line, "", "YAML syntax error: the file ends too early (expected "
                                       "every '[', '{' and quote to be closed)")
    where = f"; {context} on line {ctx_line}" if context and ctx_line else ""
    return Problem(name, line, "", f"YAML syntax error: {problem}{where} (expected valid YAML)")


def _dotted(path: tuple) -> str:
    parts = (p if isinstance(p, str) else str(p) for p in path)
    return ".".join(p if _plain_part(p) else shown(p) for p in parts)


def _plain_part(part: str) -> bool:
    """A key a dotted path can show as it is (else it is quoted with escapes, so that a path
    never breaks the ``file:line: path: message`` form)."""
    return bool(part) and part.isprintable() and ":" not in part and part == part.strip() \
        and len(part) <= 60


def dotted(path: tuple) -> str:
    """``('routes', 0, 'fleet')`` -> ``routes.0.fleet``."""
    return _dotted(path)


def deep_merge(base: Any, override: Any) -> Any:
    """Merge ``override`` into ``base``: mappings merge key by key, anything else replaces.

    A distribution (a mapping with ``dist:``) whose ``dist`` changes is replaced whole, since
    parameters of one kind of distribution mean nothing to another.
    """
    if isinstance(base, dict) and isinstance(override, dict):
        if "dist" in override and override.get("dist") != base.get("dist"):
            return copy.deepcopy(override)
        out = dict(base)
        for key, value in override.items():
            out[key] = deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(override)


def locate(locs: Locations, path: tuple, default_file: str) -> tuple[str, int | None]:
    """File and line of the longest prefix of ``path`` that has a location."""
    for cut in range(len(path), -1, -1):
        hit = locs.get(tuple(path[:cut]))
        if hit:
            return hit
    return default_file, None
