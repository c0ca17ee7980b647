"""The house rules of docs/architecture.md, checked on the code itself.

Every import statement of ``sim/`` (module level, inside functions and under
``TYPE_CHECKING`` alike) is read with :mod:`ast`; the test fails on an import circle, on an
import from a higher layer, and on modules and classes larger than the size limits.
Run alone: ``pytest tests/test_architecture.py -q``.
"""

from __future__ import annotations

import ast
from pathlib import Path

SIM = Path(__file__).resolve().parents[1] / "sim"

# Lowest first; a module may import from its own layer and the layers below it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("sim.errors", "sim.rng", "sim.numbers", "sim.costs", "sim.messages",
              "sim.schema_words", "sim.memory", "sim.lazy")),
    ("rules", ("sim.rules",)),
    ("scenario", ("sim.scenario",)),
    ("model", ("sim.model",)),
    ("policy", ("sim.policy",)),
    ("results", ("sim.kpis", "sim.results")),
    ("simulation", ("sim.simulation",)),
    ("store", ("sim.store",)),
    ("batch", ("sim.batch",)),
    ("analysis", ("sim.analysis",)),
    ("explore", ("sim.exploration",)),
    ("calibration", ("sim.calibration",)),
    ("figures", ("sim.plots",)),
    ("report", ("sim.report", "sim.verification")),
    ("cli", ("sim.cli", "sim.__main__")),
]
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 300
FORBIDDEN = [("sim.policy", "sim.model.world")]
"""(importer, imported) prefixes that are never allowed, whatever the layers say: the policy
package implements the model's funding interface and never runs the model."""

# A ratchet while the house is reorganised: each known violation is listed until it is
# fixed, and a listed one that no longer occurs fails the test until it is removed here.
KNOWN: set[str] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SIM.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """Modules of ``sim`` that module ``name`` imports (anywhere in its code)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([node.module] if node.module else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in MODULES:
                t = t.rpartition(".")[0]
            if t and t != name and t != "sim" and not name.startswith(t + "."):
                out.add(t)
    return out


GRAPH = {name: imports_of(name) for name in MODULES}


def layer_of(name: str) -> int:
    for i, (_, prefixes) in enumerate(LAYERS):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return i
    raise AssertionError(f"{name} is in no layer of tests/test_architecture.py")


def test_every_module_has_a_layer():
    for name in MODULES:
        if name != "sim":
            layer_of(name)


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_no_upward_imports():
    found = [f"{a} imports {b}" for a, targets in GRAPH.items() if a != "sim"
             for b in sorted(targets)
             if layer_of(b) > layer_of(a)
             or any(_within(a, x) and _within(b, y) for x, y in FORBIDDEN)]
    new = [f for f in found if f not in KNOWN]
    fixed = [k for k in KNOWN if " imports " in k and k not in found]
    assert not new, "imports against the layers:\n" + "\n".join(new)
    assert not fixed, f"fixed, remove from KNOWN: {fixed}"


def test_no_import_circles():
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in GRAPH:
        if v not in index:
            visit(v)
    found = ["circle " + " <-> ".join(c) for c in circles]
    new = [f for f in found if f not in KNOWN]
    fixed = [k for k in KNOWN if k.startswith("circle ") and k not in found]
    assert not new, "import circles:\n" + "\n".join(new)
    assert not fixed, f"fixed, remove from KNOWN: {fixed}"


def test_sizes():
    found, detail = [], {}
    for name, path in MODULES.items():
        text = path.read_text()
        lines = text.count("\n")
        if lines > MAX_MODULE_LINES:
            found.append(f"size {name}")
            detail[f"size {name}"] = f"{path}: {lines} lines (limit {MAX_MODULE_LINES})"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and \
                    node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES:
                key = f"size {name}.{node.name}"
                found.append(key)
                detail[key] = (f"{path}: class {node.name} has "
                               f"{node.end_lineno - node.lineno + 1} lines (limit "
                               f"{MAX_CLASS_LINES})")
    new = [detail[f] for f in found if f not in KNOWN]
    fixed = [k for k in KNOWN if k.startswith("size ") and k not in found]
    assert not new, "too large:\n" + "\n".join(new)
    assert not fixed, f"fixed, remove from KNOWN: {fixed}"
