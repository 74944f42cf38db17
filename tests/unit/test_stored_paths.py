"""Paths read back from the catalog exactly as they went in, whatever their bytes."""

import os

import pytest

from flux_ask.db.sql import path_in, path_out, under_either


@pytest.mark.parametrize("raw", [b"/p/ok.jpg", "/p/caf\u00e9/\u5199\u771f.jpg".encode(), b"/p/bad\xff\xfename.jpg",
                                 b"/p/back\\slash\x80.jpg", b"/p/\xe9t\xe9/x.jpg", b"/p/bytes:\\x41.jpg"])
def test_every_path_reads_back_as_itself(raw):
    path = os.fsdecode(raw)
    stored = path_in(path)
    stored.encode("utf-8")  # storable as SQLite text
    assert path_out(stored) == path and os.fsencode(path_out(stored)) == raw


def test_escaped_paths_fall_inside_their_folders_bounds():
    for root, child in (("/p", "/p/bad\udcff.jpg"), ("/p\udcff", "/p\udcff/a.jpg"), ("/p", "/p/a.jpg")):
        stored = path_in(child)
        assert any(low <= stored < high for low, high in under_either(root)), (root, child)
    assert not any(low <= path_in("/q/bad\udcff.jpg") < high for low, high in under_either("/p"))
