from flux_ask.picture.scan import scan


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
