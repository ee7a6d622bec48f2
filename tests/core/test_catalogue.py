"""The zh_CN catalogue: every message of the code is translated, none fuzzy, placeholders kept."""
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "consult/translations/zh/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_zh_catalogue_covers_every_message(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "N_",
         "-k", "lazy_gettext", "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True, capture_output=True,
    )
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
