"""The agent around a policy: trajectories, recovery, the verified action cache, macros and the step loop,
on the real local sites (no models: scripted and small fake policies)."""

import asyncio
import io
import json
import re

import pytest
from PIL import Image

from halo_lib.actions import COMPUTER_USE, ELEMENT, Action
from halo_lib.agent import (Agent, GroundedAction, LoopDetector, MacroRun, Recovery, RecoveryConfig, TrajectoryWriter,
                            VerifiedActionCache, close_action, compose_email, fill_field,
                            find_obstructions, ground, load_episodes, load_trajectories, parse_axtree,
                            parse_macro_call, run_agent_episode, run_agent_episodes, search, state_signature)
from halo_lib.config import EnvConfig
from halo_lib.env.environment import BrowserEnv, BrowserHost, Observation
from halo_lib.policies.base import Candidate
from halo_lib.policies.scripted import ScriptedPolicy, Step
from halo_lib.sites.server import SitesInThread
from halo_lib.tasks import get_task

CANCEL_DINNER = get_task("v2.gocalendar-10")  # "cancel that (dinner) plan on Wednesday"
SOLVE_DINNER = [Step("click", r"button 'Dinner with Friends"), Step("click", r"button 'Delete event'"),
                Step("send_msg_to_user", value="I cancelled the dinner with friends on Wednesday.")]
ASK_ASHLEY = get_task("v2.gomail-7")  # "Send an email to Ashley Campbell and ask if shes coming to team dinner."
OMNIZON = get_task("v2.omnizon-13")
HEADPHONES = "Sony WH-CH520 Wireless Headphones, Bluetooth On-Ear, Blue"  # not linked from Omnizon's home page


@pytest.fixture(scope="module", autouse=True)
def sites():
    with SitesInThread(["gomail", "omnizon", "gocalendar"]):
        yield


def run(coro):
    return asyncio.run(coro)


async def with_env(fn, **config):
    host = BrowserHost()
    env = BrowserEnv(host, EnvConfig(**config))
    try:
        return await fn(env)
    finally:
        await env.close()
        await host.close()


def bid_of(axtree: str, pattern: str) -> str:
    line = next(line for line in axtree.splitlines() if re.search(pattern, line))
    return re.search(r"\[(\w+)\]", line).group(1)


class TextPolicy:
    """Replies with ``replies[i](obs)`` at its i-th call (then answers 'done'); remembers what it was shown."""

    name, modality = "text-plan", "text"

    def __init__(self, *replies):
        self.replies = list(replies)
        self.seen: list[Observation] = []

    def reset(self) -> None:
        self.seen = []

    async def act(self, obs) -> Candidate:
        self.seen.append(obs)
        calls = len(self.seen)
        text = self.replies[calls - 1](obs) if calls <= len(self.replies) else "send_msg_to_user('done')"
        return Candidate.from_text(text, family=ELEMENT)

    async def sample_actions(self, obs, n):
        return [await self.act(obs)] * n


class ExplodingPolicy(TextPolicy):
    """Plays its replies, then raises as a dead model server would."""

    async def act(self, obs) -> Candidate:
        if len(self.seen) >= len(self.replies):
            self.seen.append(obs)
            raise ConnectionError("model server at 127.0.0.1:8000 died")
        return await super().act(obs)


# ---- real trees, captured once -------------------------------------------------------------------


@pytest.fixture(scope="module")
def trees():
    """Accessibility trees of real pages: GoMail (inbox, compose window, error alert over it), GoCalendar
    (week view, an event's pop-over) and Omnizon (home)."""

    async def body(env):
        found = {}
        obs = await env.reset(get_task("v2.gomail-5"))
        found["gomail"] = obs
        obs, *_ = await env.step(f"click('{bid_of(obs.axtree, r'button .Compose.')}')")
        found["compose"] = obs
        obs, *_ = await env.step(f"click('{bid_of(obs.axtree, r'button .Send.')}')")  # no recipient: an alert
        found["alert"] = obs
        obs = await env.reset(CANCEL_DINNER)
        found["calendar"] = obs
        obs, *_ = await env.step(f"click('{bid_of(obs.axtree, r'button .Dinner with Friends')}')")
        found["popover"] = obs
        found["omnizon"] = await env.reset(OMNIZON)
        return found

    return run(with_env(body, use_screenshot=False))


# ---- trajectories --------------------------------------------------------------------------------


