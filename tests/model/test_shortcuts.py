"""Shortcuts of the daily engine stand for the computations they skip: the same runs, exactly.

- an escape or a recapture is decided by comparing a count with a least count found once,
  instead of evaluating ``u > exp(n * log(1 - p))`` every day;
- the dispatcher is not asked to plan on a day when only fewer people wait or more room
  opened and every pair was held back by a reason neither lifts;
- once Iraq's acceptance total is used up, the planning gate is not consulted at all and the
  end-of-day diagnosis is keyed on who waits alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim.model.gate as gate_module
from sim.model.escapes import least_count
from sim.scenario import load_scenario, scenario_from_dict
from tests import strategies

BASELINE = Path(__file__).parents[2] / "scenarios" / "baseline.yaml"


@settings(max_examples=200, deadline=None)
@given(u=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=20),
       p=st.lists(st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.0, 1e-9, 0.5, 1.0])),
                  min_size=1, max_size=20),
       cap=st.integers(0, 400))
def test_least_count_is_where_the_daily_test_first_passes(u, p, cap):
    k = min(len(u), len(p))
    u_a, p_a = np.array(u[:k]), np.array(p[:k])
    with np.errstate(divide="ignore"):
        log_q = np.log1p(-p_a)
    least = least_count(u_a, log_q, cap)
    n = np.arange(cap + 1)
    with np.errstate(invalid="ignore"):  # 0 * -inf
        passes = u_a[:, None] > np.exp(n[None, :] * log_q[:, None])  # [k, cap + 1]
    for i in range(k):  # the test passes exactly from the least count on (never at n = 0)
        assert (passes[i] == (n >= least[i])).all(), (u_a[i], p_a[i], least[i])
        assert 1 <= least[i] <= cap + 1


def _runs_with_and_without_skipping(scn, policy, monkeypatch):
    """The run as the engine makes it, the run planned every time inputs change, and how
    many plans the engine skipped."""
    from sim.simulation import simulate

    skipped = []
    real, shut = gate_module.unmoved_by_more, gate_module.PlanningGate.shut

    def counted(*args):  # asked last: True exactly when a planning is skipped
        out = real(*args)
        skipped.append(out)
        return out

    def shut_counted(gate):  # True: the gate is not consulted at all
        out = shut.fget(gate)
        skipped.append(out)
        return out

    monkeypatch.setattr(gate_module, "unmoved_by_more", counted)
    monkeypatch.setattr(gate_module.PlanningGate, "shut", property(shut_counted))
    fast = simulate(scn, policy=policy, replication=0)
    monkeypatch.setattr(gate_module, "unmoved_by_looser", lambda *args: False)
    monkeypatch.setattr(gate_module.PlanningGate, "shut", property(lambda gate: False))
    full = simulate(scn, policy=policy, replication=0)
    return fast, full, sum(skipped)


def _same_run(a, b) -> None:
    ra, rb = a.raw, b.raw
    for name in ("site_stock", "dest_stock", "in_transit", "escaped", "recaptured", "blocked",
                 "waiting", "stuck", "reason", "cost", "personnel", "held_for_funding"):
        assert np.array_equal(getattr(ra, name), getattr(rb, name)), name
    assert [(t.depart, t.people, t.route) for t in ra.trips] == \
        [(t.depart, t.people, t.route) for t in rb.trips]
    assert a.kpis.keys() == b.kpis.keys()
    assert np.array_equal([a.kpis[k] for k in a.kpis], [b.kpis[k] for k in a.kpis],
                          equal_nan=True)


@pytest.mark.parametrize("policy", ["iraq_alone", "nationality", "eu_key"])
def test_skipped_planning_changes_nothing_on_the_baseline(policy, monkeypatch):
    fast, full, skipped = _runs_with_and_without_skipping(load_scenario(BASELINE), policy,
                                                          monkeypatch)
    assert skipped > 20  # the shortcut is taken: the comparison means something
    _same_run(fast, full)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=strategies.scenarios(horizon=(30, 200)))
def test_skipped_planning_changes_nothing_on_generated_scenarios(data, tmp_path_factory):
    data["policies"] = {"tight": {"rule": "host_pays", "budgets": {"IRQ": {"annual": 3.0e5}}}}
    scn = scenario_from_dict(data)
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, full, _ = _runs_with_and_without_skipping(scn, "tight", monkeypatch)
    _same_run(fast, full)


def _one_day(waiting, last_reason, unfunded, final, pair_site, n_sites):
    """:func:`sim.model.boarding.diagnose_days` of one day on its own: (held back by each
    constraint, for good, waiting in all, reasons [S, G])."""
    from sim.model.boarding import diagnose_days, pair_reasons

    code, left, fin = pair_reasons(last_reason, unfunded, final, waiting.shape[1])
    reasons, out, stuck, total = diagnose_days(waiting[None], code[None], left[None],
                                               fin[None], pair_site, n_sites)
    return out[0], int(stuck[0]), int(total[0]), reasons[0]


@settings(max_examples=100, deadline=None)
@given(waiting=st.lists(st.lists(st.integers(0, 50), min_size=4, max_size=4), min_size=1,
                        max_size=5),
       left_off=st.lists(st.booleans(), min_size=4, max_size=4))
def test_diagnosis_of_pairs_all_held_back_for_money(waiting, left_off):
    """Every pair held back for money: each waiting cell's reason is funding, everyone
    waiting counts under funding, nobody for good (whatever groups were left off)."""
    from sim.model.boarding import FUNDING

    w = np.array(waiting, dtype=np.int64)  # [P, G], each pair at its own site
    P, G = w.shape
    out, stuck, total, reasons = _one_day(w, ["funding"] * P, [np.array(left_off)] * P,
                                          [False] * P, np.arange(P), P)
    assert total == w.sum() and stuck == 0
    assert out[FUNDING] == w.sum() and out.sum() == w.sum()
    assert ((reasons == FUNDING) == (w > 0)).all() and ((reasons == -1) == (w == 0)).all()


@settings(max_examples=100, deadline=None)
@given(data=st.data(), n=st.integers(1, 6))
def test_diagnosis_of_days_together_is_that_of_each_day(data, n):
    """Diagnosing n days in one call (each with its own pairs' reasons) gives each day's own
    diagnosis, and the counts add up: everyone waiting for a pair held back by a constraint
    is held back by exactly one (a group left off for money by funding), those held for
    good are among them."""
    from sim.model.boarding import BLOCK_REASONS, diagnose_days, pair_reasons

    P, G = 4, 5
    pair_site = np.array([0, 0, 1, 2])  # two pairs share site 0: they carry other groups
    carries = np.array([[1, 1, 0, 0, 0], [0, 0, 1, 1, 1], [1] * 5, [1] * 5], dtype=bool)
    counts = st.lists(st.integers(0, 30), min_size=G, max_size=G)
    waiting = np.array(data.draw(st.lists(st.lists(counts, min_size=P, max_size=P),
                                          min_size=n, max_size=n))) * carries
    days = []
    for _ in range(n):
        reasons_of = data.draw(st.lists(st.sampled_from([None, "unknown", *BLOCK_REASONS]),
                                        min_size=P, max_size=P))
        unfunded = [None if not data.draw(st.booleans()) else
                    np.array(data.draw(st.lists(st.booleans(), min_size=G, max_size=G)))
                    for _ in range(P)]
        days.append((reasons_of, unfunded, data.draw(st.lists(st.booleans(), min_size=P,
                                                                 max_size=P))))
    code, left, final = (np.stack(x) for x in zip(*(pair_reasons(*day, G) for day in days)))
    reasons, blocked, stuck, total = diagnose_days(waiting, code, left, final, pair_site, 3)
    for d, (reasons_of, unfunded, fin) in enumerate(days):
        out, s, t, one = _one_day(waiting[d], reasons_of, unfunded, fin, pair_site, 3)
        assert (one == reasons[d]).all() and (out == blocked[d]).all()
        assert (s, t) == (stuck[d], total[d])
        held_back = [i for i, r in enumerate(reasons_of) if r in BLOCK_REASONS]
        counted = sum(waiting[d][i].sum() for i in held_back)
        assert blocked[d].sum() == counted and stuck[d] <= counted <= total[d]
        assert total[d] == waiting[d].sum()
        assert (reasons[d] >= 0).sum() == sum((waiting[d][i] > 0).sum() for i in held_back)
        expected, expected_stuck = np.zeros(len(BLOCK_REASONS), dtype=np.int64), 0
        for i in held_back:  # by hand, cell by cell
            for g in np.flatnonzero(waiting[d][i]):
                off = unfunded[i] is not None and unfunded[i][g]
                why = BLOCK_REASONS.index("funding" if off else reasons_of[i])
                assert reasons[d][pair_site[i], g] == why
                expected[why] += waiting[d][i][g]
                expected_stuck += 0 if off or not fin[i] else waiting[d][i][g]
        assert (blocked[d] == expected).all() and stuck[d] == expected_stuck


@pytest.mark.parametrize("policy", [None, "iraq_alone", "hybrid"])
def test_diagnosis_in_bulk_is_the_diagnosis_day_by_day(policy, monkeypatch):
    """Diagnosing the noted days together when the run ends records what diagnosing each
    day at its end records."""
    from sim.model import diagnosis
    from sim.simulation import simulate

    bulk = simulate(load_scenario(BASELINE), policy=policy, replication=1)
    real_init = diagnosis.Diagnosis.__init__
    monkeypatch.setattr(diagnosis.Diagnosis, "__init__",
                        lambda self, *a, eager: real_init(self, *a, eager=True))
    daily = simulate(load_scenario(BASELINE), policy=policy, replication=1)
    assert bulk.raw.waiting.any()  # people wait: the diagnosis is not trivial
    _same_run(bulk, daily)
