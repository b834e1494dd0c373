"""The GRPO trainer at toy size: the update changes the LoRA weights only, the per-sample accumulation equals the
full-batch loss, and the loop writes metrics and checkpoints that a resumed run continues from."""

import dataclasses
import json

import pytest
import torch

from halo_lib.policies.base import Candidate
from halo_lib.config import EnvConfig
from halo_lib.rl.config import GRPOConfig, PolicyConfig, TrainConfig
from halo_lib.rl.losses import loss_fn, per_token_loss
from halo_lib.rl.rewards import RewardPieces
from halo_lib.rl.rollout import EpisodeRollout, StepSample
from halo_lib.errors import HaloError
from halo_lib.rl.credit import (TrainSample, anchor_advantages, anchored_steps, capped_credit, dawdled,
                                discounted_returns, episode_weights, rewarded_from, training_samples)
from halo_lib.rl.model import PolicyModel, load_policy_model
from halo_lib.rl.trainer import grpo_update, merge_identical, train
from halo_lib.sites.server import SitesInThread
from halo_lib.tasks import resolve_tasks
from halo_lib.recipe import CPU_PROMPT  # the recipe's short prompts: toy runs prefill less


def toy_samples(policy: PolicyModel, n: int = 4):
    tok = policy.processor
    prompt = tok(["Click the Go button."], return_tensors="pt")
    ids = [tok(" click('11')")["input_ids"], tok(" I think")["input_ids"], tok(" scroll")["input_ids"],
           tok(" click('10') now please")["input_ids"]][:n]
    return [TrainSample(prompt, list(i), adv, []) for i, adv in zip(ids, (1.0, -1.0, 0.5, -0.5))]


@pytest.fixture(scope="module")
def smol():
    cfg = GRPOConfig(learning_rate=1e-3, max_completion_length=8, group_size=2)
    return cfg, load_policy_model(PolicyConfig(model="smollm2", lora_rank=4, lora_alpha=8, lora_dropout=0.0))


def lora_state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items() if "lora_" in k}


def test_update_moves_lora_only_and_accumulates_to_the_full_batch_loss(smol):
    from halo_lib.policies.assets import sequence_logprobs

    cfg, policy = smol
    samples = toy_samples(policy)
    base_before = {k: v.clone() for k, v in policy.model.state_dict().items() if "lora_" not in k}
    lora_before = lora_state(policy.model)
    # the full-batch dr_grpo loss on padded tensors, computed independently of grpo_update's accumulation
    policy.model.eval()
    with torch.no_grad():
        logps = [sequence_logprobs(policy.model, s.inputs, s.completion_ids) for s in samples]
    width = max(len(l) for l in logps)
    logp = torch.zeros(len(samples), width)
    mask = torch.zeros(len(samples), width)
    for i, l in enumerate(logps):
        logp[i, : len(l)], mask[i, : len(l)] = l, 1
    adv = torch.tensor([s.advantage for s in samples])
    expected = loss_fn("dr_grpo")(per_token_loss(logp, logp, adv, 0.2, 0.2), mask, cfg.max_completion_length)

    metrics = grpo_update(policy, torch.optim.AdamW([p for p in policy.model.parameters() if p.requires_grad],
                                                    lr=cfg.learning_rate), samples, cfg)
    assert metrics["loss"] == pytest.approx(float(expected), abs=1e-6)
    assert metrics["grad_norm"] > 0
    after = lora_state(policy.model)
    assert any(not torch.equal(lora_before[k], after[k]) for k in after)  # the adapter moved
    base_after = {k: v for k, v in policy.model.state_dict().items() if "lora_" not in k}
    assert all(torch.equal(base_before[k], base_after[k]) for k in base_before)  # the base stayed frozen