def _png(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_trajectory_jsonl_round_trip_into_pandas_with_screenshot_files(tmp_path):
    writer = TrajectoryWriter(tmp_path)
    click = Action("click", ELEMENT, {"bid": "12"})
    for episode_id, color in (("ep-a", "red"), ("ep-b", "blue")):
        with writer.episode("v2.gomail-1", episode_id) as episode:
            for step in range(3):
                obs = Observation("goal", f"http://127.0.0.1:1/inbox/{step}", step, screenshot=_png(color),
                                  axtree=f"[1] button 'Step {step}'")
                episode.step(step=step, obs=obs, source="policy" if step else "recovery", model_text="click('12')",
                             action=click if step != 1 else None, parse_error="bad" if step == 1 else None,
                             exec_error=None, reward={"env": float(step == 2)}, policy_s=0.5, env_s=0.25)
            episode.summary(status="success", success=True, steps=3, final_obs=obs)
    with (tmp_path / "ep-b.jsonl").open("a") as crashed:
        crashed.write('{"kind": "step", "task_id": "v2.gomail-1", "step": 3, "obs": {"ur')  # cut by a crash

    steps = load_trajectories(tmp_path)
    assert len(steps) == 6 and list(steps["episode_id"].unique()) == ["ep-a", "ep-b"]
    assert list(steps["step"][:3]) == [0, 1, 2] and list(steps["source"][:3]) == ["recovery", "policy", "policy"]
    assert {"obs.url", "obs.signature", "obs.axtree_chars", "obs.screenshot", "reward.env", "timing.policy_s",
            "timing.env_s", "action.name", "action.args", "parse_error", "exec_error", "model_text"} <= set(steps)
    assert steps["reward.env"].tolist() == [0.0, 0.0, 1.0] * 2 and steps["timing.env_s"].eq(0.25).all()
    assert steps["action.name"].isna().tolist() == [False, True, False] * 2
    assert Action.from_dict(json.loads((tmp_path / "ep-a.jsonl").read_text().splitlines()[0])["action"]) == click
    assert steps["obs.signature"].iloc[0] == state_signature("http://other:2/inbox/0", "[9] button 'Step 0'")
    for path, color in zip(steps["obs.screenshot"], ["red"] * 3 + ["blue"] * 3):
        with Image.open(path) as image:
            assert image.format == "PNG" and image.getpixel((0, 0)) == Image.new("RGB", (1, 1), color).getpixel((0, 0))
    episodes = load_episodes(tmp_path)
    assert episodes["status"].tolist() == ["success", "success"] and episodes["steps"].tolist() == [3, 3]
    assert all(path.endswith("final.png") for path in episodes["final_obs.screenshot"])


# ---- recovery: loops -----------------------------------------------------------------------------


def test_loop_detector_triggers_on_the_same_action_in_the_same_state_only():
    loops = LoopDetector(repeats=3)
    loops.record("page-a", "click(button 'Send')")
    loops.record("page-a", "click(button 'Send')")
    assert loops.would_loop("page-a", "click(button 'Send')")
    assert not loops.would_loop("page-b", "click(button 'Send')")  # same action, another state
    assert not loops.would_loop("page-a", "click(button 'Save')")  # same state, another action
    loops.record("page-a", "click(button 'Save')")
    assert not loops.would_loop("page-a", "click(button 'Save')")


def test_recovery_ladder_on_a_loop_replans_then_scrolls_then_goes_back(trees):
    inbox = trees["gomail"]
    refresh = Action("click", ELEMENT, {"bid": bid_of(inbox.axtree, r"button 'Refresh'")})
    recovery = Recovery(RecoveryConfig(loop_repeats=3))
    grounded = ground(refresh, parse_axtree(inbox.axtree))
    assert recovery.review(inbox, grounded) is None
    recovery.record(inbox, grounded)
    assert recovery.review(inbox, grounded) is None
    recovery.record(inbox, grounded)
    # The same button after a re-render (new id) is still the same action: element ids are not identity.
    rerendered = Observation(inbox.goal, inbox.url, 3,
                             axtree=inbox.axtree.replace(f"[{refresh.args['bid']}]", "[9999]"))
    same_click = ground(Action("click", ELEMENT, {"bid": "9999"}), parse_axtree(rerendered.axtree))
    replan = recovery.review(rerendered, same_click)
    assert replan.kind == "replan" and "Refresh" in replan.hint
    scroll, back = recovery.review(inbox, grounded), recovery.review(inbox, grounded)
    assert (scroll.kind, scroll.action) == ("act", Action("scroll", ELEMENT, {"delta_x": 0, "delta_y": 400}))
    assert back.action == Action("go_back", ELEMENT, {})
    assert recovery.review(inbox, grounded) is None  # ladder exhausted: the policy has its way
    # elsewhere, nothing is a loop
    starred = Action("click", ELEMENT, {"bid": bid_of(inbox.axtree, r"link 'Starred'")})
    other = ground(starred, parse_axtree(inbox.axtree))
    assert recovery.review(inbox, other) is None
    assert recovery.review(trees["compose"], grounded) is None


def test_a_loop_with_a_dialog_open_first_closes_the_dialog(trees):
    popover = trees["popover"]
    close = bid_of(popover.axtree, r"button 'Close'")
    recovery = Recovery(RecoveryConfig(loop_repeats=2))
    grounded = ground(Action("click", ELEMENT, {"bid": bid_of(popover.axtree, r"button 'Options'")}),
                      parse_axtree(popover.axtree))
    recovery.record(popover, grounded)
    intervention = recovery.review(popover, grounded)
    assert intervention.action == Action("click", ELEMENT, {"bid": close})
    assert "Dinner with Friends" in intervention.reason
    no_tree = Observation(popover.goal, popover.url, 1)  # a vision-only observation: key presses instead
    recovery.record(no_tree, grounded)
    assert recovery.review(no_tree, grounded).kind == "replan"
    assert recovery.review(no_tree, grounded).action == Action("key", COMPUTER_USE, {"keys": ["Escape"]})


# ---- recovery: obstructions ----------------------------------------------------------------------


def test_obstruction_clearing_picks_the_close_button_of_real_dialogs(trees):
    popover = find_obstructions(parse_axtree(trees["popover"].axtree))
    assert [o.describe() for o in popover] == ["dialog 'Dinner with Friends'"]
    close = bid_of(trees["popover"].axtree, r"button 'Close'")
    assert close_action(popover[0]) == Action("click", ELEMENT, {"bid": close})
    compose = find_obstructions(parse_axtree(trees["compose"].axtree))
    assert close_action(compose[0]).args["bid"] == bid_of(trees["compose"].axtree, r"button 'Save & close'")
    assert not popover[0].blocking and not compose[0].blocking  # the agent's work surface, not in its way
    assert find_obstructions(parse_axtree(trees["calendar"].axtree)) == []
    assert find_obstructions(parse_axtree(trees["omnizon"].axtree)) == []  # the demo note has no close button


def test_a_blocking_alert_is_closed_before_the_policy_acts_and_only_it(trees):
    alert = trees["alert"]
    recovery = Recovery()
    intervention = recovery.before_policy(alert)
    assert intervention.action == Action("click", ELEMENT, {"bid": bid_of(alert.axtree, r"button 'OK'")})
    assert "Please specify at least one recipient" in intervention.hint
    assert recovery.before_policy(alert).action.name == "click"  # second try: the button again
    assert recovery.before_policy(alert).action == Action("key", COMPUTER_USE, {"keys": ["Escape"]})
    assert recovery.before_policy(alert) is None  # then it is the policy's problem
    for page in ("compose", "popover", "gomail"):
        assert Recovery().before_policy(trees[page]) is None
    cookie = Observation("g", "http://x/", 0, axtree=(
        "[1] main\n  [2] heading 'Shop'\n[3] region 'Cookie notice'\n  StaticText 'We use cookies to improve the site.'"
        "\n  [4] button 'Accept all'\n  [5] button 'Reject all'"))
    assert Recovery().before_policy(cookie).action == Action("click", ELEMENT, {"bid": "5"})
    promo = Observation("g", "http://x/", 0, axtree=(
        "[1] dialog 'Get 10% off'\n  StaticText 'Join our newsletter'\n  [2] textbox 'Email'\n  [3] button 'Sign up'"
        "\n  [4] button '×'"))
    assert Recovery().before_policy(promo).action == Action("click", ELEMENT, {"bid": "4"})


def test_fill_field_finds_fields_by_label(trees):
    nodes = parse_axtree(trees["compose"].axtree)
    assert fill_field(nodes, "Subject", "Hi") == Action(
        "fill", ELEMENT, {"bid": bid_of(trees["compose"].axtree, r"textbox 'Subject'"), "value": "Hi"})
    assert fill_field(nodes, "message body", "x").args["bid"] == bid_of(trees["compose"].axtree, r"'Message Body'")
    with pytest.raises(Exception, match="no field labelled 'Phone'"):
        fill_field(nodes, "Phone", "1")


# ---- macros --------------------------------------------------------------------------------------


def test_macro_calls_parse_from_model_text_and_expand_on_real_trees(trees):
    macro = parse_macro_call("I'll write it: compose_email(to='a@b.com', subject='Hi (again)', body='Yo')")
    assert macro.describe() == "compose_email(to='a@b.com', subject='Hi (again)', body='Yo')"
    assert parse_macro_call("search(1, 2, 3)") is None and parse_macro_call("click('3')") is None
    home = parse_axtree(trees["omnizon"].axtree)
    box = bid_of(trees["omnizon"].axtree, r"searchbox 'Search Omnizon'")  # not the 'Search in' drop-down
    assert search("pot").phases[0](home) == [Action("fill", ELEMENT, {"bid": box, "value": "pot"}),
                                             Action("press", ELEMENT, {"bid": box, "key_comb": "Enter"})]
    inbox = parse_axtree(trees["gomail"].axtree)
    assert compose_email("a@b.com", "s", "b").phases[0](inbox) == [
        Action("click", ELEMENT, {"bid": bid_of(trees["gomail"].axtree, r"button 'Compose'")})]
    assert compose_email("a@b.com", "s", "b").phases[0](parse_axtree(trees["compose"].axtree)) == []  # already open
    with pytest.raises(Exception, match="no search box"):
        MacroRun(search("pot")).next_action(Observation("g", "http://x/", 0, axtree="[1] main"))


def test_add_to_cart_macro_searches_opens_the_product_and_adds_it_on_omnizon(tmp_path):
    policy = TextPolicy(lambda obs: f"add_to_cart(product={HEADPHONES!r}, quantity=2)",
                        lambda obs: "send_msg_to_user('added')")

    async def body(env):
        return await run_agent_episode(env, OMNIZON, Agent(policy), TrajectoryWriter(tmp_path))

    result = run(with_env(body, max_steps=15))
    steps = load_trajectories(tmp_path)
    assert result.status == "failure" and result.action_errors == 0  # added, not ordered: the task wants an order
    assert result.chosen_by == {"macro": 5, "policy": 1}  # fill + Enter, open the product, quantity, add; answer
    assert steps["action.name"].tolist() == ["fill", "press", "click", "select_option", "click", "send_msg_to_user"]
    assert steps["model_text"][0].startswith("add_to_cart(")  # the model's own text stays on the step it chose
    final = load_episodes(tmp_path)["final_obs.screenshot"][0]
    assert final.endswith(".png")
    last_page = policy.seen[-1].axtree
    assert "link 'Cart, 2 items'" in last_page and f"heading '{HEADPHONES}' level=1" in last_page


def test_compose_email_macro_and_alert_recovery_solve_a_gomail_task(tmp_path):
    body_text = "Hi Ashley, are you coming to the team dinner on Friday?"
    policy = TextPolicy(
        lambda obs: f"click('{bid_of(obs.axtree, r'button .Compose.')}')",
        lambda obs: f"click('{bid_of(obs.axtree, r'button .Send.')}')",  # no recipient yet: GoMail shows an alert
        lambda obs: f"compose_email(to='ashley.campbell@example.com', subject='Team dinner', body={body_text!r})",
        lambda obs: "send_msg_to_user('Sent.')")

    async def body(env):
        return await run_agent_episode(env, ASK_ASHLEY, Agent(policy), TrajectoryWriter(tmp_path))

    result = run(with_env(body, max_steps=15))
    assert result.success, result
    steps = load_trajectories(tmp_path)
    assert steps["source"].tolist() == ["policy", "policy", "recovery", "macro", "macro", "macro", "macro", "macro",
                                        "policy"]
    assert steps["note"][2].startswith("closed the blocking dialog 'Error'")
    assert "Please specify at least one recipient" in policy.seen[2].hint  # the policy is told what was closed
    assert "dialog 'Error'" not in policy.seen[2].axtree


# ---- the verified action cache -------------------------------------------------------------------


def test_cache_records_a_success_replays_it_and_drops_it_when_a_replay_fails(tmp_path):
    cache_file = tmp_path / "cache.json"

    async def episode(env, policy, writer=None):
        return await run_agent_episode(env, CANCEL_DINNER, Agent(policy, cache=VerifiedActionCache(cache_file)), writer)

    async def body(env):
        first = await episode(env, ScriptedPolicy(SOLVE_DINNER))
        replayed = await episode(env, ExplodingPolicy(), TrajectoryWriter(tmp_path / "traj"))  # never asked
        return first, replayed

    first, replayed = run(with_env(body, max_steps=10, use_screenshot=False))
    assert first.success and first.chosen_by == {"policy": 3} and not first.cache_replayed
    plan = next(iter(json.loads(cache_file.read_text())["plans"].values()))
    assert [s["target"] and s["target"]["role"] for s in plan["steps"]] == ["button", "button", None]
    assert replayed.success and replayed.chosen_by == {"cache": 3} and replayed.cache_replayed
    assert next(iter(json.loads(cache_file.read_text())["plans"].values()))["successes"] == 2
    assert load_trajectories(tmp_path / "traj")["source"].tolist() == ["cache"] * 3

    # A stale plan (here: it no longer deletes the event) replays to a failure and is dropped.
    data = json.loads(cache_file.read_text())
    stale = next(iter(data["plans"].values()))
    stale["steps"] = [stale["steps"][0], stale["steps"][2]]
    cache_file.write_text(json.dumps(data))

    async def stale_then_policy(env):
        failed = await episode(env, ExplodingPolicy())
        after = await episode(env, ScriptedPolicy(SOLVE_DINNER))
        return failed, after

    failed, after = run(with_env(stale_then_policy, max_steps=10, use_screenshot=False))
    assert failed.status == "failure" and failed.chosen_by == {"cache": 2}
    assert after.success and after.chosen_by == {"policy": 3}  # the dropped plan was not replayed again
    assert len(VerifiedActionCache(cache_file)) == 1  # ... and the policy's new success is the cached plan now


def test_cache_is_keyed_by_site_start_state_and_goal(tmp_path):
    cache = VerifiedActionCache(tmp_path / "c.json")
    answer = GroundedAction(Action("send_msg_to_user", ELEMENT, {"text": "done"}))
    cache.record_success("gomail", "sig-1", "Do X", [answer])
    assert cache.lookup("gomail", "sig-1", "Do X").actions() == [answer]
    assert cache.lookup("gomail", "sig-2", "Do X") is None and cache.lookup("gomail", "sig-1", "Do Y") is None
    assert cache.lookup("omnizon", "sig-1", "Do X") is None
    assert VerifiedActionCache(tmp_path / "c.json").lookup("gomail", "sig-1", "Do X") is not None
    assert list(tmp_path.iterdir()) == [tmp_path / "c.json"]  # no temporary files left behind


# ---- the loop: errors stay inside their episode --------------------------------------------------


def test_a_policy_that_raises_ends_its_episode_as_error_and_the_next_episode_still_succeeds(tmp_path):
    broken = ExplodingPolicy(lambda obs: "I am not sure what to do here.")  # malformed, then the server dies
    jobs = [(CANCEL_DINNER, Agent(broken)), (CANCEL_DINNER, Agent(ScriptedPolicy(SOLVE_DINNER)))]

    async def body(env):
        return await run_agent_episodes([env], jobs, TrajectoryWriter(tmp_path))

    crashed, solved = run(with_env(body, max_steps=10))
    assert crashed.status == "error" and not crashed.success and crashed.steps == 1
    assert crashed.error == "policy failed: ConnectionError: model server at 127.0.0.1:8000 died"
    assert "no action found" in broken.seen[1].last_action_error  # the bad reply reached the model as an error
    assert solved.success and solved.status == "success"
    steps, episodes = load_trajectories(tmp_path), load_episodes(tmp_path)
    by_episode = steps.groupby("episode_id").size().to_dict()
    assert by_episode == {crashed.episode_id: 1, solved.episode_id: 3}
    assert steps.set_index("episode_id").loc[crashed.episode_id, "parse_error"].startswith("no action found")
    assert dict(zip(episodes["episode_id"], episodes["status"])) == {crashed.episode_id: "error",
                                                                     solved.episode_id: "success"}


def test_a_policy_stuck_in_a_loop_is_asked_to_replan_then_overridden():
    stuck = TextPolicy(*[lambda obs: "scroll(0, 0)"] * 10)  # does nothing, forever

    async def body(env):
        return await run_agent_episode(env, ASK_ASHLEY, Agent(stuck, recovery=RecoveryConfig(loop_repeats=3)))

    result = run(with_env(body, max_steps=4, use_screenshot=False))
    assert result.status == "max_steps" and result.chosen_by == {"policy": 2, "recovery": 2}
    assert [getattr(o, "hint", None) is not None for o in stuck.seen] == [False, False, False, True, False]
    # the third scroll(0, 0) is replaced by the fallback scroll, the fourth (page unchanged) by going back
    assert result.actions == ["scroll(0, 0)", "scroll(0, 0)", "scroll(0, 400)", "go_back()"]
