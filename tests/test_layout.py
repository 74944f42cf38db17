"""House rules the code must keep: heavy or UI imports stay in their packages, SQL stays in db/."""

import ast
import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "flux_ask"


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


def test_library_code_neither_prints_nor_exits():
    for name, path in modules():
        if name in ("cli.py", "__main__.py") or name.startswith("tui/"):
            continue
        text = path.read_text()
        assert "print(" not in text and "sys.exit" not in text, name


def test_status_starts_without_torch():
    code = "import sys, flux_ask.cli, flux_ask.ingest.pipeline; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
