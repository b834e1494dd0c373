"""The reference policy of GRPO's KL penalty (and of DPO): the policy as the run found it.

After a LoRA warm start (behaviour cloning), disabling the adapter gives the base model, not the policy training
started from, so a KL penalty to it would pull the policy back towards the untrained base (0% on the learn
bench). The reference here is a frozen copy of the trainable (LoRA) weights taken at the start, swapped in for a
no-grad forward: a KL to the warm start, as RLHF's KL to the SFT model. For a fresh LoRA (B = 0) it is the base
model, the same policy disabling the adapter gives.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from halo_lib.errors import HaloError
# torch and safetensors are imported lazily, in the functions that use them: importing this module stays light.


class ReferenceWeights:
    """``ref = ReferenceWeights.snapshot(model)``; ``with ref.active(): ...`` runs ``model`` with those weights (and
    no grad), then puts the trained ones back. ``save``/``load`` keep it with a run, so a resumed run penalises the
    distance to the same reference."""

    def __init__(self, model, weights: dict):
        self.model = model
        self.weights = weights

    @classmethod
    def snapshot(cls, model) -> "ReferenceWeights":
        return cls(model, {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad})

    @contextlib.contextmanager
    def active(self):
        import torch

        params = dict(self.model.named_parameters())
        with torch.no_grad():
            trained = {n: params[n].detach().clone() for n in self.weights}
            for n, w in self.weights.items():
                params[n].copy_(w)
            try:
                yield
            finally:
                for n, w in trained.items():
                    params[n].copy_(w)

    def save(self, path: Path) -> None:
        """Written to a temp file, then renamed: never a half-written reference."""
        from safetensors.torch import save_file

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        os.close(fd)
        try:
            save_file({n: w.contiguous() for n, w in self.weights.items()}, tmp)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, model, path: Path) -> "ReferenceWeights":
        from safetensors.torch import load_file

        path = Path(path)
        if not path.exists():
            raise HaloError(f"{path} is missing: this run's KL reference (the adapter it started from) cannot be "
                            "restored; resume it with beta 0, or start a new run")
        weights = load_file(str(path))
        trainable = {n for n, p in model.named_parameters() if p.requires_grad}
        if set(weights) != trainable:
            raise HaloError(f"{path} does not fit this model's adapter ({len(weights)} tensors saved, "
                            f"{len(trainable)} trainable): resume with the run's own model and LoRA settings")
        return cls(model, weights)