@pytest.mark.parametrize("loss_type,beta", [("dr_grpo", 0.0), ("dapo", 0.0), ("grpo", 0.1)])
def test_identical_samples_are_merged_into_one_pass_with_the_same_update(smol, loss_type, beta):
    """A group's episodes share their first prompt and often sample the same action: on-policy, n identical samples
    are one forward-backward with their mean advantage weighted n times, and the step is the one the unmerged
    batch gives (grpo_update with merging off is the reference: updates_per_batch=2 never merges)."""

    cfg, policy = smol
    cfg = dataclasses.replace(cfg, loss_type=loss_type, beta=beta)
    a, b, c, d = toy_samples(policy)
    batch = [a, dataclasses.replace(a, advantage=-0.25), b, dataclasses.replace(a, advantage=2.0), c, d,
             dataclasses.replace(c, advantage=0.0)]
    unique, copies = merge_identical(batch)
    assert copies == [3, 1, 2, 1] and unique[0].advantage == pytest.approx((1.0 - 0.25 + 2.0) / 3)

    start = lora_state(policy.model)
    merged = grpo_update(policy, torch.optim.SGD([p for p in policy.model.parameters() if p.requires_grad], lr=1.0),
                         batch, cfg)
    after_merged = lora_state(policy.model)
    policy.model.load_state_dict(start, strict=False)
    # the reference: every sample on its own. Two SGD steps of which the second has lr 0 = one unmerged step
    # (updates_per_batch=2 freezes the old log-probs, so the first step is on-policy and never merges)
    params = [p for p in policy.model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=1.0)
    lrs = iter([1.0, 0.0])
    original_step = opt.step

    def step_with_schedule():
        for g in opt.param_groups:
            g["lr"] = next(lrs)
        original_step()

    opt.step = step_with_schedule
    single = grpo_update(policy, opt, batch, dataclasses.replace(cfg, updates_per_batch=2))
    after_single = lora_state(policy.model)
    assert merged["forward_passes"] == 4 and single["forward_passes"] == 7
    assert merged["shared_prompts"] == single["shared_prompts"] == 1  # all share one prompt, run once per pass
    assert any(not torch.equal(start[k], after_merged[k]) for k in start)
    for k in start:
        # fp32 summation order differs (one pass weighted 3x vs three passes): agreement to ~1e-4 relative
        assert torch.allclose(after_merged[k], after_single[k], rtol=1e-4, atol=1e-5), k
    policy.model.load_state_dict(start, strict=False)



@pytest.mark.parametrize("updates_per_batch", [1, 2])
def test_the_sampler_trainer_gap_is_the_largest_and_the_mean_per_token_difference(smol, updates_per_batch):
    """The update reports how far the sampler's log-probs are from its own: the largest per-token difference (one
    bad token) and the mean over all sampled tokens (how off-policy the batch is), on both paths that compute the
    old log-probs (the update's own forward, or a pass before it); a sample merged from copies counts each copy."""
    from halo_lib.policies.assets import sequence_logprobs

    cfg, policy = smol
    samples = toy_samples(policy, n=3)
    policy.model.eval()
    with torch.no_grad():
        trainer = [sequence_logprobs(policy.model, s.inputs, s.completion_ids).float().flatten() for s in samples]
    offsets = [torch.zeros_like(t) for t in trainer]
    offsets[0][0], offsets[1][-1], offsets[2][0] = 0.5, -0.25, 0.125  # sampler's minus trainer's
    samples = [dataclasses.replace(s, sampler_logprobs=(t + o).tolist()) for s, t, o in zip(samples, trainer, offsets)]
    samples.append(dataclasses.replace(samples[1], advantage=0.0))  # merged with samples[1] on-policy: counted twice
    trainer.append(trainer[1])
    start = lora_state(policy.model)
    params = [p for p in policy.model.parameters() if p.requires_grad]
    metrics = grpo_update(policy, torch.optim.SGD(params, lr=0.0), samples,
                          dataclasses.replace(cfg, updates_per_batch=updates_per_batch))
    n_tokens = sum(len(t) for t in trainer)
    assert metrics["sampler_trainer_logprob_gap"] == pytest.approx(0.5, abs=1e-4)
    assert metrics["sampler_trainer_logprob_gap_mean"] == pytest.approx((0.875 + 0.25) / n_tokens, abs=1e-4)
    policy.model.load_state_dict(start, strict=False)


