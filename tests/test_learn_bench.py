"""The learning recipe (``halo_lib.recipe``, which ``halo bench learn`` and the notebooks run) at toy size: base -> BC
-> BC+GRPO -> held-out evaluation, end to end on the real pieces (SmolLM2, local sites, oracle demonstrations, the GRPO
trainer), and its summary line."""

import dataclasses
import json
import re

import numpy as np
import pytest

from halo_lib.config import EnvConfig, flat_fields, from_dict
from halo_lib.errors import HaloError
from halo_lib.recipe import (RENAMED_FIELDS, RecipeConfig, RecipeResult, by_site, check_reusable, grpo_starts,
                             load_run_config, paired_bootstrap_ci, resume_recipe, run_recipe, summary_line,
                             training_config, training_tasks)
from halo_lib.policies.prompts import PromptOptions
from halo_lib.rl.bc import BCConfig

GRPO = RecipeConfig().grpo
"""The recipe's GRPO settings (a test changes a few, keeping the others)."""

SUMMARY = re.compile(r"^learn bench: success base (\d+)%, bc (\d+)%, grpo (\d+)% on (\d+) held-out episodes "
                     r"\(95% CI of grpo-bc: \[(-?\d+), (-?\d+)\]\)$")


def test_paired_bootstrap_ci_brackets_the_mean_difference():
    better = [True] * 18 + [False] * 2
    worse = [False] * 16 + [True] * 4
    lo, hi = paired_bootstrap_ci(better, worse)
    assert 0 < lo < 0.7 < hi <= 1.0
    assert paired_bootstrap_ci(worse, worse) == (0.0, 0.0)


def test_training_tasks_take_the_sites_in_turn_and_grpo_gets_tasks_bc_did_not_see():
    bc, grpo = training_tasks(RecipeConfig(train_tasks_per_site=3, grpo_tasks_per_site=12))
    assert [t.site for t in bc] == ["gomail", "omnizon", "gocalendar"] * 3
    assert [t.site for t in grpo[:3]] == ["gomail", "omnizon", "gocalendar"]
    assert all(t.split == "train" for t in bc + grpo) and len({t.id for t in bc + grpo}) == 9 + 36
    fewer, _ = training_tasks(RecipeConfig(train_tasks_per_site=3, grpo_tasks_per_site=2))
    assert [t.id for t in fewer] == [t.id for t in bc]  # BC's tasks do not depend on GRPO's count
    _, small = training_tasks(RecipeConfig(families=["gocalendar/delete"], train_tasks_per_site=8,
                                          grpo_tasks_per_site=100))
    assert len(small) == 18 - 8  # a small family gives GRPO what is left of its training split


def test_grpo_starts_put_a_share_of_groups_along_bcs_demonstrations_last_decision_first():
    from halo_lib.tasks.generator import oracle_steps

    cfg = RecipeConfig(grpo=dataclasses.replace(GRPO, iterations=12, tasks_per_iteration=2), backplay=0.5)
    bc, fresh = training_tasks(cfg)
    starts = grpo_starts(cfg, bc, fresh)
    assert len(starts) == 24
    along = [s for s in starts if s.oracle_steps]
    assert starts[1::2] == along and len(along) == 12  # every other group, spread evenly
    assert [s.task.id for s in starts[0::2]] == [t.id for t in fresh[:12]]  # fresh tasks from their start, in turn
    assert [s.task.id for s in along] == [t.id for t in bc[:12]]  # only tasks BC imitated: no new demonstration
    omnizon = [s for s in along if s.task.site == "omnizon"]
    # per site: before the plan's last action, then the last two, ... (a reverse curriculum), on each task's own plan
    assert [s.oracle_steps for s in omnizon] == [len(oracle_steps(s.task)) - 1 - v for v, s in enumerate(omnizon)]
    assert all(1 <= s.oracle_steps < len(oracle_steps(s.task)) for s in along)
    assert not any(s.oracle_steps for s in grpo_starts(dataclasses.replace(cfg, backplay=0.0), bc, fresh))
    assert all(s.oracle_steps for s in grpo_starts(dataclasses.replace(cfg, backplay=1.0), bc, fresh))
    short = grpo_starts(dataclasses.replace(cfg, backplay=1.0, env=EnvConfig(max_steps=2)), bc, fresh)
    assert {s.oracle_steps for s in short} == {1}  # the policy keeps a step of the budget
    with pytest.raises(HaloError, match=r"backplay must be in \[0, 1\]"):
        grpo_starts(dataclasses.replace(cfg, backplay=1.5), bc, fresh)


