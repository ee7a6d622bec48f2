from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def photo_folder(app, tmp_path):
    """Photos of these tests go to their own folder."""
    app.config["PHOTO_STORE"] = str(tmp_path / "photos")
    yield tmp_path / "photos"
    app.config["PHOTO_STORE"] = ""
