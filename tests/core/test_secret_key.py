"""Development's secret key: `make setup` creates it, create_app only reads it (issue 10, item 18)."""

import stat
import subprocess
from pathlib import Path

import pytest

from consult import create_app
from consult.config import DevelopmentConfig, write_dev_secret_key

ROOT = Path(__file__).resolve().parents[2]


def test_create_app_in_development_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSULT_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="make setup"):
        create_app("development")
    assert not (tmp_path / "instance").exists(), "building the app wrote to the instance folder"


def test_the_key_is_made_once_private_and_then_read(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSULT_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    path = write_dev_secret_key()
    key = path.read_text()
    assert len(key) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert write_dev_secret_key() == path and path.read_text() == key  # running setup again keeps it
    assert key == DevelopmentConfig().SECRET_KEY
    assert create_app("development").secret_key == key


def test_an_environment_key_needs_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSULT_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    assert create_app("development").secret_key == "k" * 64
    assert not (tmp_path / "instance").exists()


@pytest.mark.slow
def test_make_secret_key_creates_it(tmp_path):
    instance = tmp_path / "instance"
    subprocess.run(
        ["make", "-s", "secret-key", f"CONSULT_INSTANCE={instance}"],
        cwd=ROOT,
        check=True,
        env={"PATH": "/usr/bin:/bin", "CONSULT_INSTANCE": str(instance)},
        capture_output=True,
        timeout=120,
    )
    assert (instance / "secret_key").exists()
