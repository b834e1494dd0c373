"""A HALO policy runs unchanged inside agisdk's own harness, offline, against the local sites,
and HALO's evaluator agrees with the harness's verdict."""

import asyncio

import pytest

from halo_lib.env.agisdk_adapter import finish_state_from_result, run_in_agisdk_harness
from halo_lib.env.evaluation import run_official_eval
from halo_lib.env.pool import EnvPool
from halo_lib.config import EnvConfig
from halo_lib.policies.scripted import ScriptedPolicy, Step
from halo_lib.sites import SITE_NAMES
from halo_lib.checks.harness_check import check_agreement, has_empty_script
from halo_lib.sites.server import SitesInThread
from halo_lib.tasks import get_task, list_tasks

# One short plan per site in the default run (each harness run costs ~10-20 s); all tasks: the slow test.
DEFAULT_TASKS = ["v2.gomail-24", "v2.omnizon-13", "v2.gocalendar-10", "v2.staynb-15", "v2.dashdish-7"]
GIVE_UP = [Step("send_msg_to_user", value="I could not find it.")]


@pytest.fixture(scope="module", autouse=True)
def sites():
    with SitesInThread(list(SITE_NAMES)):
        yield


@pytest.fixture(scope="module")
def default_rows(tmp_path_factory):
    """The default tasks' plans in HALO's env and in the harness, the harness runs in one child."""
    rows = check_agreement([get_task(t) for t in DEFAULT_TASKS], str(tmp_path_factory.mktemp("agisdk")))
    return {r.task.id: r for r in rows}


@pytest.mark.parametrize("task_id", DEFAULT_TASKS)
def test_same_plan_same_verdict_in_halo_and_in_the_agisdk_harness(default_rows, task_id):
    row = default_rows[task_id]
    assert row.verdicts == (True, True, True), row.line()  # HALO env, harness, HALO's eval of the harness state
    assert row.passed and row.harness_error is None


def test_giving_up_fails_in_halo_and_in_the_agisdk_harness(tmp_path):
    task = get_task("v2.gocalendar-10")

    async def in_halo():
        async with EnvPool(1, EnvConfig(max_steps=10)) as pool:
            return (await pool.run([(task, ScriptedPolicy(GIVE_UP).act)]))[0]

    assert asyncio.run(in_halo()).success is False
    result = run_in_agisdk_harness(task.id, ScriptedPolicy(GIVE_UP).act, max_steps=10, results_dir=str(tmp_path))
    state = finish_state_from_result(result)
    assert state and "differences" in state, result.get("err_msg")
    assert result["success"] is False and run_official_eval(task, state).success is False


@pytest.mark.slow
@pytest.mark.timeout(2400)  # 41 harness runs of ~20 s each: ~15 min on 2 cores
def test_every_real_task_same_verdict_in_halo_and_in_the_agisdk_harness(tmp_path):
    tasks = [t for site in SITE_NAMES for t in list_tasks(site=site)]
    rows = check_agreement(tasks, str(tmp_path))
    disagree = [r.line() for r in rows if not r.agree]
    assert not disagree, "\n".join(disagree)
    unsolved = [r.line() for r in rows if not r.passed]
    assert not unsolved, "\n".join(unsolved)
    assert [r.task.id for r in rows if not r.verdicts[0]] == [t.id for t in tasks if has_empty_script(t)]


def test_the_harness_leaves_the_calling_process_usable_for_asyncio():
    async def ping():
        return "ok"

    assert asyncio.run(ping()) == "ok"  # run after the harness tests above, in the same process
