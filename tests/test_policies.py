"""Prompts built from the action definitions, and the in-process transformers policy."""

import asyncio
import io

import pytest
from PIL import Image

from halo_lib.errors import HaloError
from halo_lib.actions import actions_for
from halo_lib.env.environment import Observation
from halo_lib.policies.base import Candidate
from halo_lib.policies.prompts import AXTREE_CHARS, build_prompt


def observation(**kw) -> Observation:
    buf = io.BytesIO()
    Image.new("RGB", (1280, 720), "white").save(buf, "PNG")
    base = dict(goal="Order a cooking pot", url="http://127.0.0.1:18002/", step=2, screenshot=buf.getvalue(),
                axtree="[10] searchbox 'Search Omnizon'\n[11] button 'Go'",
                history=[("click('10')", None), ("fill('10', 'pot')", "element 10 is not editable")],
                last_action_error="element 10 is not editable")
    base.update(kw)
    return Observation(**base)


@pytest.mark.parametrize("modality, family", [("vision", "computer_use"), ("text", "element")])
def test_prompt_lists_every_action_of_the_family_from_its_definition(modality, family):
    prompt = build_prompt(observation(), modality)
    system = prompt.messages[0]["content"][0]["text"]
    assert prompt.family == family
    for definition in actions_for(family):
        assert definition.name in system and definition.doc.split(".")[0] in system


def test_prompt_shows_goal_history_errors_and_the_page():
    vision = build_prompt(observation(), "vision")
    user = vision.messages[1]["content"]
    text = "".join(p.get("text", "") for p in user)
    assert "Order a cooking pot" in text and "fill('10', 'pot')  -> ERROR: element 10 is not editable" in text
    assert len(vision.images()) == 1 and "searchbox" not in text  # the vision prompt shows the screenshot only
    openai = vision.to_openai()[1]["content"]
    assert any(p["type"] == "image_url" and p["image_url"]["url"].startswith("data:image/png;base64,") for p in openai)
    plain = build_prompt(observation(axtree="x" * (AXTREE_CHARS + 50)), "text").to_plain()[1]["content"]
    assert "(cut)" in plain and "x" * AXTREE_CHARS in plain


def test_missing_modality_input_is_a_clear_error():
    with pytest.raises(ValueError, match="screenshots"):
        build_prompt(observation(screenshot=None), "vision")
    with pytest.raises(ValueError, match="accessibility tree"):
        build_prompt(observation(axtree=None), "text")


def test_candidate_from_text_keeps_the_parse_error():
    good = Candidate.from_text("click('11')", "element")
    bad = Candidate.from_text("I would click Go", "element")
    assert good.action is not None and good.error is None
    assert bad.action is None and "click('12')" in bad.error


def test_hf_vision_policy_samples_candidates_whose_logprobs_the_trainer_can_recompute():
    from halo_lib.policies.assets import sequence_logprobs, tiny_qwen3vl
    from halo_lib.policies.hf import HFPolicy, SamplingConfig

    model, processor = tiny_qwen3vl()
    policy = HFPolicy(model, processor, "vision", config=SamplingConfig(max_new_tokens=12, seed=0))
    candidates = asyncio.run(policy.sample_actions(observation(), 4))
    assert len(candidates) == 4 and len({c.text for c in candidates}) > 1
    for c in candidates:
        assert len(c.token_ids) == len(c.logprobs) > 0 and all(lp <= 0 for lp in c.logprobs)
        assert (c.action is None) == (c.error is not None)  # random weights: mostly parse errors, never a crash
    inputs = policy.model_inputs(candidates[0].prompt)
    assert int((inputs["input_ids"] == 151655).sum()) == 220  # 640x360 after downscaling: 20x11 merged patches
    again = sequence_logprobs(model, inputs, candidates[0].token_ids).detach()
    assert float((again - __import__("torch").tensor(candidates[0].logprobs)).abs().max()) < 1e-4


