"""Online GRPO for the browser agent, top to bottom (in the spirit of CleanRL's single-file loops).

    for each iteration:
        1. rollouts   G episodes of one training task from the same start state (its start, or a state along its
                      scripted solution: ``Start``), sampled by the policy
        2. rewards    dense per-step rewards (milestones, novelty, loops) + the success bonus -> returns
        3. advantages A = R - mean(R_group)                                   (Dr. GRPO, no std scaling)
        4. old logps  recomputed by the trainer itself (fp32 log-softmax); the gap to the sampler's logps is logged;
                      with beta > 0 also the reference's: the adapter the run started from (``ReferenceWeights``)
        5. update     every step's completion trained with its episode's advantage (dr_grpo loss), LoRA only
        6. sync       save the adapter; a vLLM sampler hot-reloads it, so the next rollouts use the new weights
        7. log        metrics.jsonl, rollouts.jsonl (episodes), TensorBoard; atomic checkpoints every N iterations
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable

from halo_lib.config import EnvConfig
from halo_lib.env.pool import EnvPool
from halo_lib.errors import HaloError
from halo_lib.provenance import git_revision
from halo_lib.atomic import write_text_atomic
from halo_lib.rl.checkpoint import latest_checkpoint, load_checkpoint, save_checkpoint
from halo_lib.rl.config import GRPOConfig
from halo_lib.rl.reference import ReferenceWeights
from halo_lib.rl.rewards import RewardConfig
from halo_lib.rl.rollout import EpisodeRollout, Start, collect_group
from halo_lib.rl.shared_prefix import SharedPrefix
from halo_lib.tasks import Task

log = logging.getLogger(__name__)
MAX_CONTEXTS = 16
"""Most browser contexts the rollouts use at once (groups beyond them wait their turn)."""
REFERENCE_FILE = "reference_adapter.safetensors"
"""In a run's folder: the KL penalty's reference (the adapter the run started from), which --resume restores."""


# ----------------------------------------------------------------------------------------------------------
# The policy model: base weights frozen, LoRA on the language model only
# ----------------------------------------------------------------------------------------------------------
@dataclass
class PolicyModel:
    model: object  # a peft model
    processor: object
    modality: str


def load_policy_model(cfg: GRPOConfig) -> PolicyModel:
    """Base model (tiny Qwen3-VL, SmolLM2, or Qwen3-VL-8B from $HALO_MODEL) + a fresh LoRA adapter.

    On CUDA with Unsloth installed, Qwen3-VL goes through Unsloth's FastVisionModel (fast LoRA kernels); on
    CPU plain transformers + peft."""
    import torch

    from halo_lib.policies import assets

    torch.manual_seed(cfg.seed)
    if cfg.model == "tiny-qwen3vl":
        model, processor = assets.tiny_qwen3vl()
        modality = "vision"
    elif cfg.model == "smollm2":
        model, processor = assets.smollm2()
        modality = "text"
    else:
        path = assets.resolve_model(cfg.model)
        # Unsloth's LoRA covers every language layer: lora_top_layers goes through peft
        if torch.cuda.is_available() and not cfg.lora_top_layers and _unsloth_available():
            return _load_with_unsloth(path, cfg)
        from transformers import Qwen3VLForConditionalGeneration

        model = Qwen3VLForConditionalGeneration.from_pretrained(path, torch_dtype=torch.bfloat16,
                                                                device_map="auto")
        processor, modality = assets.load_qwen3vl_processor(path), "vision"
        # peft without Unsloth on CUDA: an 8B policy's activations over a ~3k-token screenshot prompt do not fit
        # beside vLLM unless the backward pass recomputes them
        return with_lora(model, processor, modality, cfg, checkpointing=torch.cuda.is_available())
    return with_lora(model, processor, modality, cfg)


def with_lora(model, processor, modality: str, cfg: GRPOConfig, checkpointing: bool = False) -> PolicyModel:
    """A base model + a fresh peft LoRA adapter on its language layers (``cfg``'s rank, alpha, dropout, targets, top
    layers), optionally with activation checkpointing; what every policy model trains (``halo smoke --gpu`` too)."""
    from peft import LoraConfig, get_peft_model

    from halo_lib.policies.precision import enable_cpu_bf16

    if checkpointing:
        if hasattr(model, "activation_checkpointing_enable"):  # transformers >= 5.2x names it so
            model.activation_checkpointing_enable({"use_reentrant": False})
        else:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        # the frozen embeddings' output must require grad for checkpointed layers to pass gradients to the LoRA
        model.enable_input_require_grads()
    lora = LoraConfig(r=cfg.lora_rank, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                      target_modules=_language_only(model, cfg.lora_target_modules),
                      layers_to_transform=_top_layers(model, cfg.lora_top_layers), task_type="CAUSAL_LM")
    peft_model = get_peft_model(model, lora)
    if cfg.cpu_bf16:
        enable_cpu_bf16(peft_model)
    return PolicyModel(peft_model, processor, modality)


def _language_only(model, names: list[str]) -> list[str]:
    """LoRA targets on the language model only (vLLM serves LoRA there only). A text model keeps the short names
    (what vLLM's adapter loader expects); a vision-language model gets the full paths outside its vision tower."""
    wanted = set(names)
    modules = [n for n, _ in model.named_modules() if n.rsplit(".", 1)[-1] in wanted]
    language = [n for n in modules if "visual" not in n]
    if not language:
        raise HaloError(f"no module named {sorted(wanted)} in the model's language layers: fix lora_target_modules")
    return sorted(wanted & {n.rsplit(".", 1)[-1] for n in language}) if language == modules else language


def _top_layers(model, n: int) -> list[int] | None:
    """The indices of the language model's last ``n`` decoder layers (None for every layer, ``n`` = 0)."""
    if n == 0:
        return None
    config = getattr(model.config, "text_config", model.config)
    total = config.num_hidden_layers
    if n > total:
        raise HaloError(f"lora_top_layers={n}, but the language model has {total} layers: use 1-{total}, or 0 for all")
    return list(range(total - n, total))


_UNSLOTH_WARNED = False


def _unsloth_available() -> bool:
    """Whether Qwen3-VL trains through Unsloth (CUDA only; asked by ``load_policy_model``).

    Not installed: False, with a warning (once) that plain peft + gradient checkpointing is used. Installed but
    not importable (a broken install, e.g. without ``unsloth_zoo`` or against another torch): a HaloError naming
    the import error, never a silent fall back to a slower, memory-hungrier path."""
    import importlib.util

    global _UNSLOTH_WARNED
    try:
        installed = importlib.util.find_spec("unsloth") is not None
    except (ImportError, ValueError):  # a half-imported module in sys.modules
        installed = True
    if not installed:
        if not _UNSLOTH_WARNED:
            log.warning("Unsloth is not installed: training Qwen3-VL with plain peft and gradient checkpointing "
                        "(slower; install the gpu extra: pip install unsloth unsloth_zoo)")
            _UNSLOTH_WARNED = True
        return False
    try:
        import unsloth  # noqa: F401
    except Exception as err:  # noqa: BLE001 - any failure of the import is reported, with its cause
        raise HaloError(f"Unsloth is installed but does not import ({type(err).__name__}: {err}); fix the install "
                        "with `pip install --upgrade unsloth unsloth_zoo` (the gpu extra), or uninstall unsloth to "
                        "train with plain peft") from err
    return True


def _load_with_unsloth(path: str, cfg: GRPOConfig) -> PolicyModel:  # pragma: no cover - CUDA only
    from unsloth import FastVisionModel

    model, processor = FastVisionModel.from_pretrained(path, load_in_4bit=False)
    model = FastVisionModel.get_peft_model(model, finetune_vision_layers=False, finetune_language_layers=True,
                                           r=cfg.lora_rank, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                                           random_state=cfg.seed, use_gradient_checkpointing="unsloth")
    return PolicyModel(model, processor, "vision")


# ----------------------------------------------------------------------------------------------------------
# The update: one GRPO step on a batch of (prompt, completion, advantage)
# ----------------------------------------------------------------------------------------------------------
@dataclass
class TrainSample:
    inputs: object  # the exact prompt tensors the policy saw
    completion_ids: list[int]
    advantage: float
    sampler_logprobs: list[float]


def grpo_update(policy: PolicyModel, optimizer, samples: list[TrainSample], cfg: GRPOConfig,
                reference: ReferenceWeights | None = None) -> dict:
    """``updates_per_batch`` optimizer steps on ``samples``; returns metrics.

    With ``cfg.beta`` > 0 the KL penalty's reference is ``reference`` (``train`` passes the adapter the run started
    from), or, given none, the adapter-disabled base model (what TRL does with a peft model).

    Samples are processed one at a time (gradient accumulation) so long multimodal prompts fit in memory; each
    sample's loss is weighted so the sum equals the chosen full-batch aggregation exactly:
    dr_grpo and grpo: 1/B times the one-sequence loss; dapo: n_i/N times it (tests check the equality). Text prompts
    share their common prefix (``SharedPrefix``): one forward and backward of it per update."""
    import torch

    from halo_lib.policies.assets import sequence_logprobs
    from halo_lib.rl.losses import loss_fn, per_token_loss

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
    with torch.no_grad():
        old = None if on_policy else [sequence_logprobs(model, s.inputs, s.completion_ids).float() for s in samples]
        ref = None
        if cfg.beta != 0.0:
            with reference.active() if reference is not None else model.disable_adapter():
                shared = SharedPrefix(model, [s.inputs for s in samples] if cfg.share_prompt_prefix else [])
                ref = [shared.logprobs(s.inputs, s.completion_ids).float() for s in samples]
    gaps: list[float] = []

    def sampler_gap(logp, s: TrainSample) -> None:
        if len(s.sampler_logprobs) == len(s.completion_ids):
            gaps.append(float((logp.detach().flatten().cpu() - torch.tensor(s.sampler_logprobs)).abs().max()))

    if old is not None:
        for o, s in zip(old, samples):
            sampler_gap(o, s)

    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    metrics = {"loss": 0.0, "clip_fraction": 0.0, "grad_norm": 0.0}
    for _ in range(cfg.updates_per_batch):
        optimizer.zero_grad(set_to_none=True)
        total, clipped, nll, kl = 0.0, 0.0, 0.0, 0.0
        # the prompt prefix all samples share (the system prompt) runs forward and backward once (exact gradients)
        # (given no prompts, it shares nothing and runs every sample in full)
        prefix = SharedPrefix(model, [s.inputs for s in samples] if cfg.share_prompt_prefix else [])
        for i, s in enumerate(samples):
            logp = prefix.logprobs(s.inputs, s.completion_ids).float().unsqueeze(0)  # [1, T]
            old_i = logp.detach() if old is None else old[i].unsqueeze(0)
            if old is None:
                sampler_gap(old_i, s)
            advantage = torch.tensor([s.advantage], dtype=logp.dtype, device=logp.device)  # [1]: CUDA needs it there
            per_token = per_token_loss(logp, old_i, advantage, cfg.epsilon_low, cfg.epsilon_high,
                                       ref[i].unsqueeze(0) if ref else None, cfg.beta, cfg.kl_bias_correction)
            mask = torch.ones_like(per_token)
            loss = aggregate(per_token, mask, max(cfg.max_completion_length, per_token.shape[1])) * weights[i]
            loss.backward()
            total += float(loss.detach())
            nll += copies[i] * float(-logp.detach().sum())
            if ref is not None:
                delta = ref[i].unsqueeze(0) - logp.detach()
                kl += copies[i] * float((torch.exp(delta) - delta - 1).sum())
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
    metrics["sampler_trainer_logprob_gap"] = max(gaps) if gaps else float("nan")
    metrics["completion_tokens"] = n_tokens
    metrics["forward_passes"] = len(samples)  # per update, after merging identical samples
    metrics["shared_prefix_tokens"] = prefix.length  # prompt tokens run once per update instead of once per sample
    metrics["shared_prompts"] = prefix.shared_prompts  # prompts several samples share, run once each
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
    import hashlib

    import torch

    return tuple((k, hashlib.sha1(v.detach().cpu().contiguous().numpy().tobytes()).hexdigest() if isinstance(
        v, torch.Tensor) else repr(v)) for k, v in sorted(dict(inputs).items()))


def step_advantage(episode_advantage: float, parsed: bool, rewarded_from_here: bool, cfg: GRPOConfig,
                   dawdled: bool = False) -> float:
    """The advantage a step's completion is trained with: its episode's, capped at min(A, 0) for a reply that did
    not parse (it changed nothing on the page) unless ``cfg.credit_unparsed``, for a step from which on nothing
    was rewarded (``rewarded_from_here`` False: it and every later step of the episode earned no positive reward)
    unless ``cfg.credit_after_last_reward``, and for a step taken on a page that already satisfied the task, other
    than the episode's last (``dawdled``: only the answer could still earn anything) unless ``cfg.credit_after_done``.
    None of them can have earned the episode's return."""
    if ((not parsed and not cfg.credit_unparsed) or (not rewarded_from_here and not cfg.credit_after_last_reward)
            or (dawdled and not cfg.credit_after_done)):
        return min(episode_advantage, 0.0)
    return episode_advantage


def rewarded_from(episode: EpisodeRollout) -> list[bool]:
    """Per step: whether it or a later step of the episode earned a positive reward."""
    out, later = [], False
    for s in reversed(episode.steps):
        later = later or s.reward.total > 0
        out.append(later)
    return out[::-1]


def dawdled(episode: EpisodeRollout) -> list[bool]:
    """Per step: whether it was taken on a page that already satisfied the task and is not the answer that ended the
    episode (an episode the agent ends with its answer succeeds: what came between the task's completion and the
    answer did not help; an episode that ran out of steps ended with no answer)."""
    answer = len(episode.steps) - 1 if episode.status != "max_steps" else len(episode.steps)
    return [s.after_done and i != answer for i, s in enumerate(episode.steps)]


def credited_steps(episode: EpisodeRollout, advantage: float, cfg: GRPOConfig) -> list[tuple]:
    """(step, the advantage its completion is trained with) for every step of an episode (``step_advantage``)."""
    return [(s, step_advantage(advantage, s.candidate.action is not None, later, cfg, idle))
            for s, later, idle in zip(episode.steps, rewarded_from(episode), dawdled(episode))]


def capped_credit(episodes: list[EpisodeRollout], advantages: list[float], cfg: GRPOConfig) -> int:
    """How many steps ``step_advantage`` denied their episode's positive advantage (logged per iteration)."""
    return sum(step_adv != adv for ep, adv in zip(episodes, advantages) for _, step_adv in credited_steps(ep, adv, cfg))


def training_samples(groups: list[list[EpisodeRollout]], policy_inputs: Callable, cfg: GRPOConfig,
                     keep_zero: bool = False) -> tuple[list, list]:
    """Every step's completion with its episode's advantage (Dr. GRPO: A = R - mean(R_group)); a reply that did not
    parse, a step after the episode's last positive reward and one between the task's completion and the answer get
    min(A, 0) (``step_advantage``). Returns (samples, the episodes' advantages).
    Zero-advantage samples are dropped unless ``keep_zero``: without a KL term they carry no gradient (``train``
    keeps them when beta > 0, where the KL still acts on them, and in a dry run, which exercises them).
    A group with an episode that ended with an error (the sampling server died mid-episode) trains nothing: that
    episode's return was cut short, not earned, so every advantage of the group would be mismeasured (all 0)."""
    import torch

    from halo_lib.rl.losses import group_advantages

    returns = torch.tensor([ep.ret for group in groups for ep in group], dtype=torch.float32)
    advantages = group_advantages(returns, cfg.group_size, cfg.scale_rewards).tolist()
    errored = [any(ep.status == "error" for ep in group) for group in groups for _ in group]
    advantages = [0.0 if bad else adv for adv, bad in zip(advantages, errored)]
    samples = []
    episodes = [ep for group in groups for ep in group]
    for ep, adv, bad in zip(episodes, advantages, errored):
        if bad:
            continue
        for step, step_adv in credited_steps(ep, adv, cfg):
            c = step.candidate
            if not c.token_ids or c.prompt is None or (step_adv == 0.0 and not keep_zero):
                continue  # nothing to learn: no tokens (policy failure) or no signal (a zero advantage)
            ids = c.token_ids[: cfg.max_completion_length]
            samples.append(TrainSample(policy_inputs(c.prompt), ids, step_adv, c.logprobs[: len(ids)]))
    return samples, advantages


def _check_resumable(run_dir: Path, cfg: GRPOConfig, starts: list[Start]) -> None:
    """A resume must bring the run's own model and tasks (a different one silently switched task sets, or failed
    with a torch traceback on another model's weights): one line names the difference."""
    path = run_dir / "config.json"
    if not path.is_file():
        raise HaloError(f"{run_dir} holds no run to resume (no config.json): start it without --resume")
    saved = json.loads(path.read_text())
    if saved.get("grpo", {}).get("model") != cfg.model:
        raise HaloError(f"--resume {run_dir}: that run trained model {saved.get('grpo', {}).get('model')!r}, this "
                        f"one asks for {cfg.model!r}: resume with the run's model")
    labels = [s.label for s in starts]
    n = min(len(labels), len(saved.get("tasks", labels)))  # more iterations may add starts, not change them
    if "tasks" in saved and saved["tasks"][:n] != labels[:n]:
        raise HaloError(f"--resume {run_dir}: that run trained on {len(saved['tasks'])} other tasks (first "
                        f"{saved['tasks'][:2]}), this one names {labels[:2]}...: resume with the run's tasks")


LOGS = ("metrics.jsonl", "rollouts.jsonl")
"""A run's per-iteration logs, one JSON object per line, each with its ``iteration``."""


def drop_logged_after(run_dir: Path, iteration: int) -> None:
    """Remove the log lines of iterations after ``iteration`` (the checkpoint a resumed run starts from), and a line
    torn by a kill mid-write: a run stopped between logging an iteration and checkpointing it logs that iteration
    again when it resumes."""

    def before_checkpoint(line: str) -> bool:
        try:
            return json.loads(line)["iteration"] <= iteration
        except ValueError:
            return False  # torn

    for name in LOGS:
        path = run_dir / name
        if path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            kept = [line for line in lines if before_checkpoint(line)]
            if len(kept) < len(lines):
                write_text_atomic(path, "".join(kept))
                log.info("%s: dropped %d lines logged after the checkpoint at iteration %d", path,
                         len(lines) - len(kept), iteration)


# ----------------------------------------------------------------------------------------------------------
# The loop
# ----------------------------------------------------------------------------------------------------------
@dataclass
class TrainResult:
    run_dir: Path
    iterations: int
    metrics: list[dict]


def train(cfg: GRPOConfig, tasks: list[Task | Start], run_dir: Path, resume: bool = False, dry_run: bool = False,
          rewards: RewardConfig | None = None, env_config: EnvConfig | None = None, sampler=None,
          on_iteration: Callable[[dict], None] | None = None, policy: PolicyModel | None = None) -> TrainResult:
    """Run online GRPO on ``tasks`` (generated training tasks; REAL benchmark tasks are for evaluation), each a
    ``Task`` (episodes start at its start) or a ``Start`` (they may start along its scripted solution); iteration i
    takes the next ``tasks_per_iteration`` of them, cycling.

    ``sampler``: None samples in-process with the trained model itself; otherwise an object with
    ``policy_for(in_process_policy) -> Policy`` (the rollout policy) and ``sync(model, run_dir)`` called after every
    update (``VLLMSync``: a vLLM server that hot-reloads the adapter). ``policy``: start from this model and
    adapter (e.g. after behaviour cloning) instead of a fresh LoRA on ``cfg.model``. ``dry_run`` checks everything and runs one tiny update
    without writing a checkpoint."""
    import torch
    from torch.utils.tensorboard import SummaryWriter

    from halo_lib.policies.hf import HFPolicy, SamplingConfig

    if not tasks:
        raise HaloError("no training tasks: generate some with halo_lib.tasks.generator")
    starts = [t if isinstance(t, Start) else Start(t) for t in tasks]
    run_dir = Path(run_dir)
    rewards = rewards or RewardConfig()
    env_config = env_config or EnvConfig(max_steps=cfg.max_steps)
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)

    if resume:
        _check_resumable(run_dir, cfg, starts)  # before any loading
        if latest_checkpoint(run_dir) is None:  # killed before its first checkpoint: nothing to go on from
            log.warning("%s has no checkpoint yet: starting it over (the logs of its unsaved iterations are dropped)",
                        run_dir)
            for name in LOGS:
                (run_dir / name).unlink(missing_ok=True)
            resume = False
    policy = policy or load_policy_model(cfg)
    optimizer = torch.optim.AdamW([p for p in policy.model.parameters() if p.requires_grad], lr=cfg.learning_rate)
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
            {"grpo": asdict(cfg), "rewards": asdict(rewards), "env": asdict(env_config),
             "git_revision": git_revision(), "tasks": [s.label for s in starts],
             "resumed_at": start if resume else None},
            indent=2, default=str))
    # the KL reference: the adapter this run started from, kept with the run so --resume uses the same one
    reference = None
    if cfg.beta != 0.0:
        if resume:
            reference = ReferenceWeights.load(policy.model, run_dir / REFERENCE_FILE)
        else:
            reference = ReferenceWeights.snapshot(policy.model)
            if not dry_run:
                reference.save(run_dir / REFERENCE_FILE)

    acting = HFPolicy(policy.model, policy.processor, policy.modality, name="grpo",
                      config=SamplingConfig(temperature=cfg.temperature, max_new_tokens=cfg.max_completion_length,
                                            seed=cfg.seed + start * 1000,
                                            prompt=cfg.prompt_options()))
    rollout_policy = sampler.policy_for(acting) if sampler is not None else acting
    # a resumed run's TensorBoard drops what the stopped run logged after its checkpoint, as the JSONL logs do
    tb = None if dry_run else SummaryWriter(str(run_dir / "tb"), purge_step=start + 1 if resume else None)
    iterations = 1 if dry_run else cfg.iterations

    if sampler is not None:
        sampler.sync(policy.model, run_dir)  # the server starts from the same adapter the trainer holds

    # the groups of an iteration run at once (a vLLM server batches their requests), up to MAX_CONTEXTS browser contexts
    concurrent_groups = max(1, min(cfg.tasks_per_iteration, MAX_CONTEXTS // cfg.group_size))

    async def run() -> None:
        async with EnvPool(concurrent_groups * cfg.group_size, env_config) as pool:
            for it in range(start, start + iterations if dry_run else iterations):
                t0 = time.perf_counter()
                batch = [starts[(it * cfg.tasks_per_iteration + j) % len(starts)]
                         for j in range(cfg.tasks_per_iteration)]
                # 1-2. rollouts with dense rewards
                policy.model.eval()
                groups = []
                for k in range(0, len(batch), concurrent_groups):
                    groups += await asyncio.gather(*(
                        collect_group(pool, origin, rollout_policy, cfg.group_size, rewards,
                                      first_env=j * cfg.group_size)
                        for j, origin in enumerate(batch[k:k + concurrent_groups])))
                t_rollout = time.perf_counter() - t0
                episodes = [ep for g in groups for ep in g]
                if all(ep.status == "error" for ep in episodes):  # the sampler, the browser or the sites are down
                    raise HaloError(f"every episode of iteration {it + 1} ended with an error (first: "
                                    f"{episodes[0].error}): nothing to train on, so the iteration is not "
                                    f"counted; fix the cause and resume the run")
                # 3. advantages, 4-5. update
                samples, advantages = training_samples(groups, acting.model_inputs, cfg,
                                                       keep_zero=dry_run or cfg.beta != 0.0)
                update = grpo_update(policy, optimizer, samples, cfg, reference) if samples else {
                    "loss": 0.0, "skipped": 1}
                steps = [s for ep in episodes for s in ep.steps]
                metrics = {
                    "iteration": it + 1,
                    "tasks": [s.label for s in batch],  # task id, "@k" after k oracle steps
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
                    "credit_capped_steps": capped_credit(episodes, advantages, cfg),  # see step_advantage
                    "train_samples": len(samples),
                    "rollout_s": t_rollout,
                    "iteration_s": time.perf_counter() - t0,
                    **update,
                }
                history.append(metrics)
                if on_iteration:
                    on_iteration(metrics)
                if dry_run:
                    return
                # 7. log and checkpoint
                with open(run_dir / "metrics.jsonl", "a", encoding="utf-8") as f:
                    f.write(json.dumps(metrics) + "\n")
                with open(run_dir / "rollouts.jsonl", "a", encoding="utf-8") as f:  # what each episode did, to read
                    f.writelines(json.dumps({"iteration": it + 1, "group": i // cfg.group_size, "advantage": adv,
                                             **ep.to_dict()}) + "\n"
                                 for i, (ep, adv) in enumerate(zip(episodes, advantages)))
                for key, value in metrics.items():
                    if isinstance(value, (int, float)):
                        tb.add_scalar(key, value, it + 1)
                completed["iterations"] = it + 1
                last = it + 1 == iterations
                if last or (cfg.checkpoint_interval and (it + 1) % cfg.checkpoint_interval == 0):
                    save_checkpoint(run_dir, it + 1, policy.model, optimizer, extra={"metrics": history})
                    completed["saved"] = it + 1
                # 6. sync the sampler (after the iteration is logged: a dead server loses no finished work)
                if sampler is not None and not last:
                    sampler.sync(policy.model, run_dir)

    completed = {"iterations": start, "saved": start}
    try:
        asyncio.run(run())
    except BaseException:
        # never lose finished iterations: checkpoint them before the error propagates (resume with --resume)
        if not dry_run and completed["iterations"] > completed["saved"]:
            save_checkpoint(run_dir, completed["iterations"], policy.model, optimizer, extra={"metrics": history})
            log.error("training stopped by an error; iterations 1-%d are checkpointed in %s: fix it and --resume",
                      completed["iterations"], run_dir)
        raise
    finally:
        if tb is not None:
            tb.close()
    return TrainResult(run_dir, len(history), history)
