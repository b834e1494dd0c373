"""The house rules CI enforces: layers import only downward with no cycles (import-linter, contracts in
pyproject.toml), and no unused or undefined names in the library, the tests or the notebooks (ruff)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_imports_go_only_downward_and_no_package_has_a_cycle():
    out = subprocess.run([str(BIN / "lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "Contracts: 2 kept, 0 broken." in out.stdout


def test_no_unused_imports_or_undefined_names():
    out = subprocess.run([str(BIN / "ruff"), "check", "--select", "F,E9", "--output-format", "concise", "halo_lib",
                          "tests", "notebooks"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
