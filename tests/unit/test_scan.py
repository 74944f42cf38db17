import os
from pathlib import Path

from flux_ask.picture.scan import printable, scan


def touch(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_scan_finds_photos_in_order_and_skips_hidden_sidecars_and_junk(tmp_path):
    touch(tmp_path / "b" / "2.JPG")
    touch(tmp_path / "a" / "1.heic")
    touch(tmp_path / "a" / "1.xmp")
    touch(tmp_path / "a" / "1.aae")
    touch(tmp_path / "a" / "meta.json")
    touch(tmp_path / ".hidden" / "secret.jpg")
    touch(tmp_path / "a" / ".DS_Store")
    touch(tmp_path / "a" / "._1.jpg")
    touch(tmp_path / "@eaDir" / "thumb.jpg")
    touch(tmp_path / "Thumbs.db")
    touch(tmp_path / "raw" / "x.NEF")
    touch(tmp_path / "raw" / "y.jxl")

    found = [(c.path[len(str(tmp_path)) + 1:], c.kind) for c in scan(tmp_path)]

    assert found == [("a/1.heic", "image"), ("b/2.JPG", "image"), ("raw/x.NEF", "raw"),
                     ("raw/y.jxl", "unsupported")]


def test_scan_reports_size_and_mtime_and_accepts_a_single_file(tmp_path):
    path = touch(tmp_path / "one.png", b"12345")
    (only,) = scan(path)
    assert only.path == str(path) and only.size == 5 and only.mtime_ns == path.stat().st_mtime_ns


def test_a_folder_1500_levels_deep_is_walked_to_the_bottom(tmp_path):
    folders = [str(tmp_path)]
    for _ in range(1500):  # deeper than Python's recursion limit (and than os.makedirs goes)
        folders.append(folders[-1] + "/d")
        os.mkdir(folders[-1])
    bottom = touch(Path(folders[-1]) / "bottom.jpg")
    touch(tmp_path / "top.jpg")
    try:
        assert [c.path for c in scan(tmp_path)] == [str(bottom), str(tmp_path / "top.jpg")]
    finally:  # bottom up: the test's own clean-up recurses
        bottom.unlink()
        for folder in reversed(folders[1:]):
            os.rmdir(folder)


def test_a_name_that_is_not_utf8_is_found_and_printable(tmp_path):
    raw = os.fsencode(str(tmp_path)) + b"/bad\xff\xfename.jpg"
    with open(raw, "wb") as f:
        f.write(b"x")
    (found,) = scan(tmp_path)
    assert os.fsencode(found.path) == raw
    assert printable(found.path).endswith("bad\\xff\\xfename.jpg")
