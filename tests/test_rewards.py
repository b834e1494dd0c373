"""Dense rewards: milestones read from the sites' own state (in order, on the real sites), novelty, loops,
the success bonus and the config's weights."""

import asyncio
import copy
from types import SimpleNamespace

import pytest

from halo_lib.config import EnvConfig
from halo_lib.env.environment import BrowserEnv, BrowserHost
from halo_lib.errors import HaloError
from halo_lib.policies.scripted import ScriptedPolicy
from halo_lib.rl.rewards import EpisodeRewarder, RewardConfig, milestones_for, reached_milestones, state_signature
from halo_lib.sites.server import SitesInThread
from halo_lib.sites.state import deep_diff
from halo_lib.tasks import get_task
from halo_lib.tasks.generator import final_state_of, generate_tasks, initial_state_of, oracle_steps, resolve_generated


def _task(site: str, family: str):
    return next(t for t in generate_tasks(site, 9, seed=2) if t.family == family)


def _finish(task, mutate) -> dict:
    """A /finish JSON for ``task`` whose final state is the initial one changed by ``mutate``."""
    initial = initial_state_of(task)
    final = copy.deepcopy(initial)
    mutate(final)
    return {"initialfinaldiff": deep_diff(initial, final), "differences": {}}


# ---------- hand-made sequences ----------
def test_novelty_once_per_state_and_loop_for_the_same_action_on_the_same_state():
    rw = EpisodeRewarder(_task("gomail", "send"))
    rw.reset("s0")
    first = rw.step(None, "s1", "click('5')")
    assert (first.novelty, first.loop) == (0.2, 0.0)
    back = rw.step(None, "s0", "go_back()")  # the start state is not novel
    assert (back.novelty, back.loop) == (0.0, 0.0)
    again = rw.step(None, "s1", "click('5')")  # click('5') on s0 again: a loop
    assert (again.novelty, again.loop) == (0.0, -0.5)
    other = rw.step(None, "s2", "click('5')")  # the same action on another state is no loop
    assert (other.novelty, other.loop) == (0.2, 0.0)
    assert rw.step(None, "s2", "click( '5' )").loop == 0.0  # s2 had not seen it...
    assert rw.step(None, "s2", "  click( '5' ) ").loop == -0.5  # ...now it has (whitespace ignored)


def test_novelty_stops_at_its_cap_so_wandering_never_out_earns_success():
    rw = EpisodeRewarder(_task("gomail", "send"))
    rw.reset("s0")
    paid = [rw.step(None, f"s{i}", f"click('{i}')").novelty for i in range(1, 9)]  # 8 new pages
    assert paid[:3] == pytest.approx([0.2] * 3) and sum(paid) == pytest.approx(0.6) and paid[-1] == 0.0
    assert sum(paid) < RewardConfig().success


def test_success_bonus_is_paid_once_and_only_on_success():
    rw = EpisodeRewarder(_task("omnizon", "order"))
    rw.reset("s0")
    assert rw.finish(False).success == 0.0
    rw.reset("s0")
    assert rw.finish(True).total == 1.0
    assert rw.finish(True).total == 0.0


def test_out_of_steps_is_paid_once_and_only_when_the_budget_ran_out():
    cfg = RewardConfig(out_of_steps=-1.0)
    rw = EpisodeRewarder(_task("gomail", "archive"), cfg)
    rw.reset("s0")
    assert rw.finish(False, "failure").total == 0.0  # a wrong answer: no penalty
    rw.reset("s0")
    end = rw.finish(False, "max_steps")
    assert (end.out_of_steps, end.total) == (-1.0, -1.0) and end.to_dict()["out_of_steps"] == -1.0
    assert rw.finish(False, "max_steps").total == 0.0  # paid once
    rw = EpisodeRewarder(_task("gomail", "archive"))  # the default: no penalty, the old reward
    rw.reset("s0")
    assert rw.finish(False, "max_steps").total == 0.0
    with pytest.raises(HaloError, match=r"out_of_steps is a penalty: give a value <= 0 \(e\.g\. -1\.0\), got 1\.0"):
        RewardConfig(out_of_steps=1.0)


def test_config_weights_are_honoured():
    task = _task("omnizon", "cart")
    cfg = RewardConfig(milestone=0.5, novelty=0.7, novelty_cap=2.0, loop=-2.0, success=3.0, step_cost=0.1)
    rw = EpisodeRewarder(task, cfg)
    rw.reset("s0", _finish(task, lambda s: None))
    searched = _finish(task, lambda s: s["filter"].update(searchQuery="anything"))
    p = rw.step(searched, "s1", "press('3', 'Enter')")
    assert p.milestones == ("searched",)
    assert (p.progress, p.novelty, p.loop, p.step_cost) == (0.5, 0.7, 0.0, -0.1)
    assert p.total == pytest.approx(1.1)
    rw.step(searched, "s0", "go_back()")
    assert rw.step(searched, "s1", "press('3', 'Enter')").loop == -2.0
    assert rw.finish(True).success == 3.0


