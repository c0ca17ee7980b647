"""The engine's fast paths give the numbers of the general computations they stand for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.costs import COST_CATEGORIES, PersonnelKind
from sim.model.clock import Clock
from sim.model.reception import _split_dense, split_count, split_nonzero, split_values
from sim.model.recorder import Recorder
from sim.model.world import World
from sim.scenario import load_scenario

BASELINE = Path(__file__).parents[2] / "scenarios" / "baseline.yaml"


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return np.array_equal(a, b) and np.array_equal(np.signbit(a), np.signbit(b))


def test_holding_move_is_the_holding_step_of_one_person():
    world = World(load_scenario(BASELINE))
    disp, plan = world.dispatcher, world.plan
    checked = 0
    for (s, d), i in disp._pair_index.items():
        for g in np.flatnonzero(disp._carries[i]):
            gone = np.zeros_like(world.state.stock)
            gone[s, g] = -1
            come = np.zeros((len(plan.dest_ids), plan.n_groups), dtype=np.int64)
            come[d, g] = 1
            fast = world.holding.move(s, d, int(g)).holding
            full = world.holding.step(gone, come).holding
            assert [(c, loc) for c, loc, _ in fast] == [(c, loc) for c, loc, _ in full]
            assert all(_same(a, b) for (_, _, a), (_, _, b) in zip(fast, full))
            checked += 1
    assert checked > 50


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 29), st.integers(-3, 3)), max_size=40))
def test_distinct_rows_give_every_day_s_row(writes):
    """values[index] is the carried-forward record, day by day, whatever was written when."""
    rec = Recorder(30, {"x": np.array([5, 7])})
    expected, last = [], np.array([5, 7])
    by_day = dict(writes)
    for d in range(30):
        if d in by_day:
            last = np.array([by_day[d], -by_day[d]])
            rec.write(d, "x", last)
        expected.append(last)
    values, index = rec.distinct("x")
    assert len(values) == 1 + len(by_day)
    assert np.array_equal(values[index], np.array(expected))
    assert np.array_equal(rec.finish()["x"], np.array(expected))


def test_holding_costs_booked_per_distinct_row_equal_the_daily_computation():
    """Costing each distinct (site, destination) pair of rows once and gathering gives, bit
    for bit, the costs of computing every day's rows."""
    world = World(load_scenario(BASELINE))
    world.run()
    rec, hold = world.recorder, world.holding
    full = rec.finish()
    site, dest, guards = hold.rows(full["site_stock"], full["dest_stock"])
    ledger = type(world.ledger)(world.plan)
    hold.book(ledger, rec.distinct("site_stock"), rec.distinct("dest_stock"))
    S = len(world.plan.site_ids)
    assert _same(ledger.cost[:, COST_CATEGORIES.index("detention_syria"), :S], site)
    assert rec.written["site_stock"].sum() < world.plan.horizon  # some days repeat a row
    for d, cat in enumerate(hold.dest_category):
        assert _same(ledger.cost[:, cat, S + d], dest[:, d])
    assert _same(ledger.personnel[:, int(PersonnelKind.guard)], guards)
    assert _same(ledger.cost[:, COST_CATEGORIES.index("security")],
                 guards * world.scn.costs.guard_cost_per_person_day)


def test_escapes_without_crowding_decided_as_in_general():
    # the general daily computation (with a crowding factor, 1 when no site is over its
    # capacity) and the precomputed candidates give the same run, escapes and recaptures
    scn = load_scenario(BASELINE)
    fast = World(scn, replication=1).run()
    world = World(scn, replication=1)
    assert not world.escapes._crowding
    world.escapes._crowding = True  # every day through Escapes.step's general path
    general = world.run()
    assert fast.escaped[-1].sum() > 0 and fast.recaptured[-1].sum() > 0
    for name in ("site_stock", "escaped", "recaptured", "in_transit", "reason", "cost"):
        assert np.array_equal(getattr(fast, name), getattr(general, name)), name
    assert [t.depart for t in fast.trips] == [t.depart for t in general.trips]