def step(text: str, after_done: bool = False, state: str = "", **reward):
    """One rollout step whose reply is ``text`` (element actions) on the page ``state``, with the reward pieces given
    (``success=1.0``, ``progress=0.4``, ...); its "prompt" is the text itself, so training samples name their step."""
    c = dataclasses.replace(Candidate.from_text(text, "element"), token_ids=[1, 2], logprobs=[-0.1, -0.2],
                            prompt=text)
    return StepSample(c, RewardPieces(**reward), after_done=after_done, state=state)


def test_gigpo_compares_the_steps_that_acted_on_the_same_page_by_their_returns_from_there():
    """Two episodes from one inbox page: one opened the right email (a milestone) and answered, the other opened a
    wrong one, came back to the inbox, then did as the first. Steps on the inbox form one anchor group, steps on the
    email page another; a page only one step saw has no step-level term. A = A^E + w * A^S (Dr. GRPO's form)."""
    gamma = 0.5
    direct = EpisodeRollout("t", [step("click('12')", state="inbox", progress=0.2),
                                  step("send_msg_to_user('done')", state="email", success=1.0)], success=True)
    detour = EpisodeRollout("t", [step("click('13')", state="inbox"),
                                  step("click('1')", state="wrong email"),
                                  step("click('12')", state="inbox", progress=0.2),
                                  step("send_msg_to_user('done')", state="email", success=1.0)], success=True)
    assert discounted_returns(direct, gamma) == pytest.approx([0.2 + 0.5, 1.0])
    assert discounted_returns(detour, gamma) == pytest.approx([0.175, 0.35, 0.7, 1.0])
    inbox_mean = (0.7 + 0.175 + 0.7) / 3
    anchors = anchor_advantages([direct, detour], gamma)
    assert anchors[0] == pytest.approx([0.7 - inbox_mean, 0.0])  # both answers on the email page returned 1.0
    assert anchors[1] == pytest.approx([0.175 - inbox_mean, 0.0, 0.7 - inbox_mean, 0.0])  # "wrong email": alone
    assert anchored_steps([direct, detour]) == 5
    assert anchor_advantages([direct, dataclasses.replace(detour, steps=[
        dataclasses.replace(s, state="") for s in detour.steps])], gamma) == [[0.0, 0.0], [0.0] * 4]  # pages unknown

    cfg = GRPOConfig(group_size=2, anchor_weight=1.0, anchor_discount=gamma)
    samples, advantages = training_samples([[direct, detour]], lambda prompt: prompt, cfg, keep_zero=True)
    assert advantages == [0.0, 0.0]  # the same return: no episode-level signal, yet the detour's first click is worse
    assert [s.advantage for s in samples] == pytest.approx([anchors[0][0], 0.0, anchors[1][0], 0.0, anchors[1][2], 0.0])
    assert samples[0].advantage > 0 > samples[2].advantage
    episode_only, _ = training_samples([[direct, detour]], lambda prompt: prompt,
                                       dataclasses.replace(cfg, anchor_weight=0.0), keep_zero=True)
    assert [s.advantage for s in episode_only] == [0.0] * 6
    with pytest.raises(HaloError, match="anchor_discount must be in"):
        GRPOConfig(anchor_discount=1.5)


