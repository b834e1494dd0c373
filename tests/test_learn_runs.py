"""``halo bench learn-runs``: finished learn-bench runs read back (in the format the learn bench writes) and pooled."""

import json
import re
from dataclasses import asdict, replace

import pytest
from typer.testing import CliRunner

from halo_lib.config import flat_fields
from halo_lib.recipe import (RENAMED_FIELDS, TRAINING_DIR, RecipeConfig, RecipeResult, paired_bootstrap_ci,
                             training_config)
from halo_lib.bench.learn_runs import load_run, pooled_difference, run_learn_runs
from halo_lib.cli import app
from halo_lib.errors import HaloError
from halo_lib.rl.config import TrainConfig

LINE = re.compile(r"learn runs: grpo-bc ([+-]\d+) points over (\d+) runs \((\d+) paired episodes; "
                  r"95% CI: \[(-?\d+), (-?\d+)\]\); (\d+) of (\d+) single-run intervals above 0")


TRAINED = training_config(RecipeConfig(), "text")
"""The GRPO run the CPU recipe trains."""


def write_run(folder, bc, grpo, config=None, minutes=20.0, training: TrainConfig | dict | None = None):
    """A run folder as ``run_recipe`` leaves it: config.json (RecipeConfig), result.json (RecipeResult) and, given
    ``training``, the GRPO run's own config.json (as ``train`` writes it; a dict: as it is)."""
    folder.mkdir(parents=True)
    if training is not None:
        (folder / TRAINING_DIR).mkdir()
        record = training if isinstance(training, dict) else {**asdict(training), "git_revision": "abc"}
        (folder / TRAINING_DIR / "config.json").write_text(json.dumps(record))
    result = RecipeResult(tasks=[f"t{i}" for i in range(len(bc))], sites=["gomail"] * len(bc), base=[False] * len(bc),
                         bc=bc, grpo=grpo, ci=paired_bootstrap_ci(grpo, bc), seconds=60 * minutes,
                         real={"tasks": ["r1", "r2"], "bc": [False, False], "grpo": [True, False]})
    (folder / "config.json").write_text(json.dumps(asdict(config or RecipeConfig())))
    (folder / "result.json").write_text(json.dumps(asdict(result)))
    return folder


def test_the_line_pools_the_runs_and_counts_the_single_run_intervals_above_zero(tmp_path):
    n = 20
    clear = write_run(tmp_path / "a", [False] * n, [True] * 8 + [False] * 12)  # 8 wins: its interval clears 0
    level = write_run(tmp_path / "b", [True] * 4 + [False] * 16, [True] * 4 + [False] * 16)  # no pair differs
    said = []
    line = run_learn_runs([clear, level], say=said.append)
    got = LINE.fullmatch(line)
    assert got, line
    estimate, runs, episodes, lo, hi, above, of = map(int, got.groups())
    assert (estimate, runs, episodes, above, of) == (20, 2, 40, 1, 2)  # (8/20 + 0/20) / 2 = 20 points
    assert lo <= 0 < estimate < hi  # one run of the two showed nothing: the pooled interval reaches 0
    table = said[0]
    assert "a" in table and "b" in table and "1/0 of 2" not in table and "0/1 of 2" in table  # REAL bc/grpo


def test_the_pooled_interval_counts_the_spread_between_runs_not_only_between_episodes(tmp_path):
    n = 30
    up = load_run(write_run(tmp_path / "up", [False] * n, [True] * n))  # every pair a win
    flat = load_run(write_run(tmp_path / "flat", [False] * n, [False] * n))  # none
    estimate, lo, hi = pooled_difference([up, flat])
    # each run on its own is certain (its episodes all agree); all the uncertainty is which runs one gets: a bootstrap
    # of the 60 pooled episodes alone would give about [0.37, 0.63]
    assert estimate == pytest.approx(0.5)
    assert (lo, hi) == (0.0, 1.0)
    same = pooled_difference([up, load_run(write_run(tmp_path / "up2", [False] * n, [True] * n))])
    assert same == (1.0, 1.0, 1.0)


def test_runs_of_other_settings_are_refused_by_name_and_an_unfinished_run_says_what_is_missing(tmp_path):
    a = write_run(tmp_path / "a", [False, True], [True, True])
    no_kl = replace(RecipeConfig(), grpo=replace(RecipeConfig().grpo, beta=0.0))
    b = write_run(tmp_path / "b", [False, True], [True, True], config=no_kl)
    with pytest.raises(HaloError, match=r"grpo\.beta=0\.0 \(there 0\.1\)"):
        run_learn_runs([a, b], say=lambda _: None)
    reused = write_run(tmp_path / "c", [False, True], [True, True],
                       config=replace(RecipeConfig(), reuse=str(a), out_dir="elsewhere", seed=1))
    # where it wrote, what it reused and its seed (a replicate) are not settings
    said = []
    assert LINE.fullmatch(run_learn_runs([a, reused], say=said.append))
    assert "c (reuse)" in said[0] and "(resumed)" not in said[0]
    resumed = json.loads((reused / "result.json").read_text())
    (reused / "result.json").write_text(json.dumps({**resumed, "resumed": 1}))  # its minutes exclude lost work
    run_learn_runs([a, reused], say=said.append)
    assert "c (reuse) (resumed)" in said[-1]
    unfinished = tmp_path / "d"
    unfinished.mkdir()
    (unfinished / "config.json").write_text(json.dumps(asdict(RecipeConfig())))
    with pytest.raises(HaloError, match="no result.json"):
        load_run(unfinished)
    (unfinished / "result.json").write_text(json.dumps({"bc": [True], "grpo": [True]}))  # not the learn bench's
    with pytest.raises(HaloError, match="is it a learn-bench result"):
        load_run(unfinished)