def test_summary_line_has_the_documented_form():
    line = summary_line(RecipeResult(base=[False] * 4, bc=[True, False, False, False], grpo=[True, True, False, False],
                                    ci=(0.0, 0.5)))
    m = SUMMARY.match(line)
    assert m and m.groups() == ("0", "25", "50", "4", "0", "50")


def test_by_site_counts_each_sites_successes_and_the_pairs_grpo_won_and_lost():
    r = RecipeResult(tasks=["a", "b", "c", "d", "e"], sites=["gomail", "gomail", "omnizon", "omnizon", "omnizon"],
                    base=[False, False, False, False, True], bc=[True, False, True, False, False],
                    grpo=[True, True, False, True, False])
    rows = {site: row.tolist() for site, row in by_site(r).iterrows()}
    # episodes, base, bc, grpo, grpo wins (grpo solved, bc not), grpo losses (the reverse)
    assert rows == {"gomail": [2, 0, 1, 2, 1, 0], "omnizon": [3, 1, 1, 1, 1, 1], "all": [5, 1, 2, 3, 2, 1]}


def test_a_reused_phase_is_recorded_in_the_new_run_so_it_can_be_reused_in_turn(tmp_path):
    """Every reused phase (base, bc, and bc_real, which the toy run skips) is written to the new run's folder, sorted
    back by task id, even with nothing to evaluate now: a reuse of that folder reads it there."""
    from types import SimpleNamespace

    from halo_lib.recipe import _reused

    previous, new = tmp_path / "previous", tmp_path / "new"
    (previous / "bc_real").mkdir(parents=True)
    (previous / "bc_real" / "episodes.csv").write_text("task_id,success\nreal.b,True\nreal.a,False\nreal.c,True\n")
    tasks = [SimpleNamespace(id="real.b"), SimpleNamespace(id="real.a")]  # real.c is not this run's
    said: list[str] = []
    assert _reused(previous, "bc_real", tasks, said.append, out=new) == [False, True]
    assert (new / "bc_real" / "episodes.csv").read_text().split() == ["task_id,success", "real.b,True",
                                                                      "real.a,False"]
    assert _reused(new, "bc_real", tasks, said.append) == [False, True]


class DiesOnce:
    """Answers 'done' at once, but its first ``deaths`` calls raise as a dead model server does."""
    name, modality = "dies-once", "text"

    def __init__(self, deaths: int):
        self.deaths = deaths

    async def act(self, obs):
        from halo_lib.actions import ELEMENT
        from halo_lib.policies.base import Candidate

        if self.deaths > 0:
            self.deaths -= 1
            raise ConnectionError("vLLM server at 127.0.0.1:1 is not answering")
        return Candidate.from_text("send_msg_to_user('done')", family=ELEMENT)

    async def sample_actions(self, obs, n):
        return [await self.act(obs) for _ in range(n)]


