"""Days to periods, whole columns at once, against the calendar."""

from datetime import date

import numpy as np
import pytest

from flux_ask.periods import period_keys, period_label
from flux_ask.query.dates import season_range

EPOCH = date(1970, 1, 1).toordinal()


def days(*dates):
    return np.array([d.toordinal() - EPOCH + 0.5 for d in dates], dtype=np.float64)


def test_years_and_months():
    d = days(date(2019, 12, 31), date(2020, 1, 1), date(1969, 7, 20))
    assert [period_label(k, "year") for k in period_keys(d, "year")] == ["2019", "2020", "1969"]
    assert [period_label(k, "month") for k in period_keys(d, "month")] == ["2019-12", "2020-01", "1969-07"]


@pytest.mark.parametrize("hemisphere", ["north", "south"])
def test_seasons_agree_with_the_planner(hemisphere):
    names = ("winter", "spring", "summer", "autumn")
    for year in (1969, 2021, 2022, 2024):
        for name in names:
            first, last = season_range(name, year, hemisphere)
            keys = period_keys(days(first, last), "season")
            assert keys[0] == keys[1]
            assert period_label(int(keys[0]), "season", hemisphere) == f"{year} {name}"
    # and the keys run in time order
    d = days(date(2021, 11, 30), date(2021, 12, 1), date(2022, 2, 28), date(2022, 3, 1))
    assert list(np.diff(period_keys(d, "season"))) == [1, 0, 1]
