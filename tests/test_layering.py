"""The layering the tools enforce: the import-linter contracts in pyproject.toml hold on the code, and
each one fails when broken (a throwaway module or line in a temporary copy of the package)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = {c["id"] for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]}

#: contract id -> (file in the copy, line appended to it) that breaks it
BREAKS = {
    "core": ("consult/core/zz_throwaway.py", "import consult.places.queries"),
    "domains": ("consult/accounts/zz_throwaway.py", "import consult.topics.queries"),
    "within-domain": ("consult/topics/models.py", "import consult.topics.services"),
    "read-through-sources": ("consult/api/zz_throwaway.py", "import consult.topics.models"),
}
#: two domains of one layer import each other: the layers contract refuses it too
SIBLINGS = ("consult/topics/zz_throwaway.py", "import consult.activities.queries")


def lint_imports(root: Path, *contracts: str) -> subprocess.CompletedProcess:
    """`lint-imports` on the package under ``root`` (its own copy first on the path)."""
    args = [str(LINT_IMPORTS), "--no-cache", "--no-logo", "--config", str(ROOT / "pyproject.toml")]
    for contract in contracts:
        args += ["--contract", contract]
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of the consult package's Python files, to break."""
    shutil.copytree(ROOT / "consult", tmp_path / "consult", ignore=shutil.ignore_patterns("__pycache__", "translations"))
    return tmp_path


def test_every_contract_holds():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


def test_every_contract_has_a_case():
    assert set(BREAKS) == CONTRACTS


@pytest.mark.parametrize("contract", sorted(BREAKS))
def test_a_contract_fails_when_broken(package_copy: Path, contract: str):
    assert lint_imports(package_copy, contract).returncode == 0  # the copy keeps it
    path, line = BREAKS[contract]
    with (package_copy / path).open("a") as module:
        module.write(f"\n{line}  # noqa\n")
    result = lint_imports(package_copy, contract)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert line.split()[-1] in result.stdout  # the import that breaks it is named


def test_two_domains_of_one_layer_may_not_import_each_other(package_copy: Path):
    path, line = SIBLINGS
    (package_copy / path).write_text(f"{line}  # noqa\n")
    result = lint_imports(package_copy, "domains")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "consult.topics is not allowed to import consult.activities" in result.stdout
