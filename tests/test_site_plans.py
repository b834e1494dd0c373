"""Every REAL task of the local sites has an element-action plan, and plans solve their tasks in HALO's env.
(Plans in agisdk's harness: tests/test_agisdk_harness.py.)"""

import asyncio

import pytest
from typer.testing import CliRunner

from halo_lib.cli import app
from halo_lib.config import EnvConfig
from halo_lib.env.evaluation import EvalResult
from halo_lib.env.pool import EnvPool, EpisodeResult
from halo_lib.errors import UnknownTaskError
from halo_lib.policies.scripted import ScriptedPolicy
from halo_lib.sites import SITE_NAMES
from halo_lib.checks.harness_check import AgreementRow, agreement_summary
from halo_lib.sites.plans import plans_for, real_plan
from halo_lib.sites.server import SitesInThread
from halo_lib.tasks import get_task, list_tasks

# One per site, each using what its site's plans need most: the date and time inputs of the snooze dialog
# (gomail), two products through the cart (omnizon), the date picker two months ahead and a repeat (gocalendar).
SOLVED_IN_HALO = ["v2.gomail-21", "v2.omnizon-25", "v2.gocalendar-4"]


@pytest.mark.parametrize("site", SITE_NAMES)
def test_every_real_task_of_a_local_site_has_a_plan_that_ends_with_an_answer(site):
    names = {t.name for t in list_tasks(site=site)}
    plans = plans_for(site)
    assert names and set(plans) == names  # no task left out, no plan for a task that does not exist
    for name, plan in plans.items():
        assert plan[-1].action == "send_msg_to_user" and plan[-1].value, name
        assert all(s.target or s.action == "send_msg_to_user" for s in plan[:-1]), name


def test_a_task_without_a_plan_is_a_clear_error():
    with pytest.raises(UnknownTaskError, match="no local clone of topwork"):
        real_plan(get_task("v2.topwork-2"))


def test_plans_solve_their_tasks_in_halo_env():
    tasks = [get_task(t) for t in SOLVED_IN_HALO]

    async def main():
        async with EnvPool(2, EnvConfig(max_steps=30)) as pool:
            return await pool.run([(t, ScriptedPolicy(real_plan(t)).act) for t in tasks])

    with SitesInThread(sorted({t.site for t in tasks})):
        results = asyncio.run(main())
    for task, r in zip(tasks, results):
        assert r.success, (task.id, r.status, r.error, r.actions)
        assert r.action_errors == 0, r.actions


def _row(task_id: str, halo: bool, harness: bool, judged: bool) -> AgreementRow:
    return AgreementRow(get_task(task_id), halo=EpisodeResult(task_id, "x", halo, 3), harness_success=harness,
                        halo_on_harness_state=EvalResult(judged))


def test_agreement_rows_and_summary():
    rows = [_row("v2.gocalendar-10", True, True, True), _row("v2.gocalendar-11", False, False, False),
            _row("v2.gocalendar-16", False, False, False), _row("v2.gocalendar-18", True, False, True)]
    assert [r.agree for r in rows] == [True, True, True, False]
    assert [r.passed for r in rows] == [True, True, False, False]  # 11's official script is empty; 16 failed
    assert "DISAGREE" in rows[3].line() and "empty official script" in rows[1].line()
    assert agreement_summary(rows) == "harness check: agree 3/4 (HALO success 2/4, harness success 1/4)"


def test_halo_sites_check_harness_prints_a_line_per_task_and_the_summary(monkeypatch):
    seen = []

    def fake_check(tasks, results_dir, concurrency, on_row):
        seen.extend(t.id for t in tasks)
        rows = [_row(t.id, True, True, True) for t in tasks]
        for r in rows:
            on_row(r)
        return rows

    monkeypatch.setattr("halo_lib.checks.harness_check.check_agreement", fake_check)
    result = CliRunner().invoke(app, ["sites", "check", "--harness", "--task", "v2.gocalendar-10",
                                      "--task", "v2.gocalendar-16"])
    assert result.exit_code == 0, result.output
    assert seen == ["v2.gocalendar-10", "v2.gocalendar-16"]
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("v2.gocalendar-10") and "agree" in lines[0]
    assert lines[-1] == "harness check: agree 2/2 (HALO success 2/2, harness success 2/2)"
