from datetime import datetime, timezone

import pytest
from PIL import Image

from flux_ask.picture.exif import gps_position, parse_exif_datetime, parse_offset
from flux_ask.picture.metadata import read_meta
from tests.photos import exif_for, write_photo

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
MTIME = int(datetime(2024, 3, 5, 12, 0, tzinfo=timezone.utc).timestamp() * 1e9)


def meta_of(tmp_path, **exif):
    path = write_photo(tmp_path / "p.jpg", exif=exif_for(**exif))
    with Image.open(path) as image:
        return read_meta(str(path), image, MTIME, now=NOW)


@pytest.mark.parametrize("text, expected", [
    ("2022:01:15 10:20:30", datetime(2022, 1, 15, 10, 20, 30)),
    ("2022-01-15 10:20:30", datetime(2022, 1, 15, 10, 20, 30)),
    ("2022:01:15 10:20:30\x00", datetime(2022, 1, 15, 10, 20, 30)),
    ("", None), ("    :  :     :  :  ", None), ("0000:00:00 00:00:00", None),
    ("2099:01:01 00:00:00", None), ("1850:01:01 00:00:00", None), ("2022:02:30 10:00:00", None),
    ("garbage", None), (None, None),
])
def test_exif_dates_are_validated(text, expected):
    assert parse_exif_datetime(text, NOW) == expected


@pytest.mark.parametrize("text, minutes", [("+01:00", 60), ("-05:00", -300), ("+0530", 330), ("+15:00", None),
                                           ("", None), ("Z", None)])
def test_offsets(text, minutes):
    offset = parse_offset(text)
    assert (None if offset is None else offset.total_seconds() / 60) == minutes


def test_offset_time_original_makes_the_time_exact(tmp_path):
    meta = meta_of(tmp_path, taken="2022:01:15 10:00:00", offset="-05:00")
    assert meta.taken_at == "2022-01-15T10:00:00"
    assert meta.taken_at_utc == "2022-01-15T15:00:00+00:00"
    assert (meta.taken_at_source, meta.utc_source, meta.utc_offset_min) == \
        ("DateTimeOriginal", "OffsetTimeOriginal", -300)


def test_gps_clock_gives_the_offset(tmp_path):
    meta = meta_of(tmp_path, taken="2022:07:01 14:00:03", lat=41.9, lon=12.5,
                   gps_stamp=("2022:07:01", (12, 0, 0)))
    assert meta.utc_source == "gps_time" and meta.utc_offset_min == 120
    assert meta.taken_at_utc == "2022-07-01T12:00:03+00:00"


def test_gps_position_gives_the_time_zone_with_daylight_saving(tmp_path):
    winter = meta_of(tmp_path, taken="2022:01:15 10:00:00", lat=39.9522, lon=-75.2026)  # 40th & Walnut
    assert (winter.utc_source, winter.utc_offset_min) == ("gps_timezone", -300)
    summer = meta_of(tmp_path, taken="2022:07:15 10:00:00", lat=39.9522, lon=-75.2026)
    assert summer.utc_offset_min == -240 and summer.taken_at_utc == "2022-07-15T14:00:00+00:00"
    assert winter.lat == pytest.approx(39.9522, abs=1e-5) and winter.lon == pytest.approx(-75.2026, abs=1e-5)


def test_without_a_clue_the_local_time_stands_alone(tmp_path):
    meta = meta_of(tmp_path, taken="2022:01:15 10:00:00")
    assert meta.taken_at == "2022-01-15T10:00:00" and meta.taken_at_utc is None and meta.utc_source is None


def test_missing_date_falls_back_to_the_file_time_and_says_so(tmp_path):
    meta = meta_of(tmp_path, taken="0000:00:00 00:00:00")
    assert meta.taken_at_source == "file_mtime"
    assert meta.taken_at_utc == "2024-03-05T12:00:00+00:00"


@pytest.mark.parametrize("gps", [
    {1: "N", 2: (float("nan"), 0.0, 0.0), 3: "E", 4: (12.0, 0.0, 0.0)},  # NaN
    {1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)},  # null island
    {1: "S", 2: (-0.0, 0.0, 0.0), 3: "W", 4: (-0.0, 0.0, 0.0)},  # -0.0 fix
    {1: "N", 2: (213.0, 36.0, 0.0), 3: "E", 4: (12.0, 0.0, 0.0)},  # latitude 213.6
    {2: (41.0, 54.0, 0.0), 4: (12.0, 30.0, 0.0)},  # no references
    {1: "N", 2: (41.0, 54.0, 0.0), 3: "X", 4: (12.0, 30.0, 0.0)},  # bad reference
    {1: "N", 2: (41.0, 54.0, 0.0), 3: "E", 4: (190.0, 0.0, 0.0)},  # longitude out of range
    {},
])
def test_junk_gps_means_no_location(gps):
    assert gps_position(gps) == (None, None)


def test_southern_and_western_references_are_negative():
    lat, lon = gps_position({1: "S", 2: (33.0, 30.0, 0.0), 3: "W", 4: (70.0, 15.0, 0.0)})
    assert (lat, lon) == (pytest.approx(-33.5), pytest.approx(-70.25))


def test_camera_fields_and_orientation(tmp_path):
    meta = meta_of(tmp_path, taken="2022:01:15 10:00:00", make="FUJIFILM", model="X100V", orientation=6)
    assert (meta.camera_make, meta.camera_model, meta.orientation) == ("FUJIFILM", "X100V", 6)
