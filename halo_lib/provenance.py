"""Where a result came from: the git revision of the code that produced it (runs, reports, checkpoints)."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def git_revision() -> str:
    """``<sha>`` of HEAD, ``+dirty`` when tracked files have uncommitted changes; ``unknown`` outside git."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
                             cwd=REPO_ROOT).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, cwd=REPO_ROOT).stdout.strip()
        return sha + ("+dirty" if dirty else "")
    except Exception:
        return "unknown"
