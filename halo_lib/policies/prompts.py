"""Prompts, built from the action module's single definition of each action.

A ``Prompt`` is backend-neutral: chat messages whose content is a list of text parts and image parts
(image bytes). Each backend turns it into its own wire format (OpenAI data URLs, HF processor inputs).
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, field

from halo_lib.actions import COMPUTER_USE, ELEMENT, actions_for, prompt_text, tool_schema
from halo_lib.config import config_dataclass
from halo_lib.errors import HaloError
from halo_lib.policies.assets import qwen_tools_block
# PIL is imported lazily, in the functions that use it: importing this module stays light.

HISTORY_STEPS = 8
"""How many past actions the prompt shows (older ones are summarised by a count)."""
AXTREE_CHARS = 12_000
"""The accessibility tree is cut after this many characters (small models have short contexts)."""

_INTERACTIVE = re.compile(r"^\s*\[[^\]]+\] (button|link|textbox|searchbox|combobox|checkbox|radio|option|menuitem|"
                          r"tab|switch|dialog|alertdialog|listbox|spinbutton|slider|row|gridcell|heading)\b")


@config_dataclass(frozen=True)
class PromptOptions:
    """How a prompt shows the page and the actions: the one definition the sampler, the trainer and BC share (the
    trainer re-scores exactly the prompt the sampler saw). Prefill cost grows with the prompt: small CPU policies
    want less."""

    compact_axtree: bool = False
    """Keep only interactive / clickable / structural elements of the tree (drops plain text runs)."""
    axtree_chars: int = AXTREE_CHARS
    """Cut the (compacted) tree after this many characters."""
    goal_lines: int = 0
    """Beyond the cut, keep up to this many more tree lines that name the goal's rarest words (the element a
    task is about is often far down a long page; small models cannot read the whole page)."""
    input_lines: int = 0
    """Beyond the cut, also keep up to this many form fields (selects, text boxes, spin buttons), first ones first:
    a product's Quantity select or a dialog's time field is rarely near the top, and no goal word names it."""
    actions: list[str] = field(default_factory=list)
    """Text policies: show only these element actions in the system prompt (empty: all of them). The parser still
    accepts all; a vision policy is always shown its whole computer-use family."""
    brief_actions: bool = False
    """One line per action in the system prompt instead of a documented block per action."""
    history_steps: int = HISTORY_STEPS
    """How many past actions the prompt lists."""
    max_image_width: int = 640
    """Vision prompts: the screenshot is downscaled ONCE, when the prompt is built, to at most this width (aspect
    kept; 1280 keeps a 1280x720 screenshot whole: 880 image tokens for Qwen3-VL, 220 at 640). Every backend (the
    vLLM sampler's data URL, the trainer's processor inputs) then sees the same pixels. 640 suits CPU runs; the
    H100 config sets 1280."""

    def __post_init__(self) -> None:
        for name in ("axtree_chars", "max_image_width"):
            if getattr(self, name) < 1:
                raise HaloError(f"PromptOptions.{name} must be >= 1, got {getattr(self, name)}")
        for name in ("goal_lines", "input_lines", "history_steps"):
            if getattr(self, name) < 0:
                raise HaloError(f"PromptOptions.{name} must be >= 0 (0: none), got {getattr(self, name)}")
        known = {d.name for d in actions_for(ELEMENT)}
        if set(self.actions) - known:
            raise HaloError(f"PromptOptions.actions has unknown actions {sorted(set(self.actions) - known)}; "
                            f"element actions: {sorted(known)}")


def prepare_screenshot(png: bytes, max_width: int) -> bytes:
    """The screenshot exactly as a vision policy must see it: an RGB PNG at most ``max_width`` pixels wide (aspect
    kept, bicubic). An RGB PNG that already fits is returned unchanged (no re-encoding); anything else is decoded,
    converted to RGB (alpha dropped, as ``Prompt.to_hf`` does), downscaled if wider, and encoded as PNG (lossless,
    so every decoder reads the same pixels)."""
    from PIL import Image

    if max_width < 1:
        raise ValueError(f"max_width must be a positive number of pixels (got {max_width})")
    with Image.open(io.BytesIO(png)) as image:
        if image.format == "PNG" and image.mode == "RGB" and image.width <= max_width:
            return png
        image = image.convert("RGB")
        if image.width > max_width:
            height = max(1, round(image.height * max_width / image.width))
            image = image.resize((max_width, height), Image.Resampling.BICUBIC)
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()


_FIELD = re.compile(r"^\s*\[[^\]]+\] (textbox|searchbox|combobox|spinbutton|listbox|slider)\b")
_NAMELESS = re.compile(r"^\s*\[[^\]]+\] (?!textbox|searchbox|combobox|spinbutton)[a-z]+\s*$")


def compact_axtree(tree: str) -> str:
    """The elements an action can address: interactive roles, anything marked clickable, dialogs, headings;
    without nameless ones (a text policy cannot tell them apart), except input fields."""
    return "\n".join(line for line in tree.splitlines()
                     if (_INTERACTIVE.match(line) or "clickable" in line) and not _NAMELESS.match(line))


_WORD = re.compile(r"[a-z0-9]+")
_SHORT = 3  # words this short (the, to, on, a...) say nothing about which element is meant


def goal_relevant_lines(lines: list[str], goal: str, k: int) -> list[int]:
    """Indices (in page order) of up to ``k`` lines that best match the goal: a line scores the sum of
    1 / (lines containing the word) over the goal words it names, so rare words (a subject, a product, an
    event title) count and common ones (July, button) hardly do."""
    wanted = {w for w in _WORD.findall(goal.lower()) if len(w) > _SHORT}
    words = [set(_WORD.findall(line.lower())) & wanted for line in lines]
    frequency = {w: sum(w in ws for ws in words) for w in wanted}
    scores = [sum(1 / frequency[w] for w in ws) for ws in words]
    best = sorted((i for i, sc in enumerate(scores) if sc > 0), key=lambda i: -scores[i])[:k]
    return sorted(best)


def cut_tree(tree: str, goal: str, options: PromptOptions) -> str:
    """The tree a text prompt shows: compacted if asked, cut at ``axtree_chars``, plus the goal's lines and the form
    fields beyond the cut (in page order)."""
    tree = compact_axtree(tree) if options.compact_axtree else tree
    if len(tree) <= options.axtree_chars:
        return tree
    head = tree[: options.axtree_chars].rsplit("\n", 1)[0]
    rest = tree[len(head):].strip("\n").splitlines()
    keep = set(goal_relevant_lines(rest, goal, options.goal_lines)) if options.goal_lines else set()
    keep |= set([i for i, line in enumerate(rest) if _FIELD.match(line)][: options.input_lines])
    extra = [rest[i] for i in sorted(keep)]
    if extra:
        return head + "\n... (lines that match the task; the rest is cut)\n" + "\n".join(extra)
    return head + "\n... (cut)"


SYSTEM = """You are a web agent. You operate a web browser to complete the user's task on one website.
Each turn you see the task, your previous actions (with their errors, if any) and the current page, \
and you reply with exactly ONE action. When the task is done, give the final answer with the \
{finish} action; if it cannot be done, say so with it.