def test_the_command_prints_the_table_and_the_line_and_fails_cleanly(tmp_path):
    a = write_run(tmp_path / "a", [False] * 10, [True] * 3 + [False] * 7)
    b = write_run(tmp_path / "b", [False] * 10, [True] * 5 + [False] * 5)
    result = CliRunner().invoke(app, ["bench", "learn-runs", str(a), str(b)])
    assert result.exit_code == 0, result.output
    assert LINE.fullmatch(result.output.strip().splitlines()[-1])
    assert "+40 points over 2 runs" in result.output  # (3/10 + 5/10) / 2
    missing = CliRunner().invoke(app, ["bench", "learn-runs", str(tmp_path / "nowhere")])
    assert missing.exit_code != 0 and "no result.json" in missing.output


def test_the_table_counts_the_episodes_that_ran_out_of_steps_where_a_run_recorded_them(tmp_path):
    """The overrun (episodes ended by the step budget, not an answer) is what credit rules are judged on beside
    success: held-out GRPO episodes from ``grpo/episodes.csv``, training ones from ``grpo_training/rollouts.jsonl``."""
    a = write_run(tmp_path / "a", [False] * 4, [True] * 2 + [False] * 2, training=TRAINED)
    (a / "grpo").mkdir()
    (a / "grpo" / "episodes.csv").write_text("task_id,status\nt0,success\nt1,success\nt2,max_steps\nt3,failure\n")
    statuses = ["max_steps", "success", "max_steps", "max_steps", "failure"]
    (a / TRAINING_DIR / "rollouts.jsonl").write_text("".join(json.dumps({"status": s}) + "\n" for s in statuses))
    b = write_run(tmp_path / "b", [False] * 4, [True] + [False] * 3, training=TRAINED)  # recorded neither
    assert load_run(a).overran == (1, 4) and load_run(a).training_overran == (3, 5)
    assert load_run(b).overran is None and load_run(b).training_overran is None
    said = []
    run_learn_runs([a, b], say=said.append)
    header, row_a, row_b = said[0].splitlines()
    assert "out of steps held-out/training" in header and " 1/3 " in row_a and " -/- " in row_b


def test_a_run_made_before_a_config_field_existed_counts_with_the_value_it_had_in_effect(tmp_path):
    old = write_run(tmp_path / "old", [False, True], [True, True])
    # as a run made before these fields, and before the config had sections (flat names: bc_epochs, step_cost, ...)
    old_name = {new: old for old, new in RENAMED_FIELDS.items() if "." not in old}  # a recipe's flat names
    saved = {old_name.get(k, k): v for k, v in flat_fields(json.loads((old / "config.json").read_text())).items()
             if "." not in k or k in old_name}
    del saved["step_cost"], saved["lora_top_layers"], saved["out_of_steps"]
    assert "bc_epochs" in saved and "kl_beta" in saved and "model" in saved and "bc" not in saved
    # where it ran is no setting: 8 evaluation episodes at once (16 now), a server launch.sh started
    saved.update(eval_concurrency=8, server="http://127.0.0.1:8000/v1")
    (old / "config.json").write_text(json.dumps(saved))
    every_layer = replace(RecipeConfig(), policy=replace(RecipeConfig().policy, lora_top_layers=0))
    new = write_run(tmp_path / "new", [False, True], [True, True], config=every_layer)
    assert LINE.fullmatch(run_learn_runs([old, new], say=lambda _: None))  # no step cost and every layer, both
    top = write_run(tmp_path / "top", [False, True], [True, True])  # the default: the top 15 layers
    with pytest.raises(HaloError, match=r"policy\.lora_top_layers=15 \(there 0\)"):
        run_learn_runs([old, top], say=lambda _: None)