def _run_until(env, t: float) -> None:
    """run(until=t) stopped at exactly t: its stop event is scheduled at now + (t - now),
    which may miss t by a rounding, so first stop at halves of t from which it is exact
    (how the engine moved its clock before Clock.advance)."""
    targets = [float(t)]
    while env.now + (targets[-1] - env.now) != targets[-1]:
        targets.append(targets[-1] / 2)
    for target in reversed(targets):
        if target > env.now:
            env.run(until=target)


@settings(max_examples=100, deadline=None)
@given(delays=st.lists(st.one_of(st.floats(0.0, 5.0), st.sampled_from([0.5, 1.0, 2.0])),
                       min_size=1, max_size=30),
       stops=st.lists(st.one_of(st.floats(0.01, 6.0), st.sampled_from([0.5, 1.0, 2.0])),
                      min_size=1, max_size=10))
def test_advance_processes_what_run_until_processes(delays, stops):
    """Clock.advance(t) processes the events due before t, in the order run(until=t)
    processes them (not those due at t), and leaves the clock at exactly t."""
    logs = []
    for use_advance in (False, True):
        env, log = Clock(), []
        for k, delay in enumerate(delays):
            env.timeout(delay).callbacks.append(lambda _, k=k, env=env, log=log:
                                                log.append((env.now, k)))
        for t in sorted(set(stops)):
            if use_advance:
                env.advance(t)
            else:
                _run_until(env, t)
            assert env.now == t
            log.append(("stop", t))
        logs.append(log)
    assert logs[0] == logs[1]


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(st.integers(0, 5), st.integers(0, 10**9)), min_size=1,
                       max_size=12),
       k=st.integers(-2, 10**9))
def test_split_values_is_split_count(values, k):
    k = k % (sum(values) + 2) if k > 0 else k  # mostly less than the total
    assert split_values(values, k) == split_count(np.array(values, dtype=np.int64), k).tolist()


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(st.just(0), st.integers(0, 7), st.integers(0, 10**9)),
                       min_size=1, max_size=60),
       k=st.integers(-2, 10**9))
def test_split_count_of_few_groups_is_the_full_split(values, k):
    vec = np.array(values, dtype=np.int64)
    k = k % (sum(values) + 2) if k > 0 else k
    assert split_count(vec, k).tolist() == _split_dense(vec, k).tolist()
    nz = np.flatnonzero(vec)
    take = split_nonzero(vec[nz].tolist(), k)
    if take is not None:  # None: only the full vector decides (ties with empty groups)
        out = np.zeros_like(vec)
        out[nz] = take
        assert out.tolist() == split_count(vec, k).tolist()


@settings(max_examples=300, deadline=None)
@given(people=st.lists(st.one_of(st.just(0), st.integers(0, 9), st.integers(0, 10**6)),
                       min_size=1, max_size=40),
       bands=st.data(), load=st.integers(0, 10**6))
def test_select_load_is_band_by_band_split_count(people, bands, load):
    """A trip's load taken band by band in priority order, each band's share by split_count
    of the whole band vector (the definition), whatever the ties."""
    from sim.model.boarding import select_load

    vec = np.array(people, dtype=np.int64)
    priority = np.array(bands.draw(st.lists(st.integers(0, 3), min_size=len(people),
                                            max_size=len(people))), dtype=np.int64)
    load = load % (int(vec.sum()) + 1)
    expected, left = np.zeros_like(vec), load
    for p in np.unique(priority[vec > 0]):
        band = np.where(priority == p, vec, 0)
        part = split_count(band, min(left, int(band.sum())))
        expected += part
        left -= int(part.sum())
        if left == 0:
            break
    assert select_load(vec, load, priority, False).tolist() == expected.tolist()
    assert int(expected.sum()) == load
