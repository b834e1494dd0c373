"""A HALO policy runs unchanged inside agisdk's own harness, offline, against the local sites,
and HALO's evaluator agrees with the harness's verdict."""

import asyncio

import pytest

from halo_lib.env.agisdk_adapter import finish_state_from_result, run_in_agisdk_harness
from halo_lib.env.evaluation import run_official_eval
from halo_lib.env.pool import EnvPool
from halo_lib.config import EnvConfig
from halo_lib.policies.scripted import ScriptedPolicy, Step
from halo_lib.sites.server import SitesInThread
from halo_lib.tasks import get_task

TASK = get_task("v2.gocalendar-10")  # "cancel the dinner plan with friends on Wednesday"
SOLVE = [Step("click", r"button 'Dinner with Friends"), Step("click", r"button 'Delete event'"),
         Step("send_msg_to_user", value="I cancelled the dinner with friends on Wednesday.")]
GIVE_UP = [Step("send_msg_to_user", value="I could not find it.")]


@pytest.fixture(scope="module", autouse=True)
def gocalendar():
    with SitesInThread(["gocalendar"]):
        yield


def in_halo(plan) -> bool:
    async def main():
        async with EnvPool(1, EnvConfig(max_steps=10)) as pool:
            return (await pool.run([(TASK, ScriptedPolicy(plan).act)]))[0]

    return asyncio.run(main()).success


def in_agisdk(plan, tmp_path) -> tuple[bool, bool]:
    result = run_in_agisdk_harness(TASK.id, ScriptedPolicy(plan).act, max_steps=10, results_dir=str(tmp_path))
    state = finish_state_from_result(result)
    assert state and "differences" in state, result.get("err_msg")
    return bool(result["success"]), run_official_eval(TASK, state).success


@pytest.mark.parametrize("plan, expected", [(SOLVE, True), (GIVE_UP, False)], ids=["solves", "gives-up"])
def test_same_policy_same_verdict_in_halo_and_in_the_agisdk_harness(plan, expected, tmp_path):
    assert in_halo(plan) is expected
    harness_success, halo_verdict_on_harness_state = in_agisdk(plan, tmp_path)
    assert harness_success is expected
    assert halo_verdict_on_harness_state is expected


def test_the_harness_leaves_the_calling_process_usable_for_asyncio():
    async def ping():
        return "ok"

    assert asyncio.run(ping()) == "ok"  # run after the harness tests above, in the same process