def test_an_episode_without_a_verdict_is_played_again_and_a_phase_that_keeps_erring_stops(tmp_path):
    """An evaluation episode that ended with an error (a dead server) is not the policy's failure: it is played once
    more, and if it errs again the phase stops instead of counting it (a dead server once made GRPO read 0/54)."""
    from halo_lib.recipe import _evaluate
    from halo_lib.sites.server import SitesInThread
    from halo_lib.tasks import resolve_tasks

    tasks = resolve_tasks("gen:gocalendar/delete:heldout:2", 0)
    cfg = RecipeConfig(env=EnvConfig(max_steps=2, max_unparsed_replies=2))
    said: list[str] = []
    with SitesInThread(["gocalendar"]):
        successes = _evaluate(DiesOnce(deaths=1), tasks, cfg, tmp_path, "bc", said.append, concurrency=1)
        assert successes == [False, False]  # both have a verdict now: 'done' without deleting fails
        assert "1 episodes ended with an error, not a verdict" in said[0] and "not answering" in said[0]
        table = (tmp_path / "bc" / "episodes.csv").read_text()
        assert "error" not in {line.split(",")[6] for line in table.splitlines()[1:]} and table.count("\n") == 3
        with pytest.raises(HaloError, match="ended with an error twice.*not answering"):
            _evaluate(DiesOnce(deaths=99), tasks, cfg, tmp_path, "grpo", said.append, concurrency=1)
    assert not (tmp_path / "grpo" / "episodes.csv").exists()  # a resume plays the phase again
    assert (tmp_path / "grpo" / "episodes.errored.csv").is_file()


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    """One toy text run (every phase, in-process), shared by the tests that read it."""
    out = tmp_path_factory.mktemp("learn")
    cfg = RecipeConfig(families=["omnizon/cart"], train_tasks_per_site=1, grpo_tasks_per_site=1, heldout_tasks_per_site=1,
                      real_tasks_per_site=0, bc=BCConfig(epochs=1),
                      grpo=dataclasses.replace(GRPO, iterations=1, tasks_per_iteration=1, group_size=2,
                                               max_completion_length=20),
                      env=EnvConfig(max_steps=4, max_unparsed_replies=2), use_vllm=False, out_dir=str(out))
    said: list[str] = []
    result = run_recipe(cfg, say=said.append)
    return cfg, result, "\n".join(said), next(out.iterdir())


def test_toy_learn_bench_runs_every_phase_and_records_them(toy_run):
    cfg, result, text, run = toy_run
    assert len(result.base) == len(result.bc) == len(result.grpo) == 1
    assert SUMMARY.match(summary_line(result))
    assert result.sampler.startswith("in-process")
    assert re.search(r"\d+ demonstrations from 1/1 solved tasks", text) and "epoch 1: nll" in text
    assert re.search(r"iter 1: reward [+-]\d", text)
    saved = json.loads((run / "result.json").read_text())
    assert saved["bc"] == result.bc and saved["grpo"] == result.grpo
    # the ids name the evaluated episodes, in the order of the success lists
    evaluated = [line.split(",")[0] for line in (run / "grpo" / "episodes.csv").read_text().splitlines()[1:]]
    assert saved["tasks"] == sorted(evaluated) and len(evaluated) == 1 and saved["sites"] == ["omnizon"]
    assert re.search(r"held-out successes by site.*\nsite.*\nomnizon\s+1\s", text, re.S)
    assert json.loads((run / "config.json").read_text())["families"] == ["omnizon/cart"]
    training = run / "grpo_training"
    assert (training / "metrics.jsonl").exists() and (run / "bc_adapter" / "adapter_config.json").exists()
    assert np.isfinite(json.loads((training / "metrics.jsonl").read_text().splitlines()[0])["reward_mean"])
    # the training run's settings survive its evaluation (which once wrote its own config.json over them)
    trained = json.loads((training / "config.json").read_text())
    assert trained["grpo"] == dataclasses.asdict(cfg.grpo)
    assert trained["rewards"]["novelty_cap"] == cfg.rewards.novelty_cap
    # the recipe's policy as it is: SmolLM2 keeps LoRA on its top layers
    assert trained["policy"] == dataclasses.asdict(cfg.policy) and trained["policy"]["lora_top_layers"] == 15
    assert json.loads((run / "grpo" / "config.json").read_text())["mode"] == "grpo"


