"""Behaviour cloning: supervised fine-tuning of the LoRA policy on demonstrations, as a warm start and a baseline.

Demonstrations are (prompt, action text) pairs from oracle solutions of generated training tasks (the scripted
plans of ``halo_lib.tasks.generator``) or from successful rollouts. The prompt is built exactly as the policy
builds it at run time (``build_prompt``), so what is cloned is what the policy will see.

    L_BC = - 1/N * sum_i 1/|y_i| * sum_t log pi(y_i,t | x_i, y_i,<t)      (mean token NLL per demonstration)
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from halo_lib.actions import ELEMENT, ActionExecutionError, as_computer_use
from halo_lib.atomic import write_text_atomic
from halo_lib.config import config_dataclass
from halo_lib.errors import HaloError
from halo_lib.policies.assets import _tokenizer_of
from halo_lib.policies.base import Candidate
from halo_lib.policies.hf import HFPolicy
from halo_lib.policies.prompts import Prompt, PromptOptions, build_prompt
from halo_lib.policies.scripted import ScriptedPolicy
from halo_lib.rl.frozen_trunk import FrozenTrunk
from halo_lib.rl.shared_prefix import SharedPrefix, common_prefix_length
from halo_lib.tasks.generator import oracle_steps
# torch is imported lazily, in bc_train: importing this module stays light.


@config_dataclass
class BCConfig:
    """Behaviour cloning's settings."""

    epochs: int = 2
    """Passes over the demonstrations."""
    batch_size: int = 4
    """Demonstrations per optimizer step; a batch runs its shared system prompt once (``bc_train``)."""
    learning_rate: float = 6e-4
    """AdamW learning rate of the LoRA weights."""

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise HaloError(f"BCConfig.{name} must be >= 1, got {getattr(self, name)}")
        if not 0 < self.learning_rate < float("inf"):
            raise HaloError(f"BCConfig.learning_rate must be a finite number > 0, got {self.learning_rate}")


@dataclass
class Demonstration:
    """One step of a successful episode: what the policy saw and the action to imitate."""

    task_id: str
    step: int
    prompt: Prompt
    action_text: str

    def to_dict(self) -> dict:
        if self.prompt.images():
            raise ValueError("only text prompts are saved as JSON demonstrations")
        return {"task_id": self.task_id, "step": self.step, "family": self.prompt.family,
                "messages": self.prompt.messages, "action_text": self.action_text}

    @classmethod
    def from_dict(cls, d: dict) -> "Demonstration":
        return cls(d["task_id"], d["step"], Prompt(d["messages"], d["family"]), d["action_text"])


def save_demonstrations(demos: list[Demonstration], path: str | Path) -> None:
    write_text_atomic(Path(path), "".join(json.dumps(d.to_dict()) + "\n" for d in demos))


def load_demonstrations(path: str | Path) -> list[Demonstration]:
    return [Demonstration.from_dict(json.loads(line)) for line in Path(path).read_text().splitlines() if line]


async def collect_oracle_demonstrations(pool, tasks, modality: str = "text", options: PromptOptions = PromptOptions()
                                        ) -> tuple[list[Demonstration], int]:
    """Run each generated task's scripted solution; keep the steps of the episodes the task's check accepts.
    Returns (demonstrations, episodes that succeeded).

    ``modality="text"``: the plan's element actions on accessibility-tree prompts. ``modality="vision"``: each
    element action is played as the ``computer_use`` actions that do the same on screen (``as_computer_use``:
    clicks at the element's centre, typing, keys), each on the screenshot prompt it was chosen on, so a vision
    policy imitates its own action space (the pool's environments need ``use_screenshot``). A plan step a pointer
    cannot do (a native <select>) ends that task's episode unsolved. The demonstrations come in the tasks' order,
    whichever episode ends first (BC's seeded shuffle then gives the same batches every run)."""
    if modality not in ("text", "vision"):
        raise ValueError(f"modality must be 'text' or 'vision', got {modality!r}")
    kept: list[list[Demonstration]] = [[] for _ in tasks]  # per task, in the tasks' order
    solved = 0
    free: asyncio.Queue = asyncio.Queue()
    for env in pool.envs:
        free.put_nowait(env)

    async def one(index: int, task) -> None:
        nonlocal solved
        env = await free.get()
        try:
            plan = ScriptedPolicy(oracle_steps(task))
            steps: list[Demonstration] = []
            obs = await env.reset(task, run_id="bc")
            done, info = False, {}
            while not done:
                candidate: Candidate = await plan.act(obs)
                if candidate.action is None:  # the plan found no element: a failed step, nothing to imitate
                    obs, _, done, info = await env.step(candidate)
                    continue
                queue = [candidate.action]
                while queue and not done:
                    action = queue.pop(0)
                    if modality == "vision" and action.family == ELEMENT:  # on the page as it is now
                        try:
                            queue = await as_computer_use(action, env.page, env.viewport) + queue
                        except ActionExecutionError:
                            return  # no pointer form: this plan cannot be shown to a vision policy
                        continue
                    steps.append(Demonstration(task.id, obs.step, build_prompt(obs, modality, options=options),
                                               action.to_text()))
                    obs, _, done, info = await env.step(action)
            if info.get("success"):
                kept[index] = steps
                solved += 1
        finally:
            free.put_nowait(env)

    await asyncio.gather(*(one(i, t) for i, t in enumerate(tasks)))
    return [d for steps in kept for d in steps], solved


