"""Hypothesis strategies shared by the fuzz tests of scenarios and batch specs."""

from __future__ import annotations

from hypothesis import note
from hypothesis import strategies as st

_CHUNKS = ["\t", ": ", "- ", "{", "]", "'", '"', "&a ", "*a", "!!python/none ", "---\n", "\x00",
           "\ufeff", "%YAML 1.2\n", "? ", "<<: ", "!!python/object/apply:os.system [x] "]


@st.composite
def mutated_yaml(draw, valid: bytes) -> bytes:
    """The bytes of a valid YAML file with one to three random edits: flipped bytes,
    truncation, inserted YAML punctuation or tags, dropped, doubled or re-indented lines."""
    raw = bytearray(valid)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "drop_line", "dup_line",
                                   "indent", "colon"]))
        note(op)
        if not raw:
            raw = bytearray(draw(st.binary(max_size=20)))
            continue
        pos = draw(st.integers(0, len(raw) - 1))
        lines = bytes(raw).split(b"\n")
        i = draw(st.integers(0, len(lines) - 1))
        if op == "flip":
            raw[pos] ^= draw(st.integers(1, 255))
        elif op == "truncate":
            del raw[pos:]
        elif op == "insert":
            chunk = draw(st.text(max_size=6) | st.sampled_from(_CHUNKS))
            raw[pos:pos] = chunk.encode("utf-8")
        elif op == "drop_line":
            del lines[i]
            raw = bytearray(b"\n".join(lines))
        elif op == "dup_line":
            lines.insert(i, lines[i])
            raw = bytearray(b"\n".join(lines))
        elif op == "indent":
            lines[i] = (b" " * draw(st.integers(0, 6))) + lines[i].lstrip(b" ")
            raw = bytearray(b"\n".join(lines))
        elif op == "colon":
            raw = bytearray(bytes(raw).replace(b": ", b":", 1))
    return bytes(raw)


def paths(node, path=()):
    """Every path into a nested document (mappings and lists), the root first."""
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, path + (i,))


def get(node, path):
    """The value at ``path`` in a nested document."""
    for part in path:
        node = node[part]
    return node
