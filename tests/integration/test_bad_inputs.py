"""Bad input a user can type gets one clear line and an exit code (2: the command line
was wrong, 1: the request cannot be done), never a traceback, and changes nothing."""

import os
import subprocess
import sys

import pytest

from tests.conftest import open_catalog, subprocess_env
from tests.photos import make_archive


@pytest.fixture(scope="module")
def home(tmp_path_factory, catalog_backend):
    root = tmp_path_factory.mktemp("archive")
    make_archive(root / "photos", 8)
    home = tmp_path_factory.mktemp("home")
    (home / "config.toml").write_text('geocoder = "off"\n')
    done = run(home, "index", str(root / "photos"), "--model", "tiny-test", "--quiet")
    assert done.returncode == 0, done.stderr
    return home


def run(home, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flux_ask", *args], env=subprocess_env(home),
                          capture_output=True, text=True, timeout=300)


def archive_of(home):
    from flux_ask.archive.home import Archive
    from flux_ask.config import load_settings
    from flux_ask.db.runs import indexed_roots

    with Archive(load_settings(home)) as archive:
        return indexed_roots(archive.conn)[0]


BAD = [
    (("ask", "dogs", "--limit", "-1"), 2, "less than 1"),
    (("ask", "dogs", "--limit", "0"), 2, "less than 1"),
    (("ask", "dogs", "--page", "0"), 2, "less than 1"),
    (("ask", "dogs", "--limit", "many"), 2, "not a whole number"),
    (("recipe", "save", "dogs", "dogs", "--limit", "-5"), 2, "less than 1"),
    (("select", "add", "99999999999999999999"), 2, "too large"),
    (("select", "add", "999999"), 1, "no photo 999999"),
    (("aks", "dogs"), 2, "there is no command 'aks': did you mean 'ask'?"),
    (("stauts",), 2, "did you mean 'status'?"),
    (("recipes",), 2, "did you mean 'recipe'?"),
    (("recipe", "runn", "dogs"), 2, "invalid choice: 'runn' (did you mean 'run'?"),
    (("issue", "draft", "--question", "dogs", "--order", "keeper"), 1, "no keeper model"),
    (("ask", "trains after 2035"), 1, "in the future"),
    (("ask", "trains since 2099"), 1, "in the future"),
    (("ask", "dogs within 0 blocks of Rome"), 1, "holds no photo"),
    (("ask", "dogs within 0 km of Lund"), 1, "holds no photo"),
    (("ask", "dogs near Zzyzxqq"), 1, "unknown place"),
    (("similar", "/dev/zero"), 1, "not a picture file"),
    (("similar", "/"), 1, "is a folder"),
    (("similar", "/no/such/photo.jpg"), 1, "no such file"),
    (("similar", "999999"), 1, "not in the catalog"),
    (("issue", "draft", "--question", "dogs", "--issues-dir", "/dev/null"), 1, "is a file, not a folder"),
    (("issue", "draft", "--question", "dogs", "--issues-dir", "/proc"), 1, "cannot write an issue in /proc"),
    (("recipe", "run", "nothing-saved"), 1, "no recipe named"),
    (("keeper", "train", "--folds", "1"), 1, "at least 2"),
    (("keeper", "score"), 1, "no keeper model"),
    (("ask", "best dogs", "--rank", "keeper"), 1, "no keeper model"),
]


@pytest.mark.parametrize("args, code, words", BAD, ids=[" ".join(a) for a, _, _ in BAD])
def test_each_bad_input_is_one_line(home, args, code, words):
    out = run(home, *args)
    lines = out.stderr.strip().splitlines()
    assert out.returncode == code and len(lines) == 1 and words in lines[0], out.stderr
    assert "Traceback" not in out.stderr


def test_a_bare_question_is_asked_and_its_table_lines_up(home):
    """`flux-ask red squares`, quoted or not, is `flux-ask ask "red squares"`, as rclip reads
    it; a word that is no command but a dictionary's ('mask') is a question too."""
    import json

    asked = json.loads(run(home, "ask", "red squares", "--json").stdout)
    for bare in (("red squares",), ("red", "squares")):
        out = run(home, *bare, "--json")
        assert out.returncode == 0, out.stderr
        assert [r["photo_id"] for r in json.loads(out.stdout)["results"]] == [r["photo_id"] for r in asked["results"]]
    assert run(home, "mask").returncode == 0
    lines = run(home, "red squares", "--limit", "3").stdout.splitlines()
    count = next(i for i, line in enumerate(lines) if "photos searched, page 1 of" in line)
    header, rows = lines[count + 1], lines[count + 2:-1]
    assert header.split() == ["rank", "score", "taken", "photo", "path"] and len(rows) == 3
    assert lines[-1] == "· more: --page 2"
    for column in ("rank", "score", "photo"):  # numbers end under their heading
        end = header.index(column) + len(column)
        assert all(row[end - 1].isdigit() and row[end] == " " for row in rows), (column, lines)
    assert all(row.index("/") == header.index("path") for row in rows)


