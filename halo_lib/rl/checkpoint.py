"""Checkpoints that a killed run resumes from exactly: adapter, optimizer, RNG states, step and metrics.

A checkpoint is a folder ``step-000042/`` written whole into a temporary sibling and renamed into place,
so a crash mid-write leaves the previous checkpoint intact; ``latest`` names the newest complete one.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from halo_lib.atomic import folder_atomic, write_text_atomic
from halo_lib.errors import HaloError
# torch, numpy and peft are imported lazily, in the functions that use them: importing this module stays light.


@dataclass
class Resumed:
    """What ``load_checkpoint`` restored."""

    step: int
    path: Path
    extra: dict


def _rng_state() -> dict:
    import numpy as np
    import torch

    return {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None}


def _set_rng_state(state: dict) -> None:
    import numpy as np
    import torch

    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if state.get("cuda") is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(run_dir: Path, step: int, model, optimizer, extra: dict | None = None, keep: int = 2) -> Path:
    """Save adapter weights (peft ``save_pretrained``), optimizer, RNG states and ``extra`` (metrics, config)."""
    import torch

    root = Path(run_dir) / "checkpoints"
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"step-{step:06d}"
    with folder_atomic(final) as tmp:
        model.save_pretrained(tmp / "adapter")
        torch.save({"optimizer": optimizer.state_dict(), "rng": _rng_state()}, tmp / "trainer_state.pt")
        (tmp / "meta.json").write_text(json.dumps({"step": step, "extra": extra or {}}, indent=2, default=str))
    write_text_atomic(root / "latest", final.name)
    older = sorted(p for p in root.glob("step-*") if p != final)
    for old in older[: max(len(older) - (keep - 1), 0)]:  # keep the newest `keep` in all
        shutil.rmtree(old, ignore_errors=True)
    return final


def latest_checkpoint(run_dir: Path) -> Path | None:
    pointer = Path(run_dir) / "checkpoints" / "latest"
    if not pointer.exists():
        return None
    path = pointer.parent / pointer.read_text().strip()
    return path if (path / "meta.json").exists() else None


def load_checkpoint(run_dir: Path, model, optimizer) -> Resumed:
    """Restore the newest checkpoint of ``run_dir`` into ``model`` (a peft model) and ``optimizer``."""
    import torch
    from peft import set_peft_model_state_dict
    from peft.utils import load_peft_weights

    path = latest_checkpoint(run_dir)
    if path is None:
        raise HaloError(f"no checkpoint to resume in {run_dir}/checkpoints: start without --resume")
    set_peft_model_state_dict(model, load_peft_weights(str(path / "adapter"), device="cpu"))
    state = torch.load(path / "trainer_state.pt", weights_only=False)
    optimizer.load_state_dict(state["optimizer"])
    _set_rng_state(state["rng"])
    meta = json.loads((path / "meta.json").read_text())
    return Resumed(step=int(meta["step"]), path=path, extra=meta.get("extra", {}))