def test_episode_weighting_makes_each_episode_of_a_group_weigh_the_same_whatever_its_length():
    """A short win and a long loss: per step, the loss's 4 steps outweigh the win's 1 four to one in the update; with
    ``step_weighting: episode`` each step's advantage is scaled by mean length / its episode's (2.5 / 1, 2.5 / 4), so
    the two episodes' summed advantages are equal and opposite, and the steps' weights still sum to the group's 5."""
    won = EpisodeRollout("t", [step("click('12')", success=1.0)], success=True)
    lost = EpisodeRollout("t", [step(f"click('{i}')") for i in range(4)])
    cfg = GRPOConfig(group_size=2)
    per_step, advantages = training_samples([[won, lost]], lambda prompt: prompt, cfg)
    assert advantages == [0.5, -0.5] and [s.advantage for s in per_step] == [0.5] + [-0.5] * 4
    fair, same = training_samples([[won, lost]], lambda prompt: prompt,
                                  dataclasses.replace(cfg, step_weighting="episode"))
    assert same == advantages  # the episodes' advantages are not changed, only their steps' weights
    assert [s.advantage for s in fair] == pytest.approx([0.5 * 2.5] + [-0.5 * 2.5 / 4] * 4)
    assert sum(s.advantage for s in fair[:1]) == pytest.approx(-sum(s.advantage for s in fair[1:]))
    weights = episode_weights([won, lost], "episode")
    assert weights == pytest.approx([2.5, 2.5 / 4]) and 1 * weights[0] + 4 * weights[1] == pytest.approx(5)
    assert episode_weights([won, lost], "step") == [1.0, 1.0]
    from halo_lib.config import from_dict

    with pytest.raises(HaloError, match="step_weighting"):  # as a YAML file or --set gives it
        from_dict(GRPOConfig, {"step_weighting": "token"})


def test_a_reply_that_did_not_parse_never_gets_positive_credit():
    """An unparsed reply changes nothing on the page: in the better episode of a group its advantage is capped at 0
    (so it is dropped), in the worse one its negative advantage stays; ``credit_unparsed`` restores the old rule."""

    won = EpisodeRollout("t", [step("please choose item."), step("click('12')", success=1.0)], success=True)
    lost = EpisodeRollout("t", [step("click('1"), step("click('13')")])
    assert won.steps[0].candidate.action is None and lost.steps[0].candidate.action is None
    cfg = GRPOConfig(group_size=2)
    samples, advantages = training_samples([[won, lost]], lambda prompt: prompt, cfg)
    assert advantages == [0.5, -0.5]
    assert [(s.inputs, s.advantage) for s in samples] == [("click('12')", 0.5), ("click('1", -0.5),
                                                          ("click('13')", -0.5)]
    kept, _ = training_samples([[won, lost]], lambda prompt: prompt, cfg, keep_zero=True)
    assert [s.advantage for s in kept] == [0.0, 0.5, -0.5, -0.5]  # kept for the KL term, with no credit
    old_rule, _ = training_samples([[won, lost]], lambda prompt: prompt,
                                   dataclasses.replace(cfg, credit_unparsed=True))
    assert [s.advantage for s in old_rule] == [0.5, 0.5, -0.5, -0.5]
    # the per-iteration metric counts the one denied step (the won episode's prose), not the lost one's
    assert capped_credit([won, lost], advantages, cfg) == 1
    assert capped_credit([won, lost], advantages, dataclasses.replace(cfg, credit_unparsed=True)) == 0


def test_a_group_with_an_episode_cut_short_by_an_error_trains_nothing():
    """An episode whose sampling server died mid-way has a return it did not earn: its group's advantages would all
    be mismeasured, so the group gives no sample and zero advantages; a clean group beside it trains as before."""

    won = EpisodeRollout("t", [step("click('12')", success=1.0)], success=True, status="success")
    cut = EpisodeRollout("t", [step("click('13')"), StepSample(Candidate(text=""), RewardPieces(), "policy failed")],
                         status="error")
    lost = EpisodeRollout("u", [step("click('14')")], status="failure")
    won_u = EpisodeRollout("u", [step("click('15')", success=1.0)], success=True, status="success")
    cfg = GRPOConfig(group_size=2)
    samples, advantages = training_samples([[won, cut], [lost, won_u]], lambda prompt: prompt, cfg, keep_zero=True)
    assert advantages == [0.0, 0.0, -0.5, 0.5]
    assert [(s.inputs, s.advantage) for s in samples] == [("click('14')", -0.5), ("click('15')", 0.5)]


