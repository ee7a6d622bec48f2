from __future__ import annotations

import pytest
from flask_babel import force_locale


@pytest.fixture(autouse=True)
def photo_folder(app, tmp_path):
    """Photos of these tests go to their own folder."""
    app.config["PHOTO_STORE"] = str(tmp_path / "photos")
    yield tmp_path / "photos"
    app.config["PHOTO_STORE"] = ""


@pytest.fixture(autouse=True)
def english(request, app):
    """Service refusals are matched in English here; the pages (their own requests) stay in Chinese.
    Not for the thread tests: they use the committed database, not the rolled-back one."""
    if "committed_db" in request.fixturenames:
        yield
        return
    request.getfixturevalue("db")  # its app context first, so the forced locale is on top of it
    with app.test_request_context("/"), force_locale("en"):
        yield
