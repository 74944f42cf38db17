from flux_ask.words import counted


def test_one_is_singular_and_every_other_count_plural():
    assert counted(1, "match") == "1 match"
    assert counted(0, "match") == "0 matches"
    assert counted(1204, "photo") == "1,204 photos"
    assert counted(1, "photo") == "1 photo"
