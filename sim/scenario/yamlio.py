"""Safe YAML reading that remembers the file and line of every key, and deep merging.

Only YAML's safe types are constructed (no Python objects). Each value's location is kept in
a map ``path tuple -> (file, line)`` so that validation errors can point at the line.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from sim.scenario.errors import Problem, ScenarioError

Path_ = tuple  # a path into the data: keys and list indices
Locations = dict[tuple, tuple[str, int]]


class _Loader(yaml.SafeLoader):
    """SafeLoader (no object construction) used only to compose nodes and build scalars."""


def read_yaml(path: Path) -> tuple[Any, Locations]:
    """Parse ``path`` safely; return the data and the location of every key and item."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(name, None, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(name, None, "", f"cannot read file ({exc})")]) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> tuple[Any, Locations]:
    loader = _Loader(text)
    locs: Locations = {}
    problems: list[Problem] = []
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, locs

        def build(n: yaml.Node, path: tuple) -> Any:
            locs.setdefault(path, (name, n.start_mark.line + 1))
            if isinstance(n, yaml.MappingNode):
                loader.flatten_mapping(n)
                out: dict = {}
                for k_node, v_node in n.value:
                    key = loader.construct_object(k_node, deep=True)
                    if isinstance(key, (list, dict)):
                        problems.append(Problem(name, k_node.start_mark.line + 1,
                                                _dotted(path), "a key must be a plain value"))
                        continue
                    if key in out:
                        problems.append(Problem(name, k_node.start_mark.line + 1,
                                                _dotted(path + (key,)),
                                                f"duplicate key '{key}' (expected each key once)"))
                    locs[path + (key,)] = (name, k_node.start_mark.line + 1)
                    out[key] = build(v_node, path + (key,))
                return out
            if isinstance(n, yaml.SequenceNode):
                return [build(item, path + (i,)) for i, item in enumerate(n.value)]
            return loader.construct_object(n, deep=True)

        data = build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or str(exc)
        raise ScenarioError(
            [Problem(name, line, "", f"YAML syntax error: {what} (expected valid YAML)")]
        ) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(name, None, "", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    if problems:
        raise ScenarioError(problems)
    return data, locs


def _dotted(path: tuple) -> str:
    return ".".join(str(p) for p in path)


def dotted(path: tuple) -> str:
    """``('routes', 0, 'fleet')`` -> ``routes.0.fleet``."""
    return _dotted(path)


def deep_merge(base: Any, override: Any) -> Any:
    """Merge ``override`` into ``base``: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(override, dict):
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
