"""Statistics on real batches: common random numbers pay off; CIs cover a known mean."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from sim.analysis import compare
from sim.batch import run_batch
from tests.batch.helpers import write_spec


def test_common_random_numbers_shrink_the_variance_of_differences(tmp_path):
    """Escapes of 1,000 camp residents with 1 vs 2 convoy units, paired on replication: with
    the same root seed (common random numbers) and with different root seeds (independent)."""
    sweep = {"fleets.road.units": [1, 2]}
    people = {"sites.camp.population.IRQ.adult": 500, "sites.camp.population.IRQ.child": 500}
    crn = run_batch(write_spec(tmp_path, "crn.yaml", replications=40, seed=1, sweep=sweep,
                               overrides=people), tmp_path / "crn", workers=0,
                    progress=False).kpis
    other = run_batch(write_spec(tmp_path, "other.yaml", replications=40, seed=999,
                                 sweep=sweep, overrides=people), tmp_path / "other", workers=0,
                      progress=False).kpis

    def escaped(df, units):
        return df[df["fleets.road.units"] == units].sort_values("replication")[
            "escaped"].to_numpy()

    d_crn = escaped(crn, 2) - escaped(crn, 1)
    d_ind = escaped(other, 2) - escaped(crn, 1)
    assert d_crn.mean() < -50  # a real effect is being measured
    var_crn, var_ind = d_crn.var(ddof=1), d_ind.var(ddof=1)
    assert var_crn < 0.3 * var_ind, (var_crn, var_ind)
    # an F test says the reduction is no accident
    assert stats.f.sf(var_ind / var_crn, 39, 39) < 0.01
    # compare() pairs the same way: its CI is the CRN one
    table = compare(crn, by="fleets.road.units", baseline=1, kpis=["escaped"])
    row = table[table["fleets.road.units"] == 2].iloc[0]
    half = stats.t.ppf(0.975, 39) * math.sqrt(var_crn / 40)
    assert row["n_pairs"] == 40 and row["diff"] == pytest.approx(d_crn.mean())
    assert row["diff_ci_high"] - row["diff"] == pytest.approx(half)
    assert row["verdict"].startswith("lower than 1 by")


def test_ci_of_a_known_mean_covers_it_at_the_nominal_rate(tmp_path):
    """No transfers, constant hazard h at a camp of n people for T days: every person escapes
    by day T with probability 1 - exp(-h T) (one Binomial(n, 1 - exp(-h)) draw a day from the
    survivors), so E[escaped] = n (1 - exp(-h T)) exactly. 60 batches of 10 replications:
    the 95% t CI should cover it about 57 times."""
    h, T, n = 0.01, 60, 200
    expected = n * (1 - math.exp(-h * T))
    spec = write_spec(tmp_path, replications=600, chunk_size=25, seed=2024,
                      overrides={"dispositions": [{"action": "stay"}],
                                 "escapes.base_hazard_per_day.camp": h})
    kpis = run_batch(spec, tmp_path / "out", workers=0, progress=False).kpis
    assert (kpis["transferred"] == 0).all()
    groups = kpis.assign(scenario="batch" + (kpis["replication"] // 10).astype(str),
                         replication=kpis["replication"] % 10)
    table = compare(groups, kpis=["escaped"])
    assert len(table) == 60 and (table["n"] == 10).all()
    covered = int(((table["ci_low"] <= expected) & (expected <= table["ci_high"])).sum())
    assert stats.binomtest(covered, 60, 0.95).pvalue > 0.001, covered
    assert 52 <= covered <= 60
    overall = compare(kpis, kpis=["escaped"]).iloc[0]
    assert overall["ci_low"] <= expected <= overall["ci_high"]
    assert isinstance(groups, pd.DataFrame)
