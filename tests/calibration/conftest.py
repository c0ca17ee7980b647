"""A synthetic scenario with known inputs: tiny.yaml with 2,000 people, a daily acceptance
cap below the fleet's capacity and a start date for transfers, and observations made by the
model itself at the true inputs (so a calibration must find them again)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.scenario.yamlio import read_yaml

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny.yaml"
TRUE = {"cap": 40.0, "start": 4}
OBS_DAYS = (8, 15, 25)


def synthetic_data(observed: list[dict] | None = None) -> dict:
    data, _ = read_yaml(TINY)  # the project's reader: 46.0e6 is a number, as in the loader
    data["metadata"]["name"] = "synthetic"
    data["sites"]["camp"]["population"] = {"IRQ": {"adult": 1000, "child": 1000}}
    data["sites"]["camp"]["capacity"] = 3000
    data["dispositions"] = [{"action": "transfer", "destination": "centre",
                             "start": TRUE["start"]}]
    data["acceptance"] = {"caps": [{"start": 0, "period_days": 1,
                                    "max_people": int(TRUE["cap"])}]}
    data["uncertainties"] = {
        "cap": {"path": "acceptance.caps.0.max_people", "dist": "uniform", "low": 20,
                "high": 80, "source": "[A1]", "fit": True},
        "start": {"path": "dispositions.0.start", "dist": "integer", "low": 0, "high": 10,
                  "source": "[A1]", "fit": True},
        "seats": {"path": "fleets.road.seats", "dist": "integer", "low": 45, "high": 60,
                  "source": "[A1]"},
    }
    if observed is not None:
        data["observed"] = observed
    return data


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory) -> Path:
    """The synthetic scenario file, its observations from a run at the true inputs (counts
    with a stated 5% uncertainty, the last one reported over a 3-day window)."""
    import sim
    from sim.scenario import scenario_from_dict

    truth = sim.simulate(scenario_from_dict(synthetic_data()), replication=0)
    departed = truth.daily["departed"].to_numpy()
    observed = []
    for i, d in enumerate(OBS_DAYS):
        entry = {"date": f"2026-01-{d + 1:02d}", "value": int(departed[d]),
                 "uncertainty": 0.05, "source": "synthetic: the model at the true inputs"}
        if i == len(OBS_DAYS) - 1:
            entry["date_from"] = f"2026-01-{d - 1:02d}"
        observed.append(entry)
    path = tmp_path_factory.mktemp("synthetic") / "synthetic.yaml"
    path.write_text(yaml.safe_dump(synthetic_data(observed), sort_keys=False))
    return path