def test_milestones_read_the_task_from_the_state():
    task = _task("omnizon", "cart")
    pid, qty = task.params["product_id"], task.params["quantity"]
    other = next(p["id"] for p in initial_state_of(task)["products"] if p["id"] != pid)

    def cart(items):
        return _finish(task, lambda s: (s["cart"].update(cartItems=items),
                                        s["router"]["location"].update(pathname=f"/product/{pid}")))

    assert reached_milestones(task, cart([{"id": other, "quantity": qty}])) == ["product_opened"]
    assert reached_milestones(task, cart([{"id": pid, "quantity": qty + 1}])) == ["product_opened", "added_to_cart"]
    assert reached_milestones(task, cart([{"id": pid, "quantity": qty}])) == [
        "product_opened", "added_to_cart", "cart_quantity"]
    assert task.check(cart([{"id": pid, "quantity": qty}]), "")


def test_gomail_recipient_milestone_needs_the_tasks_recipient_in_the_to_field():
    task = _task("gomail", "send")
    right, wrong = task.params["recipient_email"], "someone.else@example.com"

    def compose(to):
        return _finish(task, lambda s: s["ui"].update(compose={"toField": [to], "subjectField": "", "bodyField": ""}))

    assert reached_milestones(task, compose(wrong)) == ["compose_opened"]
    assert reached_milestones(task, compose(right)) == ["compose_opened", "recipient"]


def test_milestones_already_true_at_the_start_never_pay():
    task = _task("gocalendar", "delete")
    gone = _finish(task, lambda s: s["calendar"]["events"].pop(task.params["event_id"]))
    rw = EpisodeRewarder(task)
    rw.reset("s0", gone)
    assert rw.step(gone, "s1", "click('1')").progress == 0.0


def test_real_tasks_get_generic_milestones():
    assert [m.name for m in milestones_for(get_task("v2.omnizon-13"))] == [
        "searched", "product_opened", "added_to_cart", "checkout", "order_placed"]
    assert "sent" in [m.name for m in milestones_for(get_task("v2.gomail-4"))]
    assert "event_deleted" in [m.name for m in milestones_for(get_task("v2.gocalendar-10"))]


def test_state_signature_ignores_element_ids_but_not_content_or_url():
    a = SimpleNamespace(url="http://x/a", axtree="[1] button 'Send'\n  [2] textbox 'To'", screenshot=None)
    renumbered = SimpleNamespace(url="http://x/a", axtree="[7] button 'Send'\n  [9] textbox 'To'", screenshot=None)
    other = SimpleNamespace(url="http://x/a", axtree="[1] button 'Sent'\n  [2] textbox 'To'", screenshot=None)
    moved = SimpleNamespace(url="http://x/b", axtree=a.axtree, screenshot=None)
    assert state_signature(a) == state_signature(renumbered)
    assert len({state_signature(a), state_signature(other), state_signature(moved)}) == 3


# ---------- on the real sites ----------
WALKS = ["gen.gomail-send-0007", "gen.gomail-archive-0005", "gen.omnizon-order-0010",
         "gen.gocalendar-create_at-0203", "gen.gocalendar-delete-0003"]


async def _walk(task_ids):
    host = BrowserHost()
    env = BrowserEnv(host, EnvConfig(use_screenshot=False, max_steps=20))
    out = {}
    try:
        for tid in task_ids:
            task = resolve_generated(tid)
            policy = ScriptedPolicy(oracle_steps(task), patience=2)
            obs = await env.reset(task)
            rewarder = EpisodeRewarder(task)
            rewarder.reset(state_signature(obs), await env.read_state())
            done, fired = False, []
            while not done:
                candidate = await policy.act(obs)
                obs, _, done, info = await env.step(candidate)
                state = info["final_state"] if done else await env.read_state()
                pieces = rewarder.step(state, state_signature(obs), candidate.text)
                fired.extend((obs.step, name) for name in pieces.milestones)
            rewarder.finish(info["success"])
            out[tid] = (task, rewarder, fired, info)
    finally:
        await env.close()
        await host.close()
    return out


@pytest.fixture(scope="module")
def walks():
    with SitesInThread(["gomail", "omnizon", "gocalendar"]):
        return asyncio.run(_walk(WALKS))


@pytest.mark.parametrize("task_id", WALKS)
def test_milestones_fire_in_order_when_a_scripted_policy_solves_a_generated_task(walks, task_id):
    task, rewarder, fired, info = walks[task_id]
    assert info["status"] == "success"
    assert [name for _, name in fired] == [m.name for m in rewarder.milestones]  # all, once, in order
    # read step by step from the UI state, not all at once from the end result (Buy Now both adds to the
    # cart and opens the checkout, so one pair may share a step)
    assert len({step for step, _ in fired}) >= len(fired) - 1
    progress = sum(p.progress for p in rewarder.history)
    assert progress == pytest.approx(rewarder.config.milestone * len(fired))
    assert rewarder.history[-1].success == 1.0
    # the UI state the apps keep for rewards is gone once nothing is open: /finish is as before it existed
    final = final_state_of(task, info["final_state"])
    assert "compose" not in (final.get("ui") or {}) and "selectedIds" not in (final.get("ui") or {})
    assert "ui" not in (final.get("calendar") or {})
