"""Checkpoints: a resumed run continues exactly; a crash while writing never corrupts the last checkpoint."""

import pytest
import torch
from peft import LoraConfig, get_peft_model
from transformers import LlamaConfig, LlamaForCausalLM

from halo_lib.errors import HaloError
from halo_lib.rl.checkpoint import latest_checkpoint, load_checkpoint, save_checkpoint


def tiny_lora_model(lora_seed: int = 0):
    torch.manual_seed(0)  # the base model is the same in every process (it is loaded from disk in real runs)
    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=2)
    base = LlamaForCausalLM(config)
    torch.manual_seed(lora_seed)
    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
                                            init_lora_weights="gaussian"))
    return model, torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)


def train_step(model, optimizer) -> None:
    ids = torch.randint(0, 64, (2, 8))
    loss = model(input_ids=ids, labels=ids).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()


def lora_weights(model) -> dict:
    return {k: v.detach().clone() for k, v in model.state_dict().items() if "lora_" in k}


def test_resume_continues_exactly_like_an_uninterrupted_run(tmp_path):
    model, opt = tiny_lora_model()
    train_step(model, opt)
    save_checkpoint(tmp_path, 1, model, opt, extra={"metrics": {"loss": 1.0}})
    train_step(model, opt)  # the uninterrupted run's next step...
    expected = lora_weights(model)

    fresh, fresh_opt = tiny_lora_model(lora_seed=123)  # ...vs a new process that resumes
    resumed = load_checkpoint(tmp_path, fresh, fresh_opt)
    assert resumed.step == 1 and resumed.extra["metrics"]["loss"] == 1.0
    train_step(fresh, fresh_opt)
    got = lora_weights(fresh)
    assert all(torch.equal(expected[k], got[k]) for k in expected)  # same weights, optimizer moments and RNG


def test_crash_while_writing_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    model, opt = tiny_lora_model()
    first = save_checkpoint(tmp_path, 1, model, opt)
    train_step(model, opt)

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", boom)
    with pytest.raises(OSError):
        save_checkpoint(tmp_path, 2, model, opt)
    assert latest_checkpoint(tmp_path) == first
    assert [p.name for p in (tmp_path / "checkpoints").iterdir() if p.name != "latest"] == ["step-000001"]


def test_old_checkpoints_are_pruned_and_missing_ones_are_a_clear_error(tmp_path):
    model, opt = tiny_lora_model()
    for step in (1, 2, 3):
        save_checkpoint(tmp_path, step, model, opt, keep=2)
    names = sorted(p.name for p in (tmp_path / "checkpoints").glob("step-*"))
    assert names == ["step-000002", "step-000003"]
    with pytest.raises(HaloError, match="without --resume"):
        load_checkpoint(tmp_path / "elsewhere", model, opt)
