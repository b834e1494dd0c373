"""Online GRPO for the browser agent, top to bottom (in the spirit of CleanRL's single-file loops): ``train`` sets a
run up, ``_loop`` is the loop, in this order:

    for each iteration:
        1. rollouts   G episodes of each of the iteration's starts (a training task's start, or a state along its
                      scripted solution: ``Start``), sampled by the policy, with dense per-step rewards (milestones,
                      novelty, loops) and the success bonus -> returns R. Played in this process or by Ray workers
                      (``rollout_workers.py``); with max_staleness K > 0 the groups of the next K iterations are
                      already playing while this one updates, and a group more than K versions old is dropped
        2. credit     A = R - mean(R_group) (Dr. GRPO, no std scaling); each step its share (``credit.py``)
        3. update     old log-probs recomputed by the trainer (the gap to the sampler's is logged), the reference's
                      with beta > 0; every step's completion trained with its advantage (dr_grpo loss,
                      ``losses.py``), LoRA weights only (``grpo_update``)
        4. log        metrics.jsonl, rollouts.jsonl (episodes), TensorBoard; atomic checkpoints every N iterations
        5. sync       the adapter saved; a vLLM sampler hot-reloads it, so the next rollouts use the new weights

Model loading is ``model.py``, the run folder's logs and resume checks ``run_logs.py``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

from halo_lib.errors import HaloError
from halo_lib.policies.assets import sequence_logprobs
from halo_lib.policies.hf import HFPolicy, SamplingConfig
from halo_lib.provenance import git_revision
from halo_lib.atomic import write_text_atomic
from halo_lib.rl.checkpoint import latest_checkpoint, load_checkpoint, save_checkpoint
from halo_lib.rl.config import GRPOConfig, TrainConfig
from halo_lib.rl.reference import ReferenceWeights
from halo_lib.rl.credit import TrainSample, anchored_steps, capped_credit, training_samples
from halo_lib.rl.frozen_trunk import FrozenTrunk
from halo_lib.rl.model import PolicyModel, load_policy_model
from halo_lib.rl.rollout import EpisodeRollout, Start
from halo_lib.rl.rollout_workers import MAX_CONTEXTS, GroupLost, LocalRollouts, RayRollouts
from halo_lib.rl.run_logs import LOGS, check_resumable, drop_logged_after
from halo_lib.rl.shared_prefix import SharedPrefix
from halo_lib.tasks import Task
# torch, tensorboard and halo_lib.rl.losses (torch) are imported lazily, in the functions that use them: importing this
# module stays light.

log = logging.getLogger(__name__)
REFERENCE_FILE = "reference_adapter.safetensors"
"""In a run's folder: the KL penalty's reference (the adapter the run started from), which --resume restores."""


def grpo_update(policy: PolicyModel, optimizer, samples: list[TrainSample], cfg: GRPOConfig,
                reference: ReferenceWeights | None = None, share_prefix: bool = True, share_trunk: bool = True) -> dict:
    """``updates_per_batch`` optimizer steps on ``samples``; returns metrics.

    With ``cfg.beta`` > 0 the KL penalty's reference is ``reference`` (``train`` passes the adapter the run started
    from), or, given none, the adapter-disabled base model (what TRL does with a peft model).

    Samples are processed one at a time (gradient accumulation) so long multimodal prompts fit in memory; each
    sample's loss is weighted so the sum equals the chosen full-batch aggregation exactly:
    dr_grpo and grpo: 1/B times the one-sequence loss; dapo: n_i/N times it (tests check the equality). Text prompts
    share their common prefix (``SharedPrefix``): one forward and backward of it per update, the same gradients
    (``share_prefix=False`` runs every sample in full: ``halo bench update`` compares the two). With LoRA on the top
    layers only, the frozen layers below run once per sample, in the reference's pass, and the update passes replay
    them (``FrozenTrunk``: the same numbers; ``share_trunk=False`` runs them in every pass)."""
    import torch

    from halo_lib.rl.losses import kl_k3, loss_fn, per_token_loss, truncated_importance_weights

    model = policy.model
    aggregate = loss_fn(cfg.loss_type)
    n_samples, n_tokens = len(samples), sum(len(s.completion_ids) for s in samples)
    # Old log-probs are the trainer's own (same code path and precision as the update), never the sampler's. With one
    # update per batch they equal the current ones, so the update's own forward gives them (as TRL does): a third
    # less compute. Several updates per batch need them frozen first.
    on_policy = cfg.updates_per_batch == 1
    samples, copies = merge_identical(samples) if on_policy else (samples, [1] * n_samples)
    samples, copies = by_prompt(samples, copies)  # a prompt's samples in a row: its shared graph lives while they run
    weights = [c * (len(s.completion_ids) / n_tokens if cfg.loss_type == "dapo" else 1 / n_samples)
               for s, c in zip(samples, copies)]
    model.eval()
    # kept only where a later pass reuses it: the reference's pass, or several update passes
    reused = cfg.beta != 0.0 or cfg.updates_per_batch > 1
    trunk = FrozenTrunk(model if share_trunk and reused else None)
    with torch.no_grad():
        old = None if on_policy else [sequence_logprobs(model, s.inputs, s.completion_ids).float() for s in samples]
        ref = None
        if cfg.beta != 0.0:
            with reference.active() if reference is not None else model.disable_adapter(), trunk.shared():
                shared = SharedPrefix(model, [s.inputs for s in samples] if share_prefix else [])
                ref = [shared.logprobs(s.inputs, s.completion_ids).float() for s in samples]
    gaps: list[torch.Tensor] = []  # per sampled token: |trainer's log-prob - sampler's|

    def sampler_gap(logp, s: TrainSample, copies: int = 1) -> None:  # copies: the sample merged from that many
        if len(s.sampler_logprobs) == len(s.completion_ids):
            gaps.append((logp.detach().flatten().cpu().float() - torch.tensor(s.sampler_logprobs)).abs().repeat(copies))

    if old is not None:
        for o, s in zip(old, samples):
            sampler_gap(o, s)

    # asynchronous runs sample with older adapters: each token is re-weighted by the trainer/sampler ratio, truncated
    correct = cfg.max_staleness > 0 and cfg.tis_cap > 0
    weights_seen: list[float] = []

    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    metrics = {"loss": 0.0, "clip_fraction": 0.0, "grad_norm": 0.0}
    for _ in range(cfg.updates_per_batch):
        optimizer.zero_grad(set_to_none=True)
        total, clipped, nll, kl = 0.0, 0.0, 0.0, 0.0
        # the prompt prefix all samples share (the system prompt) runs forward and backward once (exact gradients)
        # (given no prompts, it shares nothing and runs every sample in full)
        with trunk.shared():  # the frozen layers' outputs of the reference's pass, for the same tokens
            prefix = SharedPrefix(model, [s.inputs for s in samples] if share_prefix else [])
            for i, s in enumerate(samples):
                logp = prefix.logprobs(s.inputs, s.completion_ids).float().unsqueeze(0)  # [1, T]
                old_i = logp.detach() if old is None else old[i].unsqueeze(0)
                if old is None:
                    sampler_gap(old_i, s, copies[i])
                # [1], on the model's device (CUDA needs it there)
                advantage = torch.tensor([s.advantage], dtype=logp.dtype, device=logp.device)
                per_token = per_token_loss(logp, old_i, advantage, cfg.epsilon_low, cfg.epsilon_high,
                                           ref[i].unsqueeze(0) if ref else None, cfg.beta, cfg.kl_bias_correction)
                if correct and len(s.sampler_logprobs) == per_token.shape[1]:
                    sampled = torch.tensor(s.sampler_logprobs, dtype=old_i.dtype, device=old_i.device).unsqueeze(0)
                    tis = truncated_importance_weights(old_i, sampled, cfg.tis_cap)
                    per_token = per_token * tis
                    weights_seen += tis.flatten().tolist()
                mask = torch.ones_like(per_token)
                loss = aggregate(per_token, mask, max(cfg.max_completion_length, per_token.shape[1])) * weights[i]
                loss.backward()
                total += float(loss.detach())
                nll += copies[i] * float(-logp.detach().sum())
                if ref is not None:
                    kl += copies[i] * float(kl_k3(logp.detach(), ref[i].unsqueeze(0)).sum())
                ratio = torch.exp(logp.detach() - old_i)
                # the clip only bites on the side the advantage pushes towards
                bites = (ratio < 1 - cfg.epsilon_low) if s.advantage < 0 else (ratio > 1 + cfg.epsilon_high)
                clipped += copies[i] * float(bites.float().mean())
        prefix.backward()
        norm = torch.nn.utils.clip_grad_norm_(params, cfg.grad_clip if cfg.grad_clip > 0 else float("inf"))
        optimizer.step()
        metrics = {"loss": total, "clip_fraction": clipped / n_samples, "grad_norm": float(norm),
                   # E[-log p(y)] over sampled tokens estimates the policy's entropy (on-policy samples)
                   "entropy": nll / n_tokens}
        if ref is not None:
            metrics["kl"] = kl / n_tokens  # k3 estimate of KL(policy || reference), per token
    # the max finds a single bad token (a precision or template bug); the mean says how off-policy the batch is
    gap = torch.cat(gaps) if gaps else torch.tensor([float("nan")])
    metrics["sampler_trainer_logprob_gap"] = float(gap.max())
    metrics["sampler_trainer_logprob_gap_mean"] = float(gap.mean())
    if weights_seen:  # the importance correction's weights over every token (with max_staleness > 0)
        metrics["tis_weight_mean"] = sum(weights_seen) / len(weights_seen)
        metrics["tis_truncated_fraction"] = sum(w >= cfg.tis_cap for w in weights_seen) / len(weights_seen)
    metrics["completion_tokens"] = n_tokens
    metrics["forward_passes"] = len(samples)  # per update, after merging identical samples
    metrics["shared_prefix_tokens"] = prefix.length  # prompt tokens run once per update instead of once per sample
    metrics["shared_prompts"] = prefix.shared_prompts  # prompts several samples share, run once each
    # frozen bottom layers run once per sample (in the reference's pass), not once per pass
    metrics["shared_trunk_layers"] = trunk.frozen if trunk.hits else 0
    return metrics


def merge_identical(samples: list[TrainSample]) -> tuple[list[TrainSample], list[int]]:
    """Samples with the same prompt and completion, merged: (unique samples, copies of each).

    Exact for on-policy updates only: identical samples have identical log-probs, and at r = 1 the clipped surrogate
    is linear in A (-min(r A, clip(r) A) = -r A), so n copies with advantages A_1..A_n contribute what one copy
    with their mean advantage, weighted n times, does. It saves forward-backward passes where a group shares a
    state: step 1 of every group has one prompt, and a confident policy often samples the same action."""
    merged: dict[tuple, int] = {}
    unique: list[TrainSample] = []
    advantages: list[list[float]] = []
    for s in samples:
        key = (_tensors_key(s.inputs), tuple(s.completion_ids))
        if key not in merged:
            merged[key] = len(unique)
            unique.append(s)
            advantages.append([])
        advantages[merged[key]].append(s.advantage)
    out = [replace(s, advantage=sum(a) / len(a)) for s, a in zip(unique, advantages)]
    return out, [len(a) for a in advantages]


def by_prompt(samples: list[TrainSample], copies: list[int]) -> tuple[list[TrainSample], list[int]]:
    """The samples (and their copy counts) reordered so those with one prompt come in a row, prompts in order of
    first appearance (the update's sum does not depend on the order)."""
    first: dict[tuple, int] = {}
    keys = [first.setdefault(_tensors_key(s.inputs), len(first)) for s in samples]
    order = sorted(range(len(samples)), key=lambda i: keys[i])
    return [samples[i] for i in order], [copies[i] for i in order]


def _tensors_key(inputs) -> tuple:
    """A hashable fingerprint of model inputs (token ids, pixel values...)."""
    import torch

    return tuple((k, hashlib.sha1(v.detach().cpu().contiguous().numpy().tobytes()).hexdigest() if isinstance(
        v, torch.Tensor) else repr(v)) for k, v in sorted(dict(inputs).items()))


# ----------------------------------------------------------------------------------------------------------
# The loop
# ----------------------------------------------------------------------------------------------------------
@dataclass
class TrainResult:
    run_dir: Path
    iterations: int
    metrics: list[dict]


@dataclass
class _Run:
    """What the loop works with (``train`` sets it up), and how far it got."""

    cfg: GRPOConfig
    starts: list[Start]
    run_dir: Path
    policy: PolicyModel
    optimizer: object
    acting: object  # the in-process policy: its model_inputs are the exact tensors the trainer recomputes
    reference: ReferenceWeights | None
    sampler: object | None
    rollouts: LocalRollouts | RayRollouts  # where the groups are played
    tb: object | None
    first: int  # the first iteration to run (0-based): the resumed checkpoint's
    last: int  # one past the last
    dry_run: bool
    on_iteration: Callable[[dict], None] | None
    history: list[dict] = field(default_factory=list)
    done: int = 0  # iterations finished (logged)
    saved: int = 0  # iterations checkpointed


def train(cfg: TrainConfig, tasks: list[Task | Start], run_dir: Path, resume: bool = False, dry_run: bool = False,
          sampler=None, on_iteration: Callable[[dict], None] | None = None,
          policy: PolicyModel | None = None) -> TrainResult:
    """Run online GRPO on ``tasks`` (generated training tasks; REAL benchmark tasks are for evaluation), each a
    ``Task`` (episodes start at its start) or a ``Start`` (they may start along its scripted solution); iteration i
    takes the next ``cfg.grpo.tasks_per_iteration`` of them, cycling; its episodes play in ``cfg.env`` and earn
    ``cfg.rewards``.

    ``sampler``: None samples in-process with the trained model itself; otherwise an object with
    ``policy_for(in_process_policy) -> Policy`` (the rollout policy) and ``sync(model, run_dir, version)`` called
    after every update with the iterations done (``VLLMSync``: a vLLM server that hot-reloads the adapter; with
    ``grpo.max_staleness`` > 0 it also needs ``serve_versions`` and ``policy_at(version)``). ``policy``: start from
    this model and adapter (e.g. after behaviour cloning) instead of a fresh LoRA on ``cfg.policy.model``. ``dry_run`` checks
    everything and runs one tiny update without writing a checkpoint. An error (or a Ctrl-C) checkpoints the finished
    iterations before it propagates: ``resume=True`` goes on from there."""
    import torch
    from torch.utils.tensorboard import SummaryWriter

    if not tasks:
        raise HaloError("no training tasks: generate some with halo_lib.tasks.generator")
    starts = [t if isinstance(t, Start) else Start(t) for t in tasks]
    _check_sampler(cfg, sampler)
    run_dir = Path(run_dir)
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)

    if resume:
        check_resumable(run_dir, cfg, starts)  # before any loading
        if latest_checkpoint(run_dir) is None:  # killed before its first checkpoint: nothing to go on from
            log.warning("%s has no checkpoint yet: starting it over (the logs of its unsaved iterations are dropped)",
                        run_dir)
            for name in LOGS:
                (run_dir / name).unlink(missing_ok=True)
            resume = False
    policy = policy or load_policy_model(cfg.policy, cfg.seed)
    trainable = [p for p in policy.model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=cfg.grpo.learning_rate)
    start = 0
    history: list[dict] = []
    if resume:
        resumed = load_checkpoint(run_dir, policy.model, optimizer)
        start, history = resumed.step, resumed.extra.get("metrics", [])
        log.info("resumed %s at iteration %d", resumed.path, start)
    elif not dry_run and (latest_checkpoint(run_dir) is not None or any((run_dir / n).exists() for n in LOGS)):
        # (a run killed before its first checkpoint left logs only: starting again appended to them)
        raise HaloError(f"{run_dir} already holds a run: pass --resume to continue it (from its last checkpoint, if "
                        "any), or choose another --run")
    if resume and not dry_run:
        drop_logged_after(run_dir, start)
    if not dry_run:  # a dry run writes nothing
        run_dir.mkdir(parents=True, exist_ok=True)
        write_text_atomic(run_dir / "config.json", json.dumps(
            {**asdict(cfg), "git_revision": git_revision(), "tasks": [s.label for s in starts],
             "resumed_at": start if resume else None},
            indent=2, default=str))
    # the KL reference: the adapter this run started from, kept with the run so --resume uses the same one
    reference = None
    if cfg.grpo.beta != 0.0:
        if resume:
            reference = ReferenceWeights.load(policy.model, run_dir / REFERENCE_FILE)
        else:
            reference = ReferenceWeights.snapshot(policy.model)
            if not dry_run:
                reference.save(run_dir / REFERENCE_FILE)

    acting = HFPolicy(policy.model, policy.processor, policy.modality, name="grpo",
                      config=SamplingConfig(temperature=cfg.grpo.temperature,
                                            max_new_tokens=cfg.grpo.max_completion_length,
                                            seed=cfg.seed + start * 1000, prompt=cfg.prompt))
    # a resumed run's TensorBoard drops what the stopped run logged after its checkpoint, as the JSONL logs do
    tb = None if dry_run else SummaryWriter(str(run_dir / "tb"), purge_step=start + 1 if resume else None)
    rollout_policy = sampler.policy_for(acting) if sampler is not None else acting
    rollouts = _rollouts(cfg, starts, sampler, rollout_policy)
    run = _Run(cfg.grpo, starts, run_dir, policy, optimizer, acting, reference, sampler, rollouts, tb, first=start,
               last=start + 1 if dry_run else cfg.grpo.iterations,
               dry_run=dry_run, on_iteration=on_iteration, history=history, done=start, saved=start)
    if sampler is not None:  # the server starts from the same adapter the trainer holds
        sampler.sync(policy.model, run_dir, version=start)
    try:
        asyncio.run(_loop(run))
    except BaseException:
        # never lose finished iterations: checkpoint them before the error propagates (resume with --resume)
        if not dry_run and run.done > run.saved:
            save_checkpoint(run_dir, run.done, policy.model, optimizer, extra={"metrics": history})
            log.error("training stopped by an error; iterations 1-%d are checkpointed in %s: fix it and --resume",
                      run.done, run_dir)
        raise
    finally:
        if tb is not None:
            tb.close()
    return TrainResult(run_dir, len(history), history)