def test_steps_after_an_episodes_last_reward_never_get_positive_credit():
    """A failed episode that opened the product and added it to the cart, then wandered: when it did better than
    the rest of its group, its wandering steps (no reward from them on) and its answer share no positive advantage
    and its rewarded steps keep it; when it did worse, every step keeps its negative advantage.
    ``credit_after_last_reward`` restores the old rule."""

    wandered = EpisodeRollout("t", [step("click('212')", progress=0.4), step("click('315')", progress=0.2),
                                    step("fill('417', 'x')"), step("click('437')", loop=-0.5),
                                    step("click('438')"), step("send_msg_to_user('done')")])
    stopped = EpisodeRollout("t", [step("click('212')", progress=0.4), step("send_msg_to_user('done')")])
    assert wandered.ret == pytest.approx(0.1) and stopped.ret == pytest.approx(0.4)
    assert rewarded_from(wandered) == [True, True, False, False, False, False]
    cfg = GRPOConfig(group_size=2)
    # the wandering episode did worse: every step keeps its negative advantage
    samples, advantages = training_samples([[wandered, stopped]], lambda prompt: prompt, cfg)
    assert advantages == pytest.approx([-0.15, 0.15])
    assert [s.advantage for s in samples] == pytest.approx([-0.15] * 6 + [0.15])  # its answer: no credit, dropped
    # the wandering episode did better (the other one earned less): only its two rewarded steps get credit
    poorer = EpisodeRollout("t", [step("click('999')"), step("send_msg_to_user('done')")])
    samples, advantages = training_samples([[wandered, poorer]], lambda prompt: prompt, cfg, keep_zero=True)
    assert advantages == pytest.approx([0.05, -0.05])
    assert [s.advantage for s in samples] == pytest.approx([0.05, 0.05, 0.0, 0.0, 0.0, 0.0, -0.05, -0.05])
    assert capped_credit([wandered, poorer], advantages, cfg) == 4
    old_rule, _ = training_samples([[wandered, poorer]], lambda prompt: prompt,
                                   dataclasses.replace(cfg, credit_after_last_reward=True))
    assert [s.advantage for s in old_rule] == pytest.approx([0.05] * 6 + [-0.05] * 2)


def test_steps_between_the_tasks_completion_and_the_answer_never_get_positive_credit():
    """An episode that deleted the event, clicked on twice on the finished page and then answered succeeds as one that
    answered at once: with ``credit_after_done`` False its two idle clicks share no positive advantage (its answer and
    the steps that did the task keep it); by default they do. In a group where it did worse, they keep their
    negative one."""

    idle = EpisodeRollout("t", [step("click('161')", progress=0.2), step("click('423')", progress=0.2),
                                step("click('551')", after_done=True, novelty=0.2),  # a new page: still rewarded
                                step("click('826')", after_done=True),
                                step("send_msg_to_user('done')", after_done=True, success=1.0)])
    failed = EpisodeRollout("t", [step("click('12')"), step("send_msg_to_user('done')")])
    assert dawdled(idle) == [False, False, True, True, False]
    ran_out = EpisodeRollout("t", idle.steps[:4], status="max_steps")  # no answer: its last click is idle too
    assert dawdled(ran_out) == [False, False, True, True]
    cfg = GRPOConfig(group_size=2, credit_after_done=False)
    samples, advantages = training_samples([[idle, failed]], lambda prompt: prompt, cfg, keep_zero=True)
    assert advantages == pytest.approx([0.8, -0.8])
    assert [s.advantage for s in samples] == pytest.approx([0.8, 0.8, 0.0, 0.0, 0.8, -0.8, -0.8])
    assert capped_credit([idle, failed], advantages, cfg) == 2
    credited, _ = training_samples([[idle, failed]], lambda prompt: prompt, GRPOConfig(group_size=2))
    assert [s.advantage for s in credited] == pytest.approx([0.8] * 5 + [-0.8] * 2)
    prompt_answer = EpisodeRollout("t", [step("click('161')", progress=0.2), step("click('423')", progress=0.2),
                                         step("send_msg_to_user('done')", after_done=True, success=1.0)])
    samples, advantages = training_samples([[idle, prompt_answer]], lambda prompt: prompt, cfg, keep_zero=True)
    assert advantages[0] == pytest.approx(0.1)  # the novelty it earned on the way: its idle clicks still get none
    assert [s.advantage for s in samples][:5] == pytest.approx([0.1, 0.1, 0.0, 0.0, 0.1])