def test_settings_of_the_grpo_run_itself_count_where_both_runs_recorded_them(tmp_path):
    capped = replace(TRAINED, grpo=replace(TRAINED.grpo, credit_after_done=False))
    a = write_run(tmp_path / "a", [False, True], [True, True], training=capped)
    b = write_run(tmp_path / "b", [False, True], [True, True], training=replace(capped, seed=7))  # a replicate
    assert LINE.fullmatch(run_learn_runs([a, b], say=lambda _: None))
    saved = write_run(tmp_path / "saved", [False, True], [True, True],  # how often it saved is not a setting
                      training=replace(capped, grpo=replace(capped.grpo, checkpoint_interval=10)))
    assert LINE.fullmatch(run_learn_runs([a, saved], say=lambda _: None))
    before = json.loads((a / TRAINING_DIR / "config.json").read_text())  # a run that recorded since-removed fields
    before["grpo"].update(output_dir="results/grpo", eval_interval=10, share_prompt_prefix=True)
    older_fields = write_run(tmp_path / "dead", [False, True], [True, True], training=capped)
    (older_fields / TRAINING_DIR / "config.json").write_text(json.dumps(before))
    assert LINE.fullmatch(run_learn_runs([older_fields, b], say=lambda _: None))
    said = []
    older = write_run(tmp_path / "older", [False, True], [True, True])  # made before grpo_training/
    assert LINE.fullmatch(run_learn_runs([a, older], say=said.append))
    assert "note: older recorded no GRPO settings" in said[-1]
    credited = write_run(tmp_path / "c", [False, True], [True, True], training=TRAINED)
    with pytest.raises(HaloError, match=r"grpo\.credit_after_done=True \(there False\)"):
        run_learn_runs([a, credited], say=lambda _: None)
    with pytest.raises(HaloError, match=r"grpo\.credit_after_done"):  # an older run first hides nothing
        run_learn_runs([older, a, credited], say=lambda _: None)


def test_a_reward_setting_added_after_a_run_counts_with_the_value_it_had_in_effect(tmp_path):
    old = write_run(tmp_path / "old", [False, True], [True, True], training=TRAINED)
    record = json.loads((old / TRAINING_DIR / "config.json").read_text())
    del record["rewards"]["out_of_steps"]  # as a run made before the penalty existed wrote it
    (old / TRAINING_DIR / "config.json").write_text(json.dumps(record))
    new = write_run(tmp_path / "new", [False, True], [True, True], training=TRAINED)  # out_of_steps 0: no penalty
    assert LINE.fullmatch(run_learn_runs([old, new], say=lambda _: None))
    penalised = write_run(tmp_path / "penalised", [False, True], [True, True],
                          training=replace(TRAINED, rewards=replace(TRAINED.rewards, out_of_steps=-1.0)))
    with pytest.raises(HaloError, match=r"rewards\.out_of_steps=-1\.0 \(there 0\.0\)"):
        run_learn_runs([old, penalised], say=lambda _: None)



def before_train_config(training: TrainConfig) -> dict:
    """A GRPO run's config.json as ``train`` wrote it before ``TrainConfig``: the policy, the seed, the sampler, the
    step budget and the prompts among GRPO's settings (``grpo.model``, ``grpo.lora_rank``, ``grpo.prompt``, ...)."""
    grpo = {**asdict(training.policy), "seed": training.seed, "policy_backend": training.policy_backend,
            "max_steps": training.env.max_steps, "prompt": asdict(training.prompt), **asdict(training.grpo)}
    return {"grpo": grpo, "rewards": asdict(training.rewards), "env": asdict(training.env), "git_revision": "abc"}


def test_a_grpo_run_recorded_before_train_config_is_compared_under_the_new_names(tmp_path):
    """The real runs of 2026-12-06 recorded ``grpo.model``, ``grpo.lora_top_layers``, ``grpo.seed``... : read as
    ``policy.model``, ``policy.lora_top_layers``, ``seed``, they pool with runs that record a TrainConfig, and a
    difference is named by its place now."""
    old = write_run(tmp_path / "old", [False, True], [True, True], training=before_train_config(TRAINED))
    assert "model" in json.loads((old / TRAINING_DIR / "config.json").read_text())["grpo"]
    new = write_run(tmp_path / "new", [False, True], [True, True], training=TRAINED)
    assert LINE.fullmatch(run_learn_runs([old, new], say=lambda _: None))
    replicate = before_train_config(replace(TRAINED, seed=3))
    assert LINE.fullmatch(run_learn_runs([write_run(tmp_path / "seed3", [True, True], [True, True],
                                                    training=replicate), new], say=lambda _: None))
    every_layer = before_train_config(replace(TRAINED, policy=replace(TRAINED.policy, lora_top_layers=0)))
    other = write_run(tmp_path / "other", [False, True], [True, True], training=every_layer)
    with pytest.raises(HaloError, match=r"policy\.lora_top_layers=15 \(there 0\)"):
        run_learn_runs([other, new], say=lambda _: None)
    wider = before_train_config(replace(TRAINED, prompt=replace(TRAINED.prompt, axtree_chars=900)))
    other = write_run(tmp_path / "wider", [False, True], [True, True], training=wider)
    with pytest.raises(HaloError, match=r"prompt\.axtree_chars=500 \(there 900\)"):
        run_learn_runs([other, new], say=lambda _: None)