def test_reuse_takes_a_runs_base_and_bc_phases_and_refuses_other_bc_settings(toy_run, tmp_path):
    cfg, first, _, run = toy_run
    with pytest.raises(HaloError, match=r"bc.epochs=1 \(here 2\)"):  # refused before any work
        run_recipe(dataclasses.replace(cfg, bc=BCConfig(epochs=2), reuse=str(run), out_dir=str(tmp_path)))
    with pytest.raises(HaloError, match=r"RecipeConfig.rewards: RewardConfig.out_of_steps is a penalty: give a value"):
        from_dict(RecipeConfig, {"rewards": {"out_of_steps": 1.0}, "reuse": str(run), "out_dir": str(tmp_path)})
    assert not any(tmp_path.iterdir())
    said: list[str] = []
    # one more held-out task than the reused run evaluated: only that one is evaluated now, by base and by BC
    rewards = dataclasses.replace(cfg.rewards, step_cost=0.1, out_of_steps=-0.5)
    again = run_recipe(dataclasses.replace(cfg, grpo=dataclasses.replace(cfg.grpo, learning_rate=1e-3), backplay=1.0,
                                           rewards=rewards,
                                           reuse=str(run), heldout_tasks_per_site=2, out_dir=str(tmp_path)),
                            say=said.append)
    text = "\n".join(said)
    reused = again.tasks.index(first.tasks[0])
    assert len(again.tasks) == len(again.base) == len(again.bc) == len(again.grpo) == 2
    assert again.base[reused] == first.base[0] and again.bc[reused] == first.bc[0]
    assert text.count("1 episodes reused from") == 2 and text.count("1 evaluated now") == 2
    assert "reused from" in text and "demonstrations from" not in text and re.search(r"iter 1: reward", text)
    out = next(tmp_path.iterdir())
    for phase in ("base", "bc"):  # this run's record holds both, so it can be reused in turn
        assert sorted(l.split(",")[0] for l in (out / phase / "episodes.csv").read_text().splitlines()[1:]) == \
            again.tasks
    assert check_reusable(dataclasses.replace(cfg, reuse=str(out))) == out  # BC's adapter came along
    assert (out / "bc_adapter" / "adapter_model.safetensors").read_bytes() == \
        (run / "bc_adapter" / "adapter_model.safetensors").read_bytes()
    # backplay 1: the one group started after BC's task's oracle actions, and the trainer logged it so
    grpo_dir = out / "grpo_training"
    assert "0 groups at the start of training tasks BC did not see, 1 along BC's demonstrations" in text
    assert re.fullmatch(r"gen\.omnizon-cart-\d+@\d", json.loads((grpo_dir / "metrics.jsonl").read_text())["tasks"][0])
    episodes = [json.loads(line) for line in (grpo_dir / "rollouts.jsonl").read_text().splitlines()]
    assert len(episodes) == cfg.grpo.group_size and all(ep["start_step"] >= 1 for ep in episodes)
    # the step cost (an online setting the reuse allows) reached GRPO's rewards, every step of every episode
    assert [s["reward"]["step_cost"] for ep in episodes for s in ep["steps"]] == pytest.approx(
        [-0.1] * sum(len(ep["steps"]) for ep in episodes))
    assert json.loads((grpo_dir / "config.json").read_text())["rewards"]["out_of_steps"] == -0.5  # and the penalty
    assert any("reused" in n for n in again.notes)


