"""The typed configs of training, one docstring per field (in the style of TRL's GRPOConfig): ``PolicyConfig`` (the
model and its LoRA adapter), ``GRPOConfig`` (online GRPO, the algorithm alone) and ``TrainConfig`` (a ``halo train``
run: those two sections with the run's seed, sampler, environment, prompts and rewards).

Each is a ``config_dataclass``: pydantic checks types and ``Literal`` choices whenever one is built (from YAML, the CLI
or notebooks through ``halo_lib.config.from_dict``, or in code); ``validate()`` (also run then) checks ranges and
combinations.
GRPO's defaults follow Dr. GRPO (Liu et al. 2025): ``loss_type="dr_grpo"``, ``scale_rewards="none"``, ``beta=0``.
"""

from __future__ import annotations

from dataclasses import field
from functools import partial
from typing import Literal

from halo_lib.config import EnvConfig, config_dataclass
from halo_lib.errors import HaloError
from halo_lib.policies.prompts import PromptOptions
from halo_lib.rl.rewards import RewardConfig

#: The language model's projections only: LoRA on the vision tower is neither needed nor served by vLLM.
LANGUAGE_LORA_TARGETS: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def _need(cls: str, ok: bool, message: str) -> None:
    """Raise ``HaloError("<cls>.<message>")`` unless ``ok`` (a range check naming its field)."""
    if not ok:
        raise HaloError(f"{cls}.{message}")