async def _loop(run: _Run) -> None:
    """The iterations ``run.first`` .. ``run.last - 1``, each: rollouts -> credit -> update -> log and checkpoint ->
    sync. Version v of the adapter is the weights after v iterations; each group is played with the version current
    when it was started."""
    cfg = run.cfg
    T, K = cfg.tasks_per_iteration, cfg.max_staleness
    playing: dict[asyncio.Future, tuple[int, int]] = {}  # group -> (its number in the run, the version sampling it)
    finished: list[tuple[int, int, list[EpisodeRollout]]] = []  # played, not yet trained: (number, version, episodes)
    next_group = run.first * T  # group n plays start n (cycling)

    def play_more(version: int, iterations: int) -> None:
        """Start groups on free slots until the next ``iterations`` iterations' groups are finished or playing (a
        lost group is replaced by the next start)."""
        nonlocal next_group
        while len(playing) < rollouts.slots and len(finished) + len(playing) < iterations * T:
            start = run.starts[next_group % len(run.starts)]
            playing[asyncio.ensure_future(rollouts.play(start, version))] = (next_group, version)
            next_group += 1

    async with run.rollouts as rollouts:
        try:
            for it in range(run.first, run.last):
                t0 = time.perf_counter()
                version = it

                # 1. rollouts: T groups of G episodes; with K > 0 the next K iterations' groups are already playing
                run.policy.model.eval()
                stale = sum(version - v > K for _, v, _ in finished)
                finished = [f for f in finished if version - f[1] <= K]
                lost = 0
                while len(finished) < T:
                    play_more(version, min(1 + K, run.last - it))  # this one's and up to K more
                    done, _ = await asyncio.wait(playing, return_when=asyncio.FIRST_COMPLETED)
                    for future in sorted(done, key=lambda f: playing[f][0]):
                        number, sampled_by = playing.pop(future)
                        try:
                            episodes = future.result()
                        except GroupLost as err:  # its worker died: dropped, never trained half-finished
                            log.warning("%s", err)
                            lost += 1
                            if lost > 2 * T + rollouts.slots:
                                raise HaloError(f"iteration {it + 1} lost {lost} groups to dying rollout workers "
                                                f"(last: {err}): fix the workers' nodes and resume the run") from err
                            continue
                        finished.append((number, sampled_by, episodes))
                finished.sort(key=lambda f: f[0])  # the run's order, whichever group finished first
                taken, finished = finished[:T], finished[T:]
                play_more(version, min(K, run.last - it - 1))  # K > 0: the next ones play while this one updates
                groups = [episodes for _, _, episodes in taken]
                lags = [version - v for _, v, _ in taken]
                t_rollout = time.perf_counter() - t0
                episodes = [ep for g in groups for ep in g]
                if all(ep.status == "error" for ep in episodes):  # the sampler, the browser or the sites are down
                    raise HaloError(f"every episode of iteration {it + 1} ended with an error (first: "
                                    f"{episodes[0].error}): nothing to train on, so the iteration is not "
                                    f"counted; fix the cause and resume the run")

                # 2. credit: group-relative advantages, each step its share
                samples, advantages = training_samples(groups, run.acting.model_inputs, cfg,
                                                       keep_zero=run.dry_run or cfg.beta != 0.0)

                # 3. update: one optimizer step per update on the LoRA weights (in a thread when rollouts of later
                # iterations are playing in this process, so its browser and sampler requests go on meanwhile)
                update = {"loss": 0.0, "skipped": 1}
                if samples:
                    args = (run.policy, run.optimizer, samples, cfg, run.reference)
                    update = await asyncio.to_thread(grpo_update, *args) if playing else grpo_update(*args)
                metrics = {"iteration": it + 1, "tasks": [run.starts[n % len(run.starts)].label for n, _, _ in taken],
                           **_rollout_metrics(groups, advantages, cfg), "train_samples": len(samples),
                           "rollout_s": t_rollout, "iteration_s": time.perf_counter() - t0,
                           "staleness_max": max(lags), "staleness_mean": sum(lags) / len(lags),
                           "stale_groups": stale, "lost_groups": lost, "rollout_workers": len(rollouts.where),
                           "rollout_nodes": len(set(rollouts.where)), **update}
                run.history.append(metrics)
                if run.on_iteration:
                    run.on_iteration(metrics)
                if run.dry_run:
                    return

                # 4. log and checkpoint
                _log_iteration(run, metrics, episodes, advantages)
                run.done = it + 1
                if run.done == run.last or (cfg.checkpoint_interval and run.done % cfg.checkpoint_interval == 0):
                    save_checkpoint(run.run_dir, run.done, run.policy.model, run.optimizer,
                                    extra={"metrics": run.history})
                    run.saved = run.done

                # 5. sync the sampler (after the iteration is logged: a dead server loses no finished work)
                if run.sampler is not None and run.done < run.last:
                    run.sampler.sync(run.policy.model, run.run_dir, version=run.done)
        finally:  # groups of iterations this run will not train
            for future in playing:
                future.cancel()
            if playing:
                await asyncio.gather(*playing, return_exceptions=True)


