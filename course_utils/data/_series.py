"""Real time series with dates, read from files that registry packages install.

Unlike the text corpora these are not split by hash: a time series is split by
*time* (see :func:`course_utils.time_series.split_by_time`). Each loader checks the
series against the checksum in ``datasets/checksums.json`` and warns when the
installed package gives different numbers.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._sources import STATSMODELS, VEGA_DATASETS, Source, SourceMissingError


@dataclass(frozen=True)
class SeriesSpec:
    """One time series: where it comes from and how to read it."""

    name: str
    title: str
    source: Source
    read: Callable[[], Any]  # returns a pandas DataFrame with a DatetimeIndex
    frequency: str
    description: str


def series_checksum(frame: Any) -> str:
    """SHA-256 of a frame's CSV text (index included, 6 significant digits)."""
    text = frame.to_csv(float_format="%.6g", lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_seattle() -> Any:
    import pandas as pd

    path = VEGA_DATASETS.locate() / "_data" / "seattle-weather.csv"
    if not path.is_file():
        raise SourceMissingError(f"{path} is missing. Reinstall it with:  {VEGA_DATASETS.install}")
    frame = pd.read_csv(path)
    frame.index = pd.DatetimeIndex(pd.to_datetime(frame.pop("date"), format="%Y/%m/%d"), name="date", freq="D")
    return frame[["temp_max", "temp_min", "precipitation", "wind", "weather"]]


def _read_co2() -> Any:
    import pandas as pd

    path = STATSMODELS.locate() / "datasets" / "co2" / "co2.csv"
    if not path.is_file():
        raise SourceMissingError(f"{path} is missing. Reinstall it with:  {STATSMODELS.install}")
    frame = pd.read_csv(path)
    start = pd.to_datetime(str(frame["date"].iloc[0]), format="%Y%m%d")
    index = pd.date_range(start=start, periods=len(frame), freq="W-SAT", name="date")
    return pd.DataFrame({"co2": frame["co2"].to_numpy(dtype=float)}, index=index)


def _read_sunspots() -> Any:
    import pandas as pd

    path = STATSMODELS.locate() / "datasets" / "sunspots" / "sunspots.csv"
    if not path.is_file():
        raise SourceMissingError(f"{path} is missing. Reinstall it with:  {STATSMODELS.install}")
    frame = pd.read_csv(path)
    index = pd.DatetimeIndex(pd.to_datetime(frame["YEAR"].astype(int).astype(str), format="%Y"), name="date")
    return pd.DataFrame({"sunspots": frame["SUNACTIVITY"].to_numpy(dtype=float)}, index=index)


SERIES: dict[str, SeriesSpec] = {
    spec.name: spec
    for spec in (
        SeriesSpec("seattle_weather", "Daily weather at Seattle, 2012-2015", VEGA_DATASETS, _read_seattle, "D",
                   "1,461 days of maximum and minimum temperature (deg C), precipitation (mm), wind (m/s) and a weather label."),
        SeriesSpec("co2", "Atmospheric CO2 at Mauna Loa, weekly, 1958-2001", STATSMODELS, _read_co2, "W-SAT",
                   "2,284 weekly CO2 concentrations (ppm) with 59 missing weeks: a trend plus a yearly cycle."),
        SeriesSpec("sunspots", "Yearly sunspot numbers, 1700-2008", STATSMODELS, _read_sunspots, "YS",
                   "309 yearly mean sunspot numbers: a roughly 11-year cycle of varying height."),
    )
}


def load_series(name: str, check: bool = True) -> Any:
    """Load time series ``name`` as a pandas DataFrame indexed by date (oldest first).

    ``seattle_weather``: (1461, 5) daily; ``co2``: (2284, 1) weekly, NaN for missing
    weeks; ``sunspots``: (309, 1) yearly. With ``check``, warn when the data differ
    from the checksum recorded in ``datasets/checksums.json``.
    """
    if not isinstance(name, str) or name not in SERIES:
        raise ValueError(f"Unknown time series {name!r}. Choose one of: {', '.join(SERIES)}")
    spec = SERIES[name]
    frame = spec.read()
    if check:
        from .preparation import expected_checksums

        expected = expected_checksums().get(name)
        actual = series_checksum(frame)
        if expected and expected.get("sha256") != actual:
            warnings.warn(
                f"The {name!r} series has checksum {actual[:12]}…, but its dataset card records "
                f"{expected['sha256'][:12]}…. Install the pinned source with:  {spec.source.install}",
                stacklevel=2,
            )
    return frame


def load_seattle_weather() -> Any:
    """Daily Seattle weather, shape (1461, 5): ``temp_max``, ``temp_min`` (deg C),
    ``precipitation`` (mm), ``wind`` (m/s), ``weather`` (str), indexed by date 2012-01-01..2015-12-31."""
    return load_series("seattle_weather")


def load_co2() -> Any:
    """Weekly Mauna Loa CO2 (ppm) as a (2284,) pandas Series indexed by date; 59 weeks are NaN."""
    return load_series("co2")["co2"]


def load_sunspots() -> Any:
    """Yearly mean sunspot numbers 1700-2008 as a (309,) pandas Series indexed by date."""
    return load_series("sunspots")["sunspots"]
