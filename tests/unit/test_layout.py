"""House rules the code must keep: imports point down (the contracts in pyproject.toml),
heavy or UI imports stay in their packages, SQL stays in db/, and only the shells
(cli/, tui/) print or end the process."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "flux_ask"


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), path


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_every_import_points_down():
    from importlinter.cli import lint_imports

    os.chdir(ROOT)  # the contracts live in pyproject.toml
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0


def test_only_embed_imports_torch_and_open_clip():
    for name, path in modules():
        if not name.startswith("embed/"):
            assert not imported_roots(path) & {"torch", "open_clip", "onnxruntime", "torchvision"}, name


def test_only_tui_imports_textual():
    for name, path in modules():
        if not name.startswith("tui/"):
            assert not imported_roots(path) & {"textual", "textual_image", "plotext"}, name


SQL = re.compile(r"""["'](\s*)(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA)\s""")


def test_sql_lives_in_db():
    for name, path in modules():
        if not name.startswith("db/"):
            assert not SQL.search(path.read_text()), name


SPEAKS = re.compile(r"(?<!\.)\bprint\(|\bsys\.(stdout|stderr)\.write\b|\bsys\.exit\b|\bos\._exit\b|\braise SystemExit\b"
                    r"|\bexit\(|\bquit\(")


def test_library_code_neither_prints_nor_exits():
    for name, path in modules():
        if name.startswith(("cli/", "tui/")) or name == "__main__.py":
            continue
        text = path.read_text()
        if name == "processes.py":  # a worker process whose parent died ends itself, and says nothing
            text = text.replace("os._exit(1)", "", 1)
        found = SPEAKS.search(text)
        assert found is None, f"{name}: {found and found.group(0)}"


def test_the_speech_check_catches_each_way_of_speaking():
    for line in ("print('x')", "sys.stdout.write('x')", "sys.stderr.write('x')", "sys.exit(1)", "os._exit(1)",
                 "raise SystemExit(2)", "exit(0)"):
        assert SPEAKS.search(line), line
    assert not SPEAKS.search("self.pprint_plan(x)  # fingerprint(") and not SPEAKS.search("datum.print(exif)")


def test_status_starts_without_torch():
    code = "import sys, flux_ask.cli, flux_ask.ingest.pipeline; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