def _check_sampler(cfg: TrainConfig, sampler) -> None:
    """Asynchronous runs and rollout workers need a sampler that serves named adapter versions (``VLLMSync``)."""
    if cfg.grpo.max_staleness > 0 and not hasattr(sampler, "serve_versions"):
        raise HaloError("grpo.max_staleness > 0 needs a vLLM sampler (it serves several adapter versions while the "
                        "trainer updates): use policy_backend=vllm (the recipe's use_vllm), or max_staleness=0")
    if cfg.rollout.workers and not hasattr(sampler, "policy_at"):
        raise HaloError("rollout workers sample from a vLLM server: give the run a vLLM sampler (the recipe's "
                        "use_vllm, halo train's policy_backend=vllm), or set rollout.workers=0")


def _rollouts(cfg: TrainConfig, starts: list[Start], sampler, rollout_policy) -> LocalRollouts | RayRollouts:
    """Where the run's groups are played (``cfg.rollout``), and the sampler set to serve the adapter versions that
    may be playing at once (``max_staleness + 1``)."""
    g = cfg.grpo
    if g.max_staleness > 0:
        sampler.serve_versions(g.max_staleness + 1)
    if cfg.rollout.workers:
        sites = sorted({s.task.site for s in starts})
        return RayRollouts(cfg.rollout.workers, cfg.rollout.contexts_per_worker, cfg.rollout.ray_address, cfg.env,
                           cfg.rewards, g.group_size, sampler, sites)
    # groups at once: an iteration's (and with max_staleness K the next K iterations'), up to MAX_CONTEXTS contexts
    slots = max(1, min(g.tasks_per_iteration * (1 + g.max_staleness), MAX_CONTEXTS // g.group_size))
    policy_at = sampler.policy_at if g.max_staleness > 0 else (lambda version: rollout_policy)
    return LocalRollouts(cfg.env, cfg.rewards, g.group_size, slots, policy_at)


def _rollout_metrics(groups: list[list[EpisodeRollout]], advantages: list[float], cfg: GRPOConfig) -> dict:
    """What an iteration's episodes did, averaged over them."""
    episodes = [ep for g in groups for ep in g]
    steps = [s for ep in episodes for s in ep.steps]
    return {
        "reward_mean": sum(ep.ret for ep in episodes) / len(episodes),
        "success_rate": sum(ep.success for ep in episodes) / len(episodes),
        "episode_steps": sum(len(ep.steps) for ep in episodes) / len(episodes),
        "invalid_action_rate": sum(s.candidate.action is None for s in steps) / max(len(steps), 1),
        "action_error_rate": sum(s.error is not None for s in steps) / max(len(steps), 1),
        "errors": sum(ep.status == "error" for ep in episodes),
        "errored_groups": sum(any(ep.status == "error" for ep in g) for g in groups),  # trained nothing
        "advantage_abs_mean": sum(abs(a) for a in advantages) / len(advantages),
        "groups": len(groups),
        # a group whose episodes all earned the same return has all-zero advantages: nothing to learn
        "zero_spread_groups": sum(len({ep.ret for ep in g}) == 1 for g in groups),
        "credit_capped_steps": capped_credit(episodes, advantages, cfg),  # see credit.step_advantage
        "out_of_steps": sum(ep.status == "max_steps" for ep in episodes),  # ran out of steps before an answer
        # steps that acted on a page another step of their group also acted on (GiGPO's anchor states)
        "anchored_step_rate": sum(anchored_steps(g) for g in groups) / max(len(steps), 1),
    }


def _log_iteration(run: _Run, metrics: dict, episodes: list[EpisodeRollout], advantages: list[float]) -> None:
    """One line in metrics.jsonl, one per episode in rollouts.jsonl (what it did, to read), TensorBoard scalars."""
    with open(run.run_dir / "metrics.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(metrics) + "\n")
    with open(run.run_dir / "rollouts.jsonl", "a", encoding="utf-8") as f:
        f.writelines(json.dumps({"iteration": metrics["iteration"], "group": i // run.cfg.group_size,
                                 "advantage": adv, **ep.to_dict()}) + "\n"
                     for i, (ep, adv) in enumerate(zip(episodes, advantages)))
    for key, value in metrics.items():
        if isinstance(value, (int, float)):
            run.tb.add_scalar(key, value, metrics["iteration"])
