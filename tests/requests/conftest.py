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
def english(app, db):
    """Service refusals are matched in English here; the pages (their own requests) stay in Chinese."""
    with app.test_request_context("/"), force_locale("en"):
        yield
