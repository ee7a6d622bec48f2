"""The code keeps the shape docs/style.md asks for: short files, short views.

- No module in consult/ over 400 lines: a longer one holds more than one aggregate; split it.
- No view over 15 lines (decorators and docstring not counted): a view reads the request, calls
  one service or page-data function and renders or redirects. A view that must be longer says
  why in its docstring, on a line starting "Longer:".
"""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_FILE_LINES = 400
MAX_VIEW_LINES = 15


def _modules() -> list[Path]:
    return sorted((ROOT / "consult").rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_over_400_lines(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_FILE_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it by aggregate"


def _body_lines(fn) -> int:
    """Lines of a function's body, without decorators, signature and docstring."""
    source = textwrap.dedent(inspect.getsource(fn))
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("def ")) + 1
    while not lines[start - 1].rstrip().endswith(":"):  # a signature over several lines
        start += 1
    body = lines[start:]
    doc = inspect.getdoc(fn)
    if doc and body and body[0].strip().startswith(('"""', "'''")):
        quote = body[0].strip()[:3]
        end = (
            0
            if body[0].strip().count(quote) >= 2 and len(body[0].strip()) > 3
            else next(i for i, line in enumerate(body[1:], 1) if quote in line)
        )
        body = body[end + 1 :]
    return sum(1 for line in body if line.strip() and not line.strip().startswith("#"))


def _views(app):
    seen = set()
    for endpoint, fn in sorted(app.view_functions.items()):
        original = inspect.unwrap(fn)
        if not original.__module__.startswith("consult.") or original in seen:
            continue
        seen.add(original)
        yield endpoint, original


def test_views_are_short(app):
    long = []
    for endpoint, fn in _views(app):
        if "Longer:" in (inspect.getdoc(fn) or ""):
            continue
        count = _body_lines(fn)
        if count > MAX_VIEW_LINES:
            long.append(f"{endpoint} ({fn.__module__}): {count} lines")
    assert not long, "views over 15 lines (move the work into a service or a page-data function):\n" + "\n".join(long)