def test_a_stopped_run_resumes_where_it_stopped_and_counts_only_its_kept_work(toy_run, tmp_path):
    """A copy of the toy run as if it had been killed after GRPO iteration 1 of 2 (its config asks for 2; it holds
    base/, bc_adapter/, bc/, the checkpoint of iteration 1 and no result): the resume reads the phases back, trains
    iteration 2 only, and when it stops again (in the evaluation) a second resume evaluates and finishes."""
    import shutil

    cfg, first, _, run = toy_run
    stopped = tmp_path / "stopped"
    shutil.copytree(run, stopped)
    (stopped / "result.json").unlink()
    shutil.rmtree(stopped / "grpo")
    config = json.loads((stopped / "config.json").read_text())
    (stopped / "config.json").write_text(json.dumps({**config, "grpo": {**config["grpo"], "iterations": 2}}))
    elapsed = json.loads((stopped / "elapsed.json").read_text())
    (stopped / "elapsed.json").write_text(json.dumps({**elapsed, "open": True}))  # as a killed run leaves it
    kept = elapsed["seconds"]
    assert kept > 0

    said: list[str] = []

    def stop_at_evaluation(line: str) -> None:
        said.append(line)
        if line.startswith("[4/4]"):
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError, match="killed"):
        resume_recipe(stopped, say=stop_at_evaluation)
    text = "\n".join(said)
    assert "demonstrations from" not in text and "BC adapter read back" in text  # BC was not redone
    assert "GRPO goes on from its checkpoint step-000001" in text
    assert re.search(r"iter 2: reward", text) and "iter 1:" not in text
    assert f"go on with `halo bench learn --resume {stopped}`" in said[-1]
    training = stopped / "grpo_training"
    assert [json.loads(line)["iteration"] for line in (training / "metrics.jsonl").read_text().splitlines()] == [1, 2]
    assert (training / "checkpoints" / "step-000002" / "adapter").is_dir() and not (stopped / "result.json").exists()
    progress = json.loads((stopped / "elapsed.json").read_text())
    assert progress["resumed"] == 1 and progress["seconds"] > kept

    said.clear()
    result = resume_recipe(stopped, say=said.append)
    text = "\n".join(said)
    assert "GRPO goes on from its checkpoint step-000002" in text and "iter " not in text
    assert result.base == first.base and result.bc == first.bc and len(result.grpo) == 1
    assert result.resumed == 2 and result.seconds > progress["seconds"]
    saved = json.loads((stopped / "result.json").read_text())
    assert saved["resumed"] == 2 and saved["grpo"] == result.grpo
    with pytest.raises(HaloError, match="nothing to resume"):  # a finished run is left alone
        resume_recipe(stopped)


def test_load_run_config_reads_runs_of_older_versions_and_refuses_unknown_settings(tmp_path):
    # as a run recorded before the config had sections (flat names: bc_epochs, max_steps, novelty_cap, grpo_iterations,
    # kl_beta, lora_rank, model, ...) and before the out-of-steps penalty and LoRA on the top layers existed
    recipe = dataclasses.replace(RecipeConfig(), grpo=dataclasses.replace(GRPO, iterations=3, beta=0.05),
                                 bc=BCConfig(epochs=1))
    old_name = {new: old for old, new in RENAMED_FIELDS.items() if "." not in old}  # a recipe's flat names
    saved = {old_name.get(k, k): v for k, v in flat_fields(dataclasses.asdict(recipe)).items()
             if "." not in k or k in old_name}
    del saved["out_of_steps"], saved["lora_top_layers"]
    assert {"bc_epochs", "max_steps", "grpo_iterations", "kl_beta", "model"} <= set(saved)
    assert "prompt.compact_axtree" not in saved and "grpo.loss_type" not in saved
    (tmp_path / "config.json").write_text(json.dumps(saved))
    cfg = load_run_config(tmp_path)
    assert (cfg.grpo.iterations, cfg.grpo.beta, cfg.bc.epochs, cfg.env.max_steps) == (3, 0.05, 1, 8)
    assert (cfg.rewards.out_of_steps, cfg.policy.lora_top_layers) == (0.0, 0)  # what that run had in effect
    assert cfg.prompt == RecipeConfig().prompt  # a section's fields it never recorded: the defaults it ran with
    assert cfg.grpo == dataclasses.replace(GRPO, iterations=3, beta=0.05)
    (tmp_path / "config.json").write_text(json.dumps({**saved, "future_knob": 1}))
    with pytest.raises(HaloError, match="settings unknown here: future_knob"):
        load_run_config(tmp_path)
    del saved["backplay"]  # not a field added after runs were recorded: its value in that run is unknown
    (tmp_path / "config.json").write_text(json.dumps(saved))
    with pytest.raises(HaloError, match="--reuse .*settings it lacks: backplay"):
        load_run_config(tmp_path, "--reuse")
    saved["backplay"] = 0.5
    del saved["bc_batch_size"]  # a renamed field a run lacks ran at a value not known here (batches of 1 once)
    (tmp_path / "config.json").write_text(json.dumps(saved))
    with pytest.raises(HaloError, match="settings it lacks: bc.batch_size"):
        load_run_config(tmp_path)