class SplitGroup:
    """A sampler for the toy loop: the model's own tokens are trained, but episode 0 of each group also clicks
    the search box (a new state: novelty), so the two episodes' returns differ and advantages are non-zero."""

    def policy_for(self, acting):
        return self.Views(acting)

    def sync(self, model, run_dir, version=None):
        pass

    class Views:
        def __init__(self, acting):
            self.acting = acting

        def for_episode(self, i):
            return SplitGroup.Episode(self.acting, clicks=(i == 0))

    class Episode:
        def __init__(self, acting, clicks):
            self.acting, self.clicks = acting, clicks

        async def act(self, obs):
            c = await self.acting.act(obs)
            text = "click('[searchbox]')"
            line = next((l for l in (obs.axtree or "").splitlines() if "searchbox" in l), None)
            if self.clicks and line:
                text = f"click('{line.split(']')[0].strip().lstrip('[')}')"
                return dataclasses.replace(Candidate.from_text(text, "element"), token_ids=c.token_ids,
                                           logprobs=c.logprobs, prompt=c.prompt)
            return dataclasses.replace(Candidate.from_text("scroll(0, 0)", "element"), token_ids=c.token_ids,
                                       logprobs=c.logprobs, prompt=c.prompt)


def test_toy_loop_trains_checkpoints_and_resumes(tmp_path):
    tasks = resolve_tasks("gen:omnizon:train:1")
    cfg = TrainConfig(policy=PolicyConfig(model="smollm2", lora_rank=4, lora_alpha=8, lora_dropout=0.0),
                      env=EnvConfig(max_steps=1), prompt=CPU_PROMPT,
                      grpo=GRPOConfig(learning_rate=1e-3, group_size=2, max_completion_length=6, iterations=2,
                                      checkpoint_interval=1))
    with SitesInThread(["omnizon"]):
        first = train(cfg, tasks, tmp_path, sampler=SplitGroup())
        assert [m["iteration"] for m in first.metrics] == [1, 2]
        assert all(m["train_samples"] > 0 and m["advantage_abs_mean"] > 0 for m in first.metrics)
        # on-policy the loss VALUE is fixed by the advantages (often 0 when they cancel); its gradient is not
        assert all(m["grad_norm"] > 0 for m in first.metrics)
        lines = (tmp_path / "metrics.jsonl").read_text().splitlines()
        assert len(lines) == 2 and json.loads(lines[1])["iteration"] == 2
        # every training episode is kept, readable: what it did and the advantage its steps were trained with
        episodes = [json.loads(line) for line in (tmp_path / "rollouts.jsonl").read_text().splitlines()]
        assert [e["iteration"] for e in episodes] == [1, 1, 2, 2]
        for e in episodes:
            assert e["task_id"] == tasks[0].id and len(e["steps"]) == 1 and e["steps"][0]["text"]
            assert e["steps"][0]["state"].startswith("http://127.0.0.1:") and "#" in e["steps"][0]["state"]
            assert e["return"] == pytest.approx(sum(s["reward"]["total"] for s in e["steps"]))
        # the page each step acted on: the task's start page, the same in every episode (an anchor state)
        assert len({e["steps"][0]["state"] for e in episodes}) == 1
        assert all(m["anchored_step_rate"] == 1.0 and m["out_of_steps"] == 2 for m in first.metrics)
        for it in (1, 2):  # Dr. GRPO: A = R - mean(R of the group)
            group = [e for e in episodes if e["iteration"] == it]
            mean = sum(e["return"] for e in group) / len(group)
            assert [e["advantage"] for e in group] == pytest.approx([e["return"] - mean for e in group])
        assert (tmp_path / "checkpoints" / "step-000002" / "adapter" / "adapter_config.json").exists()
        from safetensors.torch import load_file

        saved = load_file(tmp_path / "checkpoints" / "step-000002" / "adapter" / "adapter_model.safetensors")
        # peft starts every lora_B at zero: a trained adapter has moved away from it
        assert any(float(v.abs().max()) > 0 for k, v in saved.items() if "lora_B" in k)
        assert (tmp_path / "tb").is_dir()
        recorded = json.loads((tmp_path / "config.json").read_text())  # the TrainConfig, section by section
        assert recorded["grpo"]["group_size"] == 2 and recorded["policy"]["model"] == "smollm2"
        assert recorded["env"]["max_steps"] == 1 and recorded["prompt"]["axtree_chars"] == 500
        with pytest.raises(Exception, match="--resume"):
            train(cfg, tasks, tmp_path, sampler=SplitGroup())  # never silently overwrites a run
        # a run killed after logging iteration 3 but before checkpointing it: the resumed run logs 3 again, once
        for name in ("metrics.jsonl", "rollouts.jsonl"):
            with open(tmp_path / name, "a") as f:
                f.write(json.dumps({"iteration": 3, "killed": True}) + "\n" + '{"iteration": 3, "torn')
        more = dataclasses.replace(cfg, grpo=dataclasses.replace(cfg.grpo, iterations=3))
        resumed = train(more, tasks, tmp_path, resume=True, sampler=SplitGroup())
    assert [m["iteration"] for m in resumed.metrics] == [1, 2, 3]
    logged = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [m["iteration"] for m in logged] == [1, 2, 3] and "killed" not in logged[2]
    episodes = [json.loads(line) for line in (tmp_path / "rollouts.jsonl").read_text().splitlines()]
    assert [e["iteration"] for e in episodes] == [1, 1, 2, 2, 3, 3]