@config_dataclass
class PolicyConfig:
    """The policy: a base model with frozen weights and a LoRA adapter on its language model, the same for every phase
    that trains it (BC, GRPO, DPO) and for ``halo smoke --gpu`` (``halo_lib.rl.model.load_policy_model``)."""

    model: str = "tiny-qwen3vl"
    """Policy model: ``tiny-qwen3vl`` (random weights, CPU tests), ``smollm2`` (text-only, real weights),
    ``qwen3vl-8b`` (``$HALO_MODEL``), or a local folder / hub id (see ``halo_lib.policies.assets.resolve_model``)."""
    lora_rank: int = 16
    """LoRA rank r of every adapted projection (a vLLM server serving the adapter is started with this
    ``--max-lora-rank``)."""
    lora_alpha: int = 32
    """LoRA scaling numerator: the update is (alpha / r) * B A."""
    lora_dropout: float = 0.05
    """Dropout on the LoRA input during training (0 for exact reproducibility)."""
    lora_target_modules: list[str] = field(default_factory=lambda: list(LANGUAGE_LORA_TARGETS))
    """Module names LoRA wraps: the language model's attention and MLP projections only (in Qwen3-VL these
    names match no vision-tower module)."""
    lora_top_layers: int = 0
    """LoRA on the language model's last N decoder layers only (0: on every layer). Backpropagation stops at the
    lowest layer that has an adapter (nothing below it is trainable), so a training pass costs less: on SmolLM2
    (30 layers) a GRPO update is 1.4x faster with the top 15 (``halo bench lora-layers`` measures it)."""
    cpu_bf16: bool = False
    """On CPU, run forward and backward passes under bfloat16 autocast where the CPU has native bf16 (AVX512-BF16
    or AMX: about 3x faster); a CPU without it stays in fp32 (emulated bf16 is ~25x slower there). Weights, LoRA,
    optimizer and log-probs stay fp32. No effect on CUDA."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> "PolicyConfig":
        """Check ranges; raise ``HaloError`` naming the field and a valid value. Returns self."""
        need = partial(_need, "PolicyConfig")
        need(bool(self.model), "model must name a model (tiny-qwen3vl, smollm2, qwen3vl-8b or a folder)")
        need(self.lora_rank >= 1, f"lora_rank must be >= 1, got {self.lora_rank}")
        need(self.lora_alpha > 0, f"lora_alpha must be > 0, got {self.lora_alpha}")
        need(0.0 <= self.lora_dropout < 1.0, f"lora_dropout must be in [0, 1), got {self.lora_dropout}")
        need(len(self.lora_target_modules) > 0 and all(self.lora_target_modules),
             f"lora_target_modules must be a non-empty list of module names such as {list(LANGUAGE_LORA_TARGETS)}, "
             f"got {self.lora_target_modules!r}")
        need(self.lora_top_layers >= 0,
             f"lora_top_layers must be >= 0 (0: LoRA on every layer), got {self.lora_top_layers!r}")
        return self


@config_dataclass
class GRPOConfig:
    """Online GRPO: rollouts, the loss, credit assignment and the optimiser (the policy it trains is a
    ``PolicyConfig``, the run around it a ``TrainConfig``)."""

    # ---- rollouts --------------------------------------------------------------------------------------------
    iterations: int = 100
    """GRPO iterations: each samples ``tasks_per_iteration * group_size`` episodes, then updates the policy."""
    tasks_per_iteration: int = 1
    """Distinct tasks (prompts) per iteration; each gets its own group of ``group_size`` episodes."""
    group_size: int = 8
    """Episodes per task per iteration (G, TRL's ``num_generations``); advantages compare episodes within a group."""
    max_completion_length: int = 256
    """Most tokens generated per step (L_max); also Dr. GRPO's constant loss normaliser."""
    temperature: float = 1.0
    """Sampling temperature (exploration). Log-probs in the loss are those of the raw, temperature-1
    distribution: the same definition the samplers (HF and vLLM) report, so their gap is comparable.
    (TRL divides logits by the temperature instead; the two agree at the default 1.0.)"""

    # ---- loss ------------------------------------------------------------------------------------------------
    loss_type: Literal["dr_grpo", "grpo", "dapo"] = "dr_grpo"
    """Aggregation of per-token losses: ``dr_grpo`` sum / (B * L_max) (no length bias), ``grpo`` mean of
    per-sequence means (DeepSeekMath), ``dapo`` token mean over the batch. See ``halo_lib.rl.losses``."""
    scale_rewards: Literal["none", "group", "batch"] = "none"
    """Advantage scaling: ``none`` A = r - mean(group) (Dr. GRPO); ``group`` also / (unbiased group std + 1e-4)
    (GRPO); ``batch`` / (unbiased std of the whole batch + 1e-4). TRL's default is ``group``."""
    epsilon_low: float = 0.2
    """Lower clip: the ratio r is clipped at 1 - epsilon_low (acts on tokens with A < 0)."""
    epsilon_high: float = 0.2
    """Upper clip: r is clipped at 1 + epsilon_high (acts on tokens with A > 0); DAPO's clip-higher uses 0.28."""
    beta: float = 0.0
    """Weight of the k3 KL penalty to the reference: the policy the run started from (its adapter then, e.g. behaviour
    cloning's; the base model for a fresh LoRA). 0 skips the reference forward."""
    kl_bias_correction: bool = True
    """Multiply the KL term by r (TRL's ``use_bias_correction_kl``, default True; DeepSeek-V3.2)."""
    credit_unparsed: bool = False
    """Whether a reply with no action in it (it did not parse) shares its episode's advantage like every other step.
    False caps its advantage at 0: such a reply changes nothing on the page, so it cannot have caused the episode's
    success, and crediting it reinforces prose and broken calls. Its negative advantage stays."""
    credit_after_last_reward: bool = False
    """Whether the steps after an episode's last positively rewarded one (from them on, nothing the episode did was
    rewarded: no milestone, no novelty, no success) share its positive advantage like every other step. False caps
    theirs at 0, like an unparsed reply's: in a failed episode that earned milestones early and then wandered until the
    step budget ran out, the wandering cannot have earned the return. A successful episode has no such tail (its last
    step carries the success bonus). A negative advantage stays (``docs/experiments/2026-11-30-whole-runs.md``)."""
    credit_after_done: bool = True
    """Whether the steps taken on a page that already satisfied the task (its own check, on the site's state), other
    than the answer that ended the episode, share its positive advantage like every other step. False caps theirs at
    0: only the answer was still needed, and an episode that deletes an event, clicks on and then answers succeeds as
    one that answers at once. Tasks without a state-only check (REAL ones) never cap. A negative advantage stays
    (what the cap did in runs: ``docs/experiments/2026-12-01-learning-proof.md``)."""

    anchor_weight: float = 0.0
    """Weight w of GiGPO's step-level advantage (Feng et al. 2025): a step's advantage is its episode's plus w times
    its anchor-state advantage, which compares the discounted returns from the steps of the group's episodes that
    acted on the same page (``halo_lib.rl.credit.anchor_advantages``). 0: the episode's advantage alone."""
    anchor_discount: float = 0.95
    """Discount gamma of the returns from a step that anchor-state advantages compare."""
    step_weighting: Literal["step", "episode"] = "step"
    """How a group's steps share the update: ``step``, every step weighs the same (an episode's share grows with its
    length); ``episode``, a step's advantage is scaled by the group's mean episode length over its episode's, so every
    episode of a group weighs the same in all and the weights of the group's steps still sum to its step count
    (``credit.episode_weights``). The KL penalty stays per token either way."""

    # ---- optimisation ----------------------------------------------------------------------------------------
    learning_rate: float = 1e-5
    """AdamW learning rate of the LoRA weights (TRL's default 1e-6 is for full fine-tuning)."""
    updates_per_batch: int = 1
    """Optimizer steps on each batch of episodes (mu, TRL's ``num_iterations``); > 1 makes the clip matter."""
    grad_clip: float = 1.0
    """Max global grad norm (TRL's ``max_grad_norm``); 0 turns clipping off."""

    # ---- asynchrony ------------------------------------------------------------------------------------------
    max_staleness: int = 0
    """How many adapter versions older than the weights it trains a group may have been sampled with. 0: every
    iteration rolls out with the current adapter, then updates (synchronous). K > 0: rollouts of the next K
    iterations run while the trainer updates (``RolloutConfig.workers`` > 0, or a vLLM sampler), and a group
    older than K versions when it arrives is dropped (counted as ``stale_groups``)."""
    tis_cap: float = 2.0
    """With ``max_staleness`` > 0: each token's loss is weighted by min(pi_trainer / pi_sampler, tis_cap), the
    truncated importance ratio between the trainer's log-prob before the update and the sampler's
    (``halo_lib.rl.losses.truncated_importance_weights``); 0 turns the correction off. Not applied when
    ``max_staleness`` is 0."""

    # ---- bookkeeping -----------------------------------------------------------------------------------------
    checkpoint_interval: int = 10
    """Save the LoRA adapter every this many iterations (0: only at the end)."""


    def __post_init__(self) -> None:
        self.validate()

    @property
    def episodes_per_iteration(self) -> int:
        """Episodes sampled per iteration (B = tasks_per_iteration * group_size)."""
        return self.tasks_per_iteration * self.group_size

    def validate(self) -> "GRPOConfig":
        """Check ranges and combinations; raise ``HaloError`` naming the field and a valid value. Returns self."""
        need = partial(_need, "GRPOConfig")
        need(self.group_size >= 2, f"group_size must be >= 2 (advantages compare episodes of a group), "
                                   f"got {self.group_size}")
        need(self.tasks_per_iteration >= 1, f"tasks_per_iteration must be >= 1, got {self.tasks_per_iteration}")
        need(self.iterations >= 1, f"iterations must be >= 1, got {self.iterations}")
        need(self.max_completion_length >= 1, f"max_completion_length must be >= 1, got {self.max_completion_length}")
        need(0 < self.temperature < float("inf"), f"temperature must be a finite number > 0 (log-probs divide logits "
                                                 f"by it), got {self.temperature}")
        need(0.0 <= self.epsilon_low < 1.0, f"epsilon_low must be in [0, 1) (clip at 1 - epsilon_low), "
                                            f"got {self.epsilon_low}")
        need(self.epsilon_high >= 0.0, f"epsilon_high must be >= 0, got {self.epsilon_high}")
        need(0.0 <= self.beta < float("inf"), f"beta must be a finite number >= 0 (0 disables the KL penalty), "
                                              f"got {self.beta}")
        need(0.0 <= self.anchor_weight < float("inf"), f"anchor_weight must be a finite number >= 0 (0: episode-level "
                                                       f"advantages only), got {self.anchor_weight}")
        need(0.0 <= self.anchor_discount <= 1.0, f"anchor_discount must be in [0, 1], got {self.anchor_discount}")
        need(0 < self.learning_rate < float("inf"), f"learning_rate must be a finite number > 0, got {self.learning_rate}")
        need(self.updates_per_batch >= 1, f"updates_per_batch must be >= 1, got {self.updates_per_batch}")
        need(self.grad_clip >= 0, f"grad_clip must be >= 0 (0: off), got {self.grad_clip}")
        need(self.checkpoint_interval >= 0, f"checkpoint_interval must be >= 0 (0: only at the end), "
                                            f"got {self.checkpoint_interval}")
        need(self.max_staleness >= 0, f"max_staleness must be >= 0 (0: synchronous), got {self.max_staleness}")
        need(self.tis_cap == 0 or 1.0 <= self.tis_cap < float("inf"),
             f"tis_cap must be 0 (off) or a finite number >= 1, got {self.tis_cap}")
        return self


@config_dataclass
class RolloutConfig:
    """Where GRPO's episodes are played: in the trainer's process, or by rollout workers on Ray."""

    workers: int = 0
    """0: the trainer's process plays them in one browser (``EnvPool``). N > 0: N Ray actors, each with its own
    browser and contexts (and the local sites, started on its node if they do not answer), alive for the whole run;
    they sample from the run's vLLM server, so a vLLM sampler is needed."""
    contexts_per_worker: int = 8
    """Browser contexts of each worker: the episodes it plays at once (a multiple of ``grpo.group_size``)."""
    ray_address: str = ""
    """'' starts Ray inside the process (one machine, nothing to set up); an address (``ray start --head`` prints
    it, e.g. ``10.0.0.1:6379``, or ``auto``) joins that cluster."""
    servers: list[str] = field(default_factory=list)
    """More vLLM servers (OpenAI base URLs, e.g. ``http://10.0.0.2:8000/v1``; ``halo vllm-serve`` on each node)
    serving the run's base model with runtime LoRA. GRPO's rollouts are spread over them and the run's own server,
    episode by episode; every adapter version is loaded on each and verified listed before a rollout uses it. They
    read the adapter from the run folder: it must be on storage every server sees."""

    def __post_init__(self) -> None:
        need = partial(_need, "RolloutConfig")
        need(self.workers >= 0, f"workers must be >= 0 (0: the trainer's own process), got {self.workers}")
        need(self.contexts_per_worker >= 1, f"contexts_per_worker must be >= 1, got {self.contexts_per_worker}")
        need(all(u.startswith(("http://", "https://")) for u in self.servers),
             f"servers must be OpenAI base URLs such as http://10.0.0.2:8000/v1, got {self.servers}")


@config_dataclass
class TrainConfig:
    """A GRPO training run (``halo train``, and the recipe's online phase): the policy, the algorithm, and what the
    episodes see and earn. Its sections are given as mappings of their fields (YAML ``grpo: {group_size: 4}``,
    ``--set grpo.group_size=4``)."""

    seed: int = 0
    """Seed of torch, LoRA initialisation, sampling and task order."""
    policy_backend: Literal["hf", "vllm"] = "hf"
    """Who samples ``halo train``'s episodes: ``hf`` (transformers ``generate`` in the trainer's process) or ``vllm``
    (an OpenAI-compatible vLLM server that reloads the LoRA adapter after each update). Gradients are always HF. (The
    recipe hands ``train`` its own sampler.)"""
    env: EnvConfig = field(default_factory=lambda: EnvConfig(max_steps=25))
    """Every training episode's environment (``EnvConfig``): its step budget ``max_steps`` (25, agisdk's harness
    default; REAL's score mode allows 70), the viewport, the timeouts."""
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    """The model trained and its LoRA adapter (``PolicyConfig``)."""
    prompt: PromptOptions = field(default_factory=PromptOptions)
    """How prompts show the page and the actions (``PromptOptions``): the sampler, the trainer and BC build every
    prompt with it, so the trainer re-scores exactly what was sampled."""
    grpo: GRPOConfig = field(default_factory=GRPOConfig)
    """The algorithm (``GRPOConfig``): iterations, group size, loss, credit, optimiser."""
    rewards: RewardConfig = field(default_factory=RewardConfig)
    """The episodes' dense rewards (``RewardConfig``): milestones, novelty, loops, success, step cost."""
    rollout: RolloutConfig = field(default_factory=RolloutConfig)
    """Where the episodes are played (``RolloutConfig``): the trainer's process or Ray workers."""
