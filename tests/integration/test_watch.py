import shutil
import threading
import time

from flux_ask.archive.home import Archive
from flux_ask.ingest.watch import watch
from tests.conftest import open_catalog
from tests.photos import make_archive, write_photo


def test_watch_indexes_new_photos_as_they_arrive(tmp_path, settings):
    archive = tmp_path / "archive"
    make_archive(archive, 3)
    reports = []
    stop, ready = threading.Event(), threading.Event()
    thread = threading.Thread(target=watch, args=(Archive(settings, create=True), archive),
                              kwargs=dict(on_report=reports.append, stop=stop, ready=ready), daemon=True)
    thread.start()
    try:
        assert ready.wait(60), "initial index did not finish"
        assert reports[0].counts["embedded"] == 3

        staged = write_photo(tmp_path / "staging" / "new.jpg", 77)
        shutil.move(staged, archive / "new.jpg")
        (archive / ".hidden.jpg").write_bytes(b"hidden files are never indexed")
        deadline = time.monotonic() + 15
        while len(reports) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(reports) == 2, "the new photo was not indexed"
        assert reports[1].counts["embedded"] == 1 and reports[1].counts["errors"] == 0

        (archive / "new.jpg").unlink()
        deadline = time.monotonic() + 15
        conn = open_catalog(settings.home)
        while time.monotonic() < deadline:
            if conn.execute("SELECT state FROM files WHERE path LIKE '%new.jpg'").fetchone()[0] == "missing":
                break
            time.sleep(0.05)
        assert conn.execute("SELECT state FROM files WHERE path LIKE '%new.jpg'").fetchone()[0] == "missing"
    finally:
        stop.set()
        thread.join(10)
