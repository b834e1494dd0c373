"""`halo sites check` over EVERY REAL v2 task of the three local sites, as CI must run it.

Each task's oracle drives the site through the UI in headless Chromium and the OFFICIAL agisdk script
must say SUCCESS; each wrong-but-plausible solution must be judged FAILURE.
"""

import re

from typer.testing import CliRunner

from halo_lib.cli import app
from halo_lib.tasks import list_tasks


def test_every_oracle_passes_and_every_wrong_solution_fails():
    result = CliRunner().invoke(app, ["sites", "check", "--concurrency", "4"])
    lines = result.output.strip().splitlines()
    m = sum(len(list_tasks(site=s)) for s in ("gomail", "omnizon", "gocalendar"))
    assert m == 41
    summary = lines[-1]
    assert re.fullmatch(r"sites check: oracle SUCCESS \d+/41, wrong FAILURE \d+/41", summary), summary
    # gocalendar-11 ships an empty official script: reported, never counted as a success
    empty = [l for l in lines if l.startswith("v2.gocalendar-11")]
    assert len(empty) == 1 and "EMPTY official script" in empty[0]
    problems = [l for l in lines[:-1] if "ERROR" in l or "SUCCESS (!)" in l
                or ("oracle FAILURE" in l)]
    assert not problems, "\n".join(problems)
    assert summary == "sites check: oracle SUCCESS 40/41, wrong FAILURE 41/41"
    assert result.exit_code == 0