class DiesAfterOneUpdate(SplitGroup):
    """The sampling server dies after the first update (its adapter reload fails)."""

    def __init__(self):
        self.calls = 0

    def sync(self, model, run_dir, version=None):
        self.calls += 1
        if self.calls == 2:
            raise ConnectionError("vLLM server is not answering")


def test_an_error_mid_training_leaves_a_resumable_checkpoint(tmp_path):
    tasks = resolve_tasks("gen:omnizon:train:1")
    cfg = TrainConfig(policy=PolicyConfig(model="smollm2", lora_rank=4, lora_alpha=8, lora_dropout=0.0),
                      env=EnvConfig(max_steps=1), prompt=CPU_PROMPT,
                      grpo=GRPOConfig(group_size=2, max_completion_length=6, iterations=3, checkpoint_interval=0,
                                      beta=0.05, learning_rate=1e-3))
    with SitesInThread(["omnizon"]):
        with pytest.raises(ConnectionError):
            train(cfg, tasks, tmp_path, sampler=DiesAfterOneUpdate())
        assert (tmp_path / "checkpoints" / "step-000001" / "adapter" / "adapter_config.json").exists()
        assert (tmp_path / "reference_adapter.safetensors").exists()  # the KL's reference, for the resumed run
        resumed = train(cfg, tasks, tmp_path, resume=True, sampler=SplitGroup())
    assert [m["iteration"] for m in resumed.metrics] == [1, 2, 3]
    # iteration 1's policy is its reference; after resuming, the reference is the saved start, not a new snapshot
    # of the resumed adapter (which would make iteration 2's KL 0 again)
    assert resumed.metrics[0]["kl"] == pytest.approx(0.0, abs=1e-6)
    assert all(m["kl"] > 1e-6 for m in resumed.metrics[1:])