def screenshot_1280x720() -> bytes:
    """A busy 1280x720 screenshot (text-like stripes and noise: any resampling difference changes pixels)."""
    import numpy as np

    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(720, 1280, 3), dtype=np.uint8)
    pixels[::7] = 0
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("width, size, grid", [(640, (640, 360), [1, 22, 40]), (1280, (1280, 720), [1, 44, 80])])
def test_the_sampler_and_the_trainer_see_the_same_pixels(width, size, grid):
    """The vLLM sampler sends ``to_openai()``'s data URL; the trainer re-encodes ``to_hf()``'s images with the
    processor (``HFPolicy.model_inputs``): both must be the one image the prompt carries, downscaled once to
    ``PromptOptions.max_image_width``."""
    import base64

    import numpy as np

    from halo_lib.policies.assets import tiny_qwen3vl
    from halo_lib.policies.hf import HFPolicy, SamplingConfig
    from halo_lib.policies.prompts import PromptOptions

    options = PromptOptions(max_image_width=width)
    prompt = build_prompt(observation(screenshot=screenshot_1280x720()), "vision", options=options)
    urls = [p["image_url"]["url"] for m in prompt.to_openai() if isinstance(m["content"], list)
            for p in m["content"] if p["type"] == "image_url"]
    assert len(urls) == 1 and urls[0].startswith("data:image/png;base64,")
    sent = Image.open(io.BytesIO(base64.b64decode(urls[0].split(",", 1)[1]))).convert("RGB")
    _, (trained,) = prompt.to_hf()
    assert sent.size == trained.size == size
    assert np.array_equal(np.asarray(sent), np.asarray(trained))

    model, processor = tiny_qwen3vl()
    policy = HFPolicy(model, processor, "vision", config=SamplingConfig(prompt=options))
    inputs = policy.model_inputs(prompt)
    assert inputs["image_grid_thw"].tolist() == [grid]  # 16 px patches of the (32-px rounded) image sent
    assert int((inputs["input_ids"] == 151655).sum()) == grid[1] * grid[2] // 4  # 2x2 merged: 220 or 880 tokens


def test_prepare_screenshot_downscales_once_and_keeps_what_fits():
    from halo_lib.policies.prompts import prepare_screenshot

    shot = screenshot_1280x720()
    assert prepare_screenshot(shot, 1280) is shot  # an RGB PNG that fits is passed on untouched
    small = prepare_screenshot(shot, 640)
    assert Image.open(io.BytesIO(small)).size == (640, 360)
    assert prepare_screenshot(small, 640) is small  # idempotent: a prompt never scales twice
    rgba = io.BytesIO()
    Image.new("RGBA", (100, 50), (10, 20, 30, 255)).save(rgba, "PNG")
    converted = Image.open(io.BytesIO(prepare_screenshot(rgba.getvalue(), 640)))
    assert converted.mode == "RGB" and converted.size == (100, 50)
    with pytest.raises(ValueError, match="max_width"):
        prepare_screenshot(shot, 0)


# ---- short prompts for small text policies ------------------------------------------------------------------
INBOX = "\n".join(
    ["[2] button 'Main menu'", "[7] searchbox 'Search mail'", "[12] button 'Compose'", "[14] link 'Inbox 25 unread'",
     "[30] gridcell", "[31] textbox", "[42] button 'Archive'"]
    + [f"[{100 + i}] checkbox 'Select conversation: Weekly report {i} from July Team' checked=false" for i in range(40)]
    + ["[390] checkbox 'Select conversation: Support: scheduled maintenance this weekend from Facilities' "
       "checked=false"])


def test_compact_tree_drops_nameless_elements_but_keeps_nameless_inputs():
    from halo_lib.policies.prompts import compact_axtree

    compact = compact_axtree(INBOX)
    assert "[30] gridcell" not in compact and "[31] textbox" in compact and "[42] button 'Archive'" in compact


def test_goal_lines_bring_the_goals_element_back_from_beyond_the_cut():
    from halo_lib.policies.prompts import PromptOptions, cut_tree

    goal = 'Archive the email from Facilities with the subject "Support: scheduled maintenance this weekend".'
    plain = cut_tree(INBOX, goal, PromptOptions(axtree_chars=200))
    assert "[390]" not in plain and plain.endswith("(cut)")
    with_goal = cut_tree(INBOX, goal, PromptOptions(axtree_chars=200, goal_lines=2))
    assert "[390] checkbox 'Select conversation: Support: scheduled maintenance" in with_goal
    # the rare words (maintenance, facilities) win over the common ones every line names (July, team, report)
    assert "[139]" not in with_goal and with_goal.count("\n") < plain.count("\n") + 3
    assert len(cut_tree(INBOX, goal, PromptOptions())) == len(INBOX)  # short trees are shown whole


