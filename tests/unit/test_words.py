from flux_ask.words import counted


def test_one_is_singular_and_every_other_count_plural():
    assert counted(1, "match") == "1 match"
    assert counted(0, "match") == "0 matches"
    assert counted(1204, "photo") == "1,204 photos"
    assert counted(1, "photo") == "1 photo"


def test_a_run_of_one_file_is_said_in_the_singular():
    from flux_ask.ingest.report import one_line, summary_lines

    report = {"run_id": 3, "roots": ["/photos"], "seconds": 1.0, "embedded_per_second": 1.0, "model": "tiny-test",
              "counts": {"files_seen": 1, "new_photos": 1, "embedded": 1, "errors": 1, "thumbnails": 1},
              "errors_by_reason": {}, "repaired": {}}
    first = summary_lines(report)[0]
    assert "1 file seen" in first and "1 new photo," in first and "1 error" in first and "errors" not in first
    assert "1 thumbnail the cache had lost was made again" in summary_lines(report)
    assert "1 file, 1 new photo, 1 embedded" in one_line(report)