def test_an_issues_folder_inside_the_archive_is_refused(home):
    out = run(home, "issue", "draft", "--question", "dogs", "--issues-dir", f"{archive_of(home)}/issues")
    assert out.returncode == 1 and "inside the indexed folder" in out.stderr and "Traceback" not in out.stderr


def test_a_recipe_saved_by_another_version_is_one_line(home):
    conn = open_catalog(home)
    with conn:
        conn.execute("INSERT INTO recipes (name, question, plan, params, saved_at) VALUES "
                     "('future', 'dogs', '{\"text\": \"dogs\", \"mood\": \"calm\"}', '{}', '2030-01-01')")
    out = run(home, "recipe", "run", "future")
    assert out.returncode == 1 and "does not know the plan keys ['mood']" in out.stderr and "Traceback" not in out.stderr


def test_long_spans_reach_back_to_the_calendar_start(home):
    for question in ("portraits from the past 5000 years", "the past 1000000 days"):
        out = run(home, "ask", question, "--plan")
        assert out.returncode == 0 and '"0001-01-01"' in out.stdout, out.stderr


def test_a_config_value_of_the_wrong_type_says_what_it_should_be(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('batch_size = "big"\n')
    out = run(home, "status")
    assert out.returncode == 1 and "batch_size must be a whole number, not 'big'" in out.stderr


ESCAPES = "\x1b]0;PWNED\x07\x1b[2J"  # retitles a terminal and clears it, if printed raw


def test_terminal_codes_in_names_and_fields_are_shown_not_obeyed(tmp_path, home):
    import json
    import subprocess
    import sys

    from tests.conftest import subprocess_env
    from tests.photos import exif_for, write_photo

    archive = tmp_path / "archive"
    write_photo(archive / f"evil{ESCAPES}.jpg", seed=1,
                exif=exif_for(taken="2021:05:01 10:00:00", make="Evil", model=f"Cam{ESCAPES}"))
    (archive / f"broken{ESCAPES}.jpg").write_bytes(b"\xff\xd8\xff not a jpeg")

    def flux(*args):
        return subprocess.run([sys.executable, "-m", "flux_ask", *args], env=subprocess_env(home),
                              capture_output=True, text=True, timeout=300)

    assert flux("index", str(archive), "--model", "tiny-test").returncode == 0
    for args in (("ask", "photos from may 2021"), ("facts",), ("status", "--errors")):
        out = flux(*args)
        said = out.stdout + out.stderr
        assert "\x1b" not in said and "\x07" not in said, args
        assert "\\x1b]0;PWNED\\x07" in said, (args, said)  # shown, escaped
    exact = json.loads(flux("ask", "photos from may 2021", "--json").stdout)  # JSON keeps the name exact
    assert any(ESCAPES in r["path"] for r in exact["results"])


@pytest.mark.parametrize("url", ["postgresql://flux:sup3rs3cret@[::1/flux",  # a malformed IPv6 host
                                 "postgresql://flux:sup%3rs3cret@localhost:1/flux",  # a bad "%" in it
                                 "postgresql://flux:sup3r@s3cret@localhost:1/flux",  # an "@" in it
                                 "postgresql://flux:sup3rs3cret@localhost:1/flux"])  # nobody listening
def test_the_catalogs_password_never_reaches_a_message(tmp_path, url):
    import subprocess
    import sys

    for how in (["--catalog", url], []):  # by flag, and by environment
        env = dict(os.environ, FLUX_ASK_HOME=str(tmp_path)) | ({} if how else {"FLUX_ASK_CATALOG": url})
        out = subprocess.run([sys.executable, "-m", "flux_ask", "status", *how], env=env, capture_output=True,
                             text=True, timeout=60)
        said = out.stdout + out.stderr
        assert out.returncode == 1 and "s3cret" not in said and "sup3r" not in said and "Traceback" not in said, said


@pytest.mark.sqlite_only
def test_a_file_named_as_the_vector_database_that_is_none_is_never_moved(tmp_path, home):
    from tests.conftest import subprocess_env
    from tests.photos import make_archive

    make_archive(tmp_path / "archive", 2)
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    out = subprocess.run([sys.executable, "-m", "flux_ask", "index", str(tmp_path / "archive"), "--model",
                          "tiny-test", "--vec", str(notes)], env=subprocess_env(home), capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 1 and "no vector database" in out.stderr
    assert notes.read_text() == "my notes\n" and not list(tmp_path.glob("notes.txt.*"))  # nothing set aside