{actions}"""


@dataclass
class Prompt:
    """Chat messages: ``{"role", "content": [{"type": "text", "text"} | {"type": "image", "image": bytes}]}``."""

    messages: list[dict]
    family: str

    @property
    def tools(self) -> list[dict]:
        """The function schemas a chat template renders into the system turn (the computer_use tool Qwen3-VL was
        trained to call); none for the element family, whose actions the system prompt lists."""
        return tool_schema(self.family) if self.family == COMPUTER_USE else []

    def images(self) -> list[bytes]:
        return [p["image"] for m in self.messages for p in m["content"] if p["type"] == "image"]

    def to_openai(self, inline_tools: bool = False) -> list[dict]:
        """OpenAI/vLLM chat format: images as base64 data URLs. vLLM takes ``tools`` beside the messages and renders
        them with the model's chat template; ``inline_tools`` writes that block into the system message instead
        (for models that are not given the tools otherwise)."""
        out = []
        for m in self.messages:
            parts = []
            for p in m["content"]:
                if p["type"] == "text":
                    parts.append({"type": "text", "text": p["text"]})
                else:
                    url = "data:image/png;base64," + base64.b64encode(p["image"]).decode()
                    parts.append({"type": "image_url", "image_url": {"url": url}})
            text_only = all(p["type"] == "text" for p in parts)
            out.append({"role": m["role"], "content": "".join(p["text"] for p in parts) if text_only else parts})
        if inline_tools and self.tools and out and out[0]["role"] == "system":
            out[0] = {"role": "system", "content": out[0]["content"] + "\n\n" + qwen_tools_block(self.tools)}
        return out

    def to_hf(self) -> tuple[list[dict], list]:
        """HF chat-template format (``{"type": "image"}`` placeholders) and the PIL images in order."""
        from PIL import Image

        messages, images = [], []
        for m in self.messages:
            parts = []
            for p in m["content"]:
                if p["type"] == "text":
                    parts.append({"type": "text", "text": p["text"]})
                else:
                    parts.append({"type": "image"})
                    images.append(Image.open(io.BytesIO(p["image"])).convert("RGB"))
            messages.append({"role": m["role"], "content": parts})
        return messages, images

    def to_plain(self) -> list[dict]:
        """Text-only chat messages (``content`` a string) for text models' chat templates."""
        return [{"role": m["role"], "content": "".join(p["text"] for p in m["content"] if p["type"] == "text")}
                for m in self.messages]