FLAT_RUN = {
    "model": "smollm2", "families": ["gomail/archive+delete+star", "omnizon/cart", "gocalendar/delete"],
    "train_tasks_per_site": 8, "grpo_tasks_per_site": 8, "heldout_tasks_per_site": 24, "real_tasks_per_site": 1,
    "max_steps": 8, "bc_epochs": 2, "bc_batch_size": 4, "bc_learning_rate": 0.0006, "lora_rank": 16, "lora_alpha": 32,
    "lora_top_layers": 15, "grpo_iterations": 12, "tasks_per_iteration": 2, "group_size": 4,
    "grpo_learning_rate": 0.0002, "max_completion_length": 48, "temperature": 1.0, "kl_beta": 0.1, "backplay": 0.5,
    "novelty_cap": 0.2, "step_cost": 0.0, "out_of_steps": 0.0, "use_vllm": True, "server": "http://127.0.0.1:8000/v1",
    "eval_concurrency": 8, "axtree_chars": 500, "goal_lines": 8, "input_lines": 3, "max_image_width": 640,
    "cpu_bf16": True, "max_unparsed_replies": 2, "seed": 0, "out_dir": "results/recipe", "reuse": ""}
"""The config.json of a CPU recipe run of 2026-12-06 (results/recipe/cpu-20261206-041830), every setting flat."""


def test_a_flat_run_of_the_cpu_recipe_reads_back_as_the_cpu_recipe(tmp_path):
    """Its LoRA, GRPO and prompt settings come back in the ``policy``, ``grpo`` and ``prompt`` sections: the recipe as
    it is today, but where things ran; a run made with the new names reads back the same."""
    (tmp_path / "config.json").write_text(json.dumps(FLAT_RUN))
    cfg = load_run_config(tmp_path)
    assert dataclasses.replace(cfg, server="", eval_concurrency=16) == RecipeConfig()
    assert (cfg.policy.model, cfg.policy.lora_rank, cfg.grpo.beta, cfg.grpo.learning_rate) == ("smollm2", 16, 0.1, 2e-4)
    (tmp_path / "config.json").write_text(json.dumps(dataclasses.asdict(cfg)))
    assert load_run_config(tmp_path) == cfg


def test_bc_demonstrations_play_in_the_recipes_environment(monkeypatch):
    """BC's oracle episodes use the recipe's env (viewport, timeouts, sites) with a demonstration's own budget: a
    vision policy's clicks are learnt on the pages it is evaluated on (they once used EnvConfig's defaults)."""
    import halo_lib.env.pool as pool_module
    from halo_lib.recipe import _behaviour_cloning

    seen = []

    class Refused(Exception):
        pass

    class FakePool:
        def __init__(self, size, config):
            seen.append(config)

        async def __aenter__(self):
            raise Refused

        async def __aexit__(self, *exc):
            return False

    monkeypatch.setattr(pool_module, "EnvPool", FakePool)
    cfg = RecipeConfig(env=EnvConfig(max_steps=8, max_unparsed_replies=2, viewport_width=1024, action_timeout_s=9.0))
    policy = type("P", (), {"modality": "vision"})()
    with pytest.raises(Refused):
        _behaviour_cloning(policy, [], cfg, None, lambda _: None)
    (env,) = seen
    assert (env.viewport_width, env.action_timeout_s, env.max_steps, env.max_unparsed_replies) == (1024, 9.0, 30, 0)
    assert env.use_screenshot and env.screenshot_format == "png"


