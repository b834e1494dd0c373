"""Keeping a vLLM sampler on the trainer's weights: after each update the LoRA adapter is saved and
hot-reloaded into the server under a stable name (``load_inplace``), so the next rollouts use it."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

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

    def policy_for(self, in_process_policy) -> VLLMPolicy:
        return VLLMPolicy(self.base_url, self.adapter_name, self.modality, name="grpo-vllm", **self.sampling)

    def sync(self, model, run_dir: Path) -> Path:
        """Save the adapter whole into ``run_dir/live_adapter`` (rename into place), then (re)load it."""
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        final = run_dir / "live_adapter"
        tmp = Path(tempfile.mkdtemp(dir=run_dir, prefix=".live_adapter."))
        model.save_pretrained(tmp)
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        load_adapter(self.base_url, self.adapter_name, final, replace=self.syncs > 0)
        self.syncs += 1
        return final
