import os
import stat

from flux_ask.atomic import atomic_folder, atomic_output


def test_what_is_written_whole_gets_the_modes_the_umask_allows(tmp_path):
    """mkstemp and mkdtemp make 0600 and 0700: caches and models would be the user's alone."""
    before = os.umask(0o002)
    try:
        with atomic_output(tmp_path / "cache" / "matrix.npz", ".npz") as tmp:
            with open(tmp, "wb") as f:
                f.write(b"x")
        with atomic_folder(tmp_path / "cache" / "rows") as folder:
            (folder / "part").write_bytes(b"y")
    finally:
        os.umask(before)
    assert stat.S_IMODE((tmp_path / "cache" / "matrix.npz").stat().st_mode) == 0o664
    assert stat.S_IMODE((tmp_path / "cache" / "rows").stat().st_mode) == 0o775
    assert os.umask(before) == before  # the process's umask is as it was