def test_kl_reference_is_the_adapter_the_run_started_from(smol, tmp_path):
    """After a warm start the KL's reference is the warm-started adapter, not the base model: the first update's KL
    is 0 (the policy IS its reference), the next one's is not; with no reference given it is the base model. The
    reference survives a save / load, and swapping it in for a forward leaves the trained weights as they were."""
    from halo_lib.errors import HaloError
    from halo_lib.policies.assets import sequence_logprobs
    from halo_lib.rl.reference import ReferenceWeights

    cfg, policy = smol
    cfg = dataclasses.replace(cfg, beta=0.1)
    start = lora_state(policy.model)
    params = [p for p in policy.model.parameters() if p.requires_grad]
    torch.manual_seed(0)
    with torch.no_grad():  # a "warm start": an adapter that is not the base model (peft starts lora_B at 0)
        for name, p in policy.model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.02)
    samples = toy_samples(policy)
    reference = ReferenceWeights.snapshot(policy.model)
    opt = torch.optim.SGD(params, lr=0.5)
    first = grpo_update(policy, opt, samples, cfg, reference)
    assert first["kl"] == pytest.approx(0.0, abs=1e-6)
    second = grpo_update(policy, opt, samples, cfg, reference)
    assert second["kl"] > 1e-6
    assert grpo_update(policy, torch.optim.SGD(params, lr=0.0), samples, cfg)["kl"] > second["kl"]  # the base's

    trained = lora_state(policy.model)
    reference.save(tmp_path / "ref.safetensors")
    loaded = ReferenceWeights.load(policy.model, tmp_path / "ref.safetensors")
    s = samples[0]
    with loaded.active():
        in_reference = sequence_logprobs(policy.model, s.inputs, s.completion_ids)
    with reference.active():
        assert torch.equal(in_reference, sequence_logprobs(policy.model, s.inputs, s.completion_ids))
    assert not torch.allclose(in_reference, sequence_logprobs(policy.model, s.inputs, s.completion_ids))
    assert all(torch.equal(v, lora_state(policy.model)[k]) for k, v in trained.items())  # put back exactly
    with pytest.raises(HaloError, match="cannot be restored"):
        ReferenceWeights.load(policy.model, tmp_path / "missing.safetensors")
    policy.model.load_state_dict(start, strict=False)


def test_lora_top_layers_adapts_only_the_last_layers_and_backward_stops_below_them():
    """``lora_top_layers``: LoRA in the last N decoder layers only, so nothing below them needs a gradient (autograd
    keeps no graph there: the saving); a count the model does not have is refused with the fix."""
    from halo_lib.errors import HaloError

    cfg = PolicyConfig(model="smollm2", lora_rank=4, lora_alpha=8, lora_dropout=0.0, lora_top_layers=2)
    model = load_policy_model(cfg).model
    n = model.config.num_hidden_layers
    adapted = {int(name.split(".layers.")[1].split(".")[0]) for name, p in model.named_parameters() if p.requires_grad}
    assert adapted == {n - 2, n - 1}
    model.train()
    hidden = model(input_ids=torch.tensor([[1, 2, 3, 4]]), output_hidden_states=True).hidden_states
    # hidden[i] is layer i's input: the first adapted layer's input needs no grad, its output does
    assert not hidden[n - 2].requires_grad and hidden[n - 1].requires_grad

    vision = load_policy_model(PolicyConfig(model="tiny-qwen3vl", lora_rank=4, lora_alpha=8, lora_top_layers=1)).model
    last = vision.config.text_config.num_hidden_layers - 1
    names = [name for name, p in vision.named_parameters() if p.requires_grad]
    assert names and all("visual" not in x and f"language_model.layers.{last}." in x for x in names)

    with pytest.raises(HaloError, match=f"has {n} layers"):
        load_policy_model(dataclasses.replace(cfg, lora_top_layers=n + 1))
    with pytest.raises(HaloError, match="lora_top_layers must be >= 0"):
        PolicyConfig(lora_top_layers=-1)