def family_for(modality: str) -> str:
    """Vision policies act with computer_use (coordinates); text policies with element ids."""
    return COMPUTER_USE if modality == "vision" else ELEMENT


def system_prompt(family: str, options: PromptOptions = PromptOptions()) -> str:
    if family == COMPUTER_USE:  # the tool's schema follows in the chat template's tool block (``Prompt.tools``)
        actions = prompt_text(family, (), options.brief_actions)  # ``options.actions`` names element actions
        finish = "`answer`"
    else:
        actions = prompt_text(family, options.actions, options.brief_actions)
        finish = "send_msg_to_user"
    return SYSTEM.format(actions=actions, finish=finish)


def history_text(history: list[tuple[str, str | None]], keep: int = HISTORY_STEPS) -> str:
    if not history:
        return "Previous actions: none yet."
    shown = history[-keep:]
    first = len(history) - len(shown) + 1
    lines = [f"Previous actions ({len(history) - len(shown)} earlier not shown):" if first > 1 else "Previous actions:"]
    for i, (action, error) in enumerate(shown, start=first):
        lines.append(f"{i}. {action}" + (f"  -> ERROR: {error}" if error else ""))
    return "\n".join(lines)


def build_prompt(obs, modality: str, extra_hint: str | None = None, options: PromptOptions = PromptOptions()) -> Prompt:
    """The prompt for one observation: system (actions from their definitions) + user (task, history, page)."""
    family = family_for(modality)
    head = [f"Task: {obs.goal}", f"Current URL: {obs.url}", f"Step: {obs.step + 1}",
            history_text(obs.history, options.history_steps)]
    if obs.last_action_error:
        head.append(f"Your last action failed: {obs.last_action_error}")
    for hint in (getattr(obs, "hint", None), extra_hint):
        if hint:
            head.append(hint)
    content: list[dict] = [{"type": "text", "text": "\n".join(head) + "\n\n"}]
    if modality == "vision":
        if obs.screenshot is None:
            raise ValueError("a vision policy needs observations with screenshots (EnvConfig.use_screenshot)")
        image = prepare_screenshot(obs.screenshot, options.max_image_width)  # the pixels every backend sends
        content += [{"type": "text", "text": "Current screenshot:\n"}, {"type": "image", "image": image},
                    {"type": "text", "text": "\nWhat is your next action?"}]
    else:
        if obs.axtree is None:
            raise ValueError("a text policy needs observations with the accessibility tree (EnvConfig.use_axtree)")
        tree = cut_tree(obs.axtree, obs.goal, options)
        content.append({"type": "text", "text": f"Accessibility tree of the page:\n{tree}\n\nWhat is your next action?"})
    messages = [{"role": "system", "content": [{"type": "text", "text": system_prompt(family, options)}]},
                {"role": "user", "content": content}]
    return Prompt(messages, family)