def test_toy_learn_bench_runs_the_vision_path_end_to_end(tmp_path):
    """``--model tiny-qwen3vl``: screenshots in, computer_use actions out, in every phase; BC imitates the oracle
    plans played as pointer actions on screenshots (not the text policy's element actions)."""
    cfg = RecipeConfig(policy=dataclasses.replace(RecipeConfig().policy, model="tiny-qwen3vl"),
                      families=["gomail/archive"],
                      train_tasks_per_site=1, grpo_tasks_per_site=1, heldout_tasks_per_site=1, real_tasks_per_site=0,
                      bc=BCConfig(epochs=1),
                      grpo=dataclasses.replace(GRPO, iterations=1, tasks_per_iteration=1, group_size=2,
                                               max_completion_length=16),
                      env=EnvConfig(max_steps=2, max_unparsed_replies=2), out_dir=str(tmp_path))
    said: list[str] = []
    result = run_recipe(cfg, say=said.append)
    assert SUMMARY.match(summary_line(result)) and len(result.grpo) == 1
    text = "\n".join(said)
    assert "3 demonstrations from 1/1 solved tasks" in text  # click the row, click Archive, answer
    # a vision policy is shown its whole computer-use family, and its run records no element actions to list; its LoRA
    # is on every layer (the recipe's lora_top_layers is SmolLM2's)
    trained = json.loads((next(tmp_path.iterdir()) / "grpo_training" / "config.json").read_text())
    assert trained["prompt"]["actions"] == [] and trained["policy"]["lora_top_layers"] == 0
    assert re.search(r"iter 1: reward [+-]\d", text)
    run = next(tmp_path.iterdir())
    steps = [json.loads(line) for f in (run / "bc" / "trajectories").glob("*.jsonl")
             for line in f.read_text().splitlines()]
    assert any(s["kind"] == "step" and s["obs"]["screenshot"] for s in steps)  # the evaluation saw screenshots


def test_the_rollout_sampler_sends_no_seed_so_a_groups_episodes_differ():
    """Seeded requests made the G episodes of a group (one start state) draw identical replies: every advantage 0,
    every iteration skipped. The rollouts' sampler (the recipe's and `halo train`'s) must leave the seed to vLLM."""
    from halo_lib.policies.prompts import Prompt
    from halo_lib.rl.sync import VLLMSync

    sampler = VLLMSync.for_rollouts("http://127.0.0.1:1/v1", "text", temperature=1.0, max_tokens=16, prompt=None)
    prompt = Prompt([{"role": "user", "content": [{"type": "text", "text": "hi"}]}], "element")
    request = sampler.policy_for(None).request(prompt, 4)
    assert "seed" not in request and request["n"] == 4 and request["temperature"] == 1.0


def test_a_run_folder_is_continued_only_with_its_own_settings(toy_run):
    cfg, _, _, run = toy_run
    with pytest.raises(HaloError, match=r"holds a run with other settings: bc.epochs=1 \(here 3\)"):
        run_recipe(dataclasses.replace(cfg, bc=BCConfig(epochs=3)), run)
    with pytest.raises(HaloError, match="until must be one of"):
        run_recipe(cfg, run, until="bcc")
    said: list[str] = []
    again = run_recipe(dataclasses.replace(cfg, server="", eval_concurrency=3), run, until="base", say=said.append)
    assert again.base and not again.bc and "going on with" in said[0]  # where things run may change
    assert json.loads((run / "elapsed.json").read_text())["resumed"] == 0  # continuing a finished call: no resume


def test_an_iteration_whose_every_group_had_zero_spread_says_it_had_nothing_to_learn():
    from halo_lib.recipe import iteration_line

    m = {"iteration": 3, "reward_mean": 0.0, "success_rate": 0.0, "loss": 0.0, "kl": 0.0, "invalid_action_rate": 0.5,
         "iteration_s": 12.0, "groups": 2, "zero_spread_groups": 2}
    assert iteration_line(m).endswith("; all 2 groups had zero spread in returns: nothing to learn")
    assert "zero spread" not in iteration_line({**m, "zero_spread_groups": 1})


def test_an_iterations_line_gives_the_largest_and_the_mean_sampler_trainer_gap():
    from halo_lib.recipe import iteration_line

    m = {"iteration": 3, "reward_mean": 0.5, "success_rate": 0.25, "loss": 0.01, "kl": 0.02, "invalid_action_rate": 0.0,
         "iteration_s": 40.0, "groups": 2, "zero_spread_groups": 0, "sampler_trainer_logprob_gap": 1.25,
         "sampler_trainer_logprob_gap_mean": 0.0123}
    assert " gap 1.250 (mean 0.0123) (40 s)" in iteration_line(m)


