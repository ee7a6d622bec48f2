"""The zh_CN catalogue: every message of the code is translated, none fuzzy, placeholders kept."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "consult/translations/zh/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
#: A call that marks text for translation, in Python or a template.
TRANSLATION_CALL = re.compile(r"""\b(?:_|gettext|ngettext|lazy_gettext|_l|N_)\(\s*["']""")


def extract_dirs() -> list[str]:
    """The directory filter of `make extract` (Babel skips folders starting with "_" without it)."""
    match = re.search(r"^EXTRACT_DIRS := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert match, "the Makefile names no EXTRACT_DIRS"
    return shlex.split(match.group(1))


def extract(pot: Path, *options: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "N_",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            *options,
            *extract_dirs(),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def test_every_file_with_text_is_extracted(tmp_path):
    """Every template and Python file that marks text is read by `make extract` (templates/_macros/ too)."""
    pot = tmp_path / "messages.pot"
    extract(pot)
    with pot.open("rb") as f:
        read = {Path(filename).as_posix() for m in read_po(f) for filename, _line in m.locations}
    marking = {
        path.relative_to(ROOT).as_posix()
        for folder, pattern in (("consult", "*.py"), ("templates", "*.html"))
        for path in (ROOT / folder).rglob(pattern)
        if TRANSLATION_CALL.search(path.read_text(encoding="utf-8"))
    }
    assert "templates/_macros/forms.html" in marking
    assert not sorted(marking - read), f"files whose text `make extract` never reads: {sorted(marking - read)}"


def test_zh_catalogue_covers_every_message(tmp_path):
    pot = tmp_path / "messages.pot"
    extract(pot, "--no-location")
    with pot.open("rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with PO.open("rb") as f:
        catalogue = read_po(f)
    have = {}
    for m in catalogue:
        if m.id:
            have[m.id if isinstance(m.id, str) else m.id[0]] = m
    missing = sorted(wanted - have.keys())
    assert not missing, f"not in the zh catalogue (run `make extract` and translate): {missing[:20]}"
    problems = []
    for key in wanted:
        m = have[key]
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        if m.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {key!r}")
        elif any(set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(ids[0])) for s in strings):
            problems.append(f"placeholders differ: {key!r}")
    assert not problems, problems[:20]