def bc_train(policy, demos: list[Demonstration], config: BCConfig | None = None, seed: int = 0, grad_clip: float = 1.0,
             on_epoch=None, progress: bool = False) -> list[dict]:
    """Fine-tune ``policy.model`` (a peft model, LoRA only) on the demonstrations, as ``config`` says: one optimizer
    step per batch of ``config.batch_size`` demonstrations (shuffled), whose loss is the batch's mean of ``L_BC``'s
    terms. A batch's text
    prompts run their common prefix (the system prompt, ~40% of a prompt) forward and backward once
    (``SharedPrefix``: the same gradient as one pass per demonstration, less compute). Returns per-epoch metrics."""
    import torch

    config = config or BCConfig()
    tokenizer = _tokenizer_of(policy.processor)
    inputs_of = HFPolicy(policy.model, policy.processor, policy.modality).model_inputs
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>") if "<|im_end|>" in tokenizer.get_vocab() else tokenizer.eos_token_id
    encoded = [(inputs_of(d.prompt), tokenizer(d.action_text, add_special_tokens=False)["input_ids"] + [eos])
               for d in demos]
    params = [p for p in policy.model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate)
    rng = random.Random(seed)
    history = []
    # with LoRA on the top layers only, the frozen layers below run once per demonstration, not once an epoch (a batch's
    # shared prefix and each demonstration's rest are kept, up to FrozenTrunk's memory budget)
    trunk = FrozenTrunk(policy.model)
    # every batch shares the prefix all demonstrations share, not its own longer one: the same calls each epoch
    prompts = [inputs["input_ids"][0].tolist() for inputs, _ in encoded if "input_ids" in inputs]
    prefix_cap = common_prefix_length(prompts) if len(prompts) == len(encoded) else None
    policy.model.train()
    for epoch in range(config.epochs):
        order = list(range(len(encoded)))
        rng.shuffle(order)
        batches = [order[i:i + config.batch_size] for i in range(0, len(order), config.batch_size)]
        total, reused = 0.0, trunk.hits
        for batch in tqdm(batches, desc=f"BC epoch {epoch + 1}/{config.epochs}", unit="batch", disable=not progress):
            optimizer.zero_grad(set_to_none=True)
            with trunk.shared():
                prefix = SharedPrefix(policy.model, [encoded[i][0] for i in batch], max_tokens=prefix_cap)
                for i in batch:  # gradient accumulation: each demonstration's graph is freed after its backward
                    inputs, target = encoded[i]
                    loss = -prefix.logprobs(inputs, target).mean()
                    (loss / len(batch)).backward()
                    total += float(loss.detach())
            prefix.backward()
            if grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(params, grad_clip)
            optimizer.step()
        metrics = {"epoch": epoch + 1, "nll": total / max(len(encoded), 1), "demonstrations": len(encoded),
                   "trunk_reused_calls": trunk.hits - reused}
        history.append(metrics)
        if on_epoch:
            on_epoch(metrics)
    policy.model.eval()
    return history