def test_the_online_phase_trains_the_recipes_own_sections():
    """GRPO's TrainConfig is the recipe's sections as they are; LoRA on the top layers and the list of element actions
    are SmolLM2's alone: a vision policy gets LoRA on every layer and its whole computer-use family."""
    cfg = RecipeConfig()
    text = training_config(cfg, "text")
    assert (text.policy, text.grpo, text.rewards, text.prompt, text.seed) == (cfg.policy, cfg.grpo, cfg.rewards,
                                                                              cfg.prompt, cfg.seed)
    assert text.env.max_steps == cfg.env.max_steps and not text.env.use_screenshot
    vision = training_config(dataclasses.replace(cfg, policy=dataclasses.replace(cfg.policy, model="tiny-qwen3vl")),
                             "vision")
    assert vision.policy.lora_top_layers == 0 and cfg.policy.lora_top_layers == 15
    assert vision.prompt.actions == [] and vision.env.use_screenshot and vision.grpo == cfg.grpo


def test_reuse_allows_other_grpo_settings_but_not_the_reply_length_the_evaluations_share(tmp_path):
    """``--reuse`` takes a run's base and BC phases: GRPO's section may differ (it shapes the online phase only), but
    not ``grpo.max_completion_length`` (every evaluation's replies) nor the policy."""
    base = RecipeConfig()
    (tmp_path / "config.json").write_text(json.dumps(dataclasses.asdict(base)))
    online = dataclasses.replace(base, grpo=dataclasses.replace(base.grpo, beta=0.0, iterations=30,
                                                                credit_after_done=False), reuse=str(tmp_path))
    with pytest.raises(HaloError, match="holds no bc_adapter"):  # its settings pass; the folder has no adapter
        check_reusable(online)
    longer = dataclasses.replace(base, grpo=dataclasses.replace(base.grpo, max_completion_length=64),
                                 reuse=str(tmp_path))
    with pytest.raises(HaloError, match=r"grpo\.max_completion_length=48 \(here 64\)"):
        check_reusable(longer)
    other = dataclasses.replace(base, policy=dataclasses.replace(base.policy, lora_rank=8), reuse=str(tmp_path))
    with pytest.raises(HaloError, match=r"policy\.lora_rank=16 \(here 8\)"):
        check_reusable(other)


def test_bc_records_each_epochs_own_seconds(monkeypatch):
    """BC's epoch seconds counted from BC's start: an experiments log read epoch 2's 308 s as 'twice epoch 1's time'
    where it had taken 157 s."""
    import contextlib
    import types

    import halo_lib.recipe as recipe

    clock = {"now": 100.0}
    monkeypatch.setattr(recipe, "time", types.SimpleNamespace(perf_counter=lambda: clock["now"]))

    @contextlib.asynccontextmanager
    async def no_browser(*args):
        yield None

    async def no_demos(*args, **kwargs):
        return ["demo"], 1

    monkeypatch.setattr("halo_lib.env.pool.EnvPool", no_browser)
    monkeypatch.setattr(recipe, "collect_oracle_demonstrations", no_demos)
    def two_epochs_of_150_s(policy, demos, cfg, seed, on_epoch):
        for epoch in (1, 2):
            clock["now"] += 150.0
            on_epoch({"epoch": epoch, "nll": 1.0 / epoch})

    monkeypatch.setattr(recipe, "bc_train", two_epochs_of_150_s)
    said: list[str] = []
    policy = types.SimpleNamespace(modality="text")
    metrics = recipe._behaviour_cloning(policy, ["task"], RecipeConfig(), PromptOptions(), said.append)
    assert [e["seconds"] for e in metrics["epochs"]] == [150.0, 150.0]
    assert said[-2:] == ["  epoch 1: nll 1.000 (150 s)", "  epoch 2: nll 0.500 (150 s)"]