def test_input_lines_keep_form_fields_from_beyond_the_cut():
    from halo_lib.policies.prompts import PromptOptions, cut_tree

    page = "\n".join(["  [1] link 'Omnizon home'", "  [2] searchbox 'Search Omnizon'"]
                     + [f"  [{i}] link 'Department {i}'" for i in range(10, 40)]
                     + ["  [50] heading 'Cabeau Neck Pillow' level=1", "    [51] combobox 'Quantity' value='1'",
                        "    [52] button 'Add to Cart'", "    [60] textbox 'Gift note'"])
    goal = "Add 3 of the Cabeau Neck Pillow to my cart."
    without = cut_tree(page, goal, PromptOptions(axtree_chars=120, goal_lines=2))
    assert "[50] heading 'Cabeau" in without and "Quantity" not in without  # no goal word names the select
    shown = cut_tree(page, goal, PromptOptions(axtree_chars=120, goal_lines=2, input_lines=1))
    tail = shown.split("the rest is cut)\n")[1].splitlines()
    assert [line.split("]")[0].strip() for line in tail] == ["[50", "[51", "[52"]  # page order; one field asked for
    assert "[60]" not in shown and shown.count("[2] searchbox") == 1  # fields above the cut are not repeated


def test_system_prompt_can_list_a_subset_of_actions_one_line_each():
    from halo_lib.policies.prompts import PromptOptions

    options = PromptOptions(actions=["click", "fill", "send_msg_to_user"], brief_actions=True)
    system = build_prompt(observation(), "text", options=options).messages[0]["content"][0]["text"]
    full = build_prompt(observation(), "text").messages[0]["content"][0]["text"]
    assert "fill(bid: str, value: str): Clear a text field" in system and "e.g. click('12')" in system
    assert "hover(" not in system and "report_infeasible(" not in system and "hover(" in full
    assert len(system) < len(full) / 2
    with pytest.raises(HaloError, match=r"PromptOptions.actions has unknown actions \['tap'\]"):
        PromptOptions(actions=["tap"])  # refused when the options are made, before any episode


def test_vision_prompts_give_the_tool_to_the_chat_template_and_every_backend_renders_the_same_tokens():
    """Qwen3-VL was trained on its chat template's tool block: the computer_use schema goes to the template as
    ``tools`` (the trainer's processor, vLLM's request), not into the system prompt's own text; rendered from the
    vLLM request (OpenAI messages + tools) or from the trainer's view (``to_hf`` + tools), the tokens are the same."""
    import json

    from halo_lib.actions import COMPUTER_USE, tool_schema
    from halo_lib.policies.assets import qwen_tools_block, tiny_qwen3vl
    from halo_lib.policies.hf import HFPolicy
    from halo_lib.policies.vllm_client import VLLMPolicy

    prompt = build_prompt(observation(), "vision")
    system = prompt.messages[0]["content"][0]["text"]
    assert prompt.tools == tool_schema(COMPUTER_USE) and "<tools>" not in system
    _, processor = tiny_qwen3vl()
    messages, images = prompt.to_hf()
    trainer = processor.apply_chat_template(messages, tools=prompt.tools, tokenize=False, add_generation_prompt=True)
    assert trainer.startswith(f"<|im_start|>system\n{system}\n\n{qwen_tools_block(prompt.tools)}<|im_end|>\n"
                              "<|im_start|>user\n")
    assert trainer.count("# Tools") == 1 and json.dumps(prompt.tools[0], ensure_ascii=False) in trainer

    request = VLLMPolicy("http://127.0.0.1:9/v1", "policy", modality="vision").request(prompt, 2)
    assert request["tools"] == prompt.tools and request["tool_choice"] == "none"
    served = processor.apply_chat_template(request["messages"], tools=request["tools"], tokenize=False,
                                           add_generation_prompt=True)
    assert served == trainer
    # the tokens: the trainer's inputs (HFPolicy) are what the served text tokenizes to, tool block included
    ids = HFPolicy(*tiny_qwen3vl(), "vision").model_inputs(prompt)["input_ids"]
    assert ids[0].tolist() == processor(text=[served], images=images, return_tensors="pt")["input_ids"][0].tolist()

    # an OpenAI model gets the same block in its system message; text prompts list their actions, no tools
    inline = prompt.to_openai(inline_tools=True)[0]["content"]
    assert inline == f"{system}\n\n{qwen_tools_block(prompt.tools)}" and "# Tools" not in prompt.to_openai()[0]["content"]
    text = build_prompt(observation(), "text")
    assert text.tools == [] and "tools" not in VLLMPolicy("http://127.0.0.1:9/v1", "p").request(text, 1)
    assert "# Tools" not in text.to_openai(inline_tools=True)[0]["content"]
