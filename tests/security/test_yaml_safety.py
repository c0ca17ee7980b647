"""YAML is loaded safely everywhere users give it: no object is ever constructed from a tag,
and documents that expand without bound are refused.

Scenarios: tests/scenario/test_bad_inputs.py::test_python_tag_is_never_executed (and the
corpus files python_object_tag.yaml, python_name_tag.yaml). Here: batch specs, the batch
results folder's stored spec, and alias bombs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.batch import load_spec, open_results, run_batch
from sim.scenario import ScenarioError, load_scenario
from tests.batch.helpers import write_spec

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"

TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:collections.OrderedDict {{}}",
    "!!binary aGVsbG8=",
    "!custom {{a: 1}}",
]


@pytest.mark.parametrize("tag", TAGS)
def test_batch_spec_python_tags_are_refused_not_run(tmp_path, tag):
    marker = tmp_path / "pwned"
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"name: {tag.format(marker=marker)}\nscenarios: [{TINY}]\n"
                    f"replications: 2\n")
    with pytest.raises(ScenarioError) as info:
        load_spec(spec)
    assert not marker.exists()
    (p,) = info.value.problems
    assert (Path(p.file).name, p.line, p.path) == ("spec.yaml", 1, "name")
    assert "is not allowed" in p.message


def _bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused(tmp_path):
    # 9 levels of 9 aliases: 9^9 (~387 million) values if expanded
    for loader, name in ((load_scenario, "scenario.yaml"), (load_spec, "spec.yaml")):
        path = tmp_path / name
        path.write_text(_bomb())
        with pytest.raises(ScenarioError, match="document too large"):
            loader(path)


def test_stored_spec_with_a_tag_is_not_constructed(tmp_path):
    # a results folder edited by someone else: reading its spec never builds objects
    out = tmp_path / "out"
    run_batch(write_spec(tmp_path, replications=1), out, workers=0, progress=False)
    marker = tmp_path / "pwned"
    (out / "spec.yaml").write_text(f"x: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(yaml.YAMLError):
        _ = open_results(out).spec
    assert not marker.exists()
