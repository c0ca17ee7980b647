"""Custom policy code loads only from registered rules: a scenario can name a rule, never a
module or a function, and plugins come only from the entry point group ``sim.policies``."""

from __future__ import annotations

import importlib
import importlib.metadata as md
import os
import sys

import pytest

from sim.rules import registry as rules
from sim.scenario import ScenarioError, scenario_from_dict
from tests.policy.conftest import tiny_data

NAMES = ["os.system", "os:system", "builtins.eval", "subprocess.Popen", "antigravity",
         "this", "sim.rules.registry:_load_plugins", "__import__('os').system('touch x')",
         "../../rules.py"]


@pytest.fixture
def nothing_runs(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"a policy tried to run a command: {args!r}")

    monkeypatch.setattr(os, "system", refuse)
    imported = []
    real = importlib.import_module

    def record(name, *args, **kwargs):
        imported.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", record)
    return imported


@pytest.mark.parametrize("name", NAMES)
def test_rule_named_by_module_path_is_refused(name, nothing_runs):
    before = set(sys.modules)
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(tiny_data(p={"rule": name}))
    (problem,) = [p for p in info.value.problems if p.path == "policies.p.rule"]
    assert f"unknown rule '{name}'" in problem.message and "expected one of:" in problem.message
    new = set(sys.modules) - before
    assert not {"antigravity", "this", "subprocess"} & new, new
    assert not [m for m in nothing_runs if m.split(".")[0] in ("os", "builtins", "subprocess",
                                                               "antigravity", "this")]


def test_nested_rules_are_names_too(nothing_runs):
    bad = {"rule": "cap", "params": {"rule": {"rule": "os.system"}, "max_share": 0.5}}
    with pytest.raises(ScenarioError, match="unknown rule 'os.system'"):
        scenario_from_dict(tiny_data(p=bad))


def test_entry_points_only_from_the_sim_policies_group(monkeypatch):
    asked, loaded = [], []

    class EP:
        def __init__(self, name, group):
            self.name, self.group = name, group

        def load(self):
            loaded.append((self.group, self.name))
            return lambda entry, ctx, params: {"IRQ": 1.0}

    def entry_points(**kwargs):
        asked.append(kwargs)
        group = kwargs.get("group")
        every = [EP("test_plugin_rule", "sim.policies"), EP("test_other_rule", "other.group")]
        return [ep for ep in every if group is None or ep.group == group]

    monkeypatch.setattr(md, "entry_points", entry_points)
    monkeypatch.setattr(rules, "_PLUGINS_LOADED", False)
    try:
        names = rules.rule_names()
    finally:
        rules.unregister_rule("test_plugin_rule")
        rules.unregister_rule("test_other_rule")
    assert asked == [{"group": "sim.policies"}]
    assert loaded == [("sim.policies", "test_plugin_rule")]
    assert "test_plugin_rule" in names and "test_other_rule" not in names


def test_the_package_declares_no_plugin_of_its_own():
    eps = md.entry_points(group="sim.policies")
    assert [ep.name for ep in eps if ep.dist and ep.dist.name == "sim"] == []
