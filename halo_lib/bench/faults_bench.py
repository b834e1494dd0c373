"""``halo bench faults``: what a model, a user or a fault sends must end an episode, never a run, and lose no work.

Fuzzing: ``replies`` random replies (JSON tool calls, Python calls, numbers such as NaN, inf and 10**400, deep nesting,
unicode, truncations, openers repeated) through ``parse_action``; a crash is any exception other than
``ActionParseError``, or an action with an argument out of its range.

Scenarios, each on the real pieces (Chromium, the local sites, SmolLM2, the GRPO trainer):

- ``chromium killed at reset`` / ``mid-step`` / ``during evaluation``: SIGKILL to this run's Chromium processes just
  before an episode's reset, while the policy thinks, and as it answers (the verdict reads ``/finish``): the episode
  must end as ``error`` (or with a verdict) without an exception, and the next episode must run on a relaunched
  Chromium.
- ``site restarted mid-episode``: the site's server process is stopped and started while the policy thinks (its
  sessions are lost): no exception, and the next episode runs.
- ``trainer killed before / after its first checkpoint``: ``halo train`` (toy size) SIGKILLed once it has logged
  iteration 1 (checkpoints every 2 / every iteration), then resumed as its message says: every iteration is logged
  exactly once, none that was checkpointed is trained again (lost), none twice (duplicated).
- ``vllm server killed mid-iteration``: ``halo train`` sampling from its own vLLM server, the server SIGKILLed once
  iteration 1 is checkpointed: the run must stop by itself (no hang) with a one-line error and its checkpoint, and
  the resume (a new server) must log every iteration once.

Ends with one line::

    faults: <k>/<n> scenarios held, <i> trained iterations lost, <d> duplicated, <c> crashes from malformed replies in <r> fuzzed replies
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import yaml

from halo_lib.actions import contract_problem, parse_action
from halo_lib.config import EnvConfig, deep_merge
from halo_lib.env.environment import BrowserEnv, BrowserHost
from halo_lib.errors import ActionParseError, HaloError
from halo_lib.policies.base import Candidate
from halo_lib.policies.vllm_server import free_port
from halo_lib.recipe import CPU_PROMPT
from halo_lib.rl.checkpoint import latest_checkpoint
from halo_lib.rl.rewards import RewardConfig
from halo_lib.rl.rollout import rollout_episode
from halo_lib.sites.server import SitesInProcess
from halo_lib.tasks import resolve_tasks
# psutil is imported lazily, where Chromium processes are found and killed: importing this module stays light.

FUZZ_ACTIONS = ("computer_use", "left_click", "type", "key", "scroll", "wait", "answer", "terminate", "click", "fill",
                "select_option", "press", "goto", "go_back", "send_msg_to_user")
FUZZ_ARGS = ("action", "coordinate", "text", "keys", "pixels", "time", "status", "bid", "value", "options",
             "key_comb", "url", "delta_x", "delta_y")
_ODD_NUMBERS = ("NaN", "Infinity", "-Infinity", "1e999", "-1e999", "10**400", "9" * 400, "1e308", "-0.0", "1000.5",
                "0x1f", "1_000", "float('nan')")


@dataclass
class Scenario:
    name: str
    held: bool
    lost: int = 0
    """Iterations a checkpoint held that the run trained again after the fault."""
    duplicated: int = 0
    """Iterations logged more than once in the end."""
    detail: str = ""


@dataclass
class FaultsResult:
    scenarios: list[Scenario] = field(default_factory=list)
    replies: int = 0
    crashes: int = 0
    crash_examples: list[str] = field(default_factory=list)


def summary_line(r: FaultsResult) -> str:
    held = sum(s.held for s in r.scenarios)
    return (f"faults: {held}/{len(r.scenarios)} scenarios held, {sum(s.lost for s in r.scenarios)} trained iterations "
            f"lost, {sum(s.duplicated for s in r.scenarios)} duplicated, {r.crashes} crashes from malformed replies "
            f"in {r.replies} fuzzed replies")


# ----------------------------------------------------------------------------------------------------------------
# Fuzzing the parser
# ----------------------------------------------------------------------------------------------------------------
def _fuzz_value(rng: random.Random, depth: int = 0) -> str:
    kind = rng.randrange(9 if depth < 4 else 5)
    if kind == 0:
        return rng.choice(_ODD_NUMBERS)
    if kind == 1:
        return repr(rng.choice([rng.randint(-10**12, 10**12), rng.uniform(-1e9, 1e9), rng.randint(0, 1000)]))
    if kind == 2:
        return json.dumps("".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randrange(12))))
    if kind == 3:
        return rng.choice(["true", "false", "null", "None", "True", "[]", "{}", "()", "''"])
    if kind == 4:
        return json.dumps(rng.choice(FUZZ_ACTIONS))
    if kind in (5, 6):
        return "[" + ", ".join(_fuzz_value(rng, depth + 1) for _ in range(rng.randrange(4))) + "]"
    return "{" + ", ".join(f'"{rng.choice(FUZZ_ARGS)}": {_fuzz_value(rng, depth + 1)}'
                           for _ in range(rng.randrange(4))) + "}"


def fuzz_reply(rng: random.Random) -> str:
    """One random reply in the shapes models emit, with odd values and damage."""
    name = rng.choice(FUZZ_ACTIONS)
    args = ", ".join(f'"{rng.choice(FUZZ_ARGS)}": {_fuzz_value(rng)}' for _ in range(rng.randrange(4)))
    shape = rng.randrange(6)
    if shape == 0:
        text = f'<tool_call>{{"name": "computer_use", "arguments": {{"action": "{name}", {args}}}}}</tool_call>'
    elif shape == 1:
        text = f'{{"name": "{name}", "arguments": {{{args}}}}}'
    elif shape == 2:
        text = f"{name}(" + ", ".join(_fuzz_value(rng) for _ in range(rng.randrange(4))) + ")"
    elif shape == 3:
        text = f"{name}(" + ", ".join(f"{rng.choice(FUZZ_ARGS)}={_fuzz_value(rng)}" for _ in range(3)) + ")"
    elif shape == 4:
        text = rng.choice(["{", "[", "(", "click(", "computer_use(", "'", '"']) * rng.randrange(1, 3000)
    else:
        text = "".join(chr(rng.randrange(0, 0x10FFFF)) for _ in range(rng.randrange(60)))
        text = "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)  # no lone surrogates in str
    if rng.random() < 0.3:
        text = text[: rng.randrange(len(text) + 1)]
    if rng.random() < 0.2:
        text = f"I will now act.\n```json\n{text}\n```\nDone."
    return text


def fuzz_parser(replies: int, seed: int = 0) -> tuple[int, list[str]]:
    """(crashes, up to 5 examples) over ``replies`` fuzzed replies."""
    rng = random.Random(seed)
    crashes, examples = 0, []
    for _ in range(replies):
        text = fuzz_reply(rng)
        try:
            problem = contract_problem(parse_action(text))
        except ActionParseError:
            continue
        except Exception as err:  # noqa: BLE001 - what the bench counts
            problem = f"{type(err).__name__}: {err}"
        if problem:
            crashes += 1
            if len(examples) < 5:
                examples.append(f"{text[:120]!r} -> {problem[:160]}")
    return crashes, examples


# ----------------------------------------------------------------------------------------------------------------
# Browser and site faults
# ----------------------------------------------------------------------------------------------------------------
def descendants(pid: int, matches) -> list:
    """The live processes below ``pid`` for which ``matches(name, argv)`` holds (both lower-cased; psutil)."""
    import psutil

    found = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if matches(child.name().lower(), [a.lower() for a in child.cmdline()]):
                found.append(child)
        except psutil.Error:  # gone meanwhile
            continue
    return found


def kill_own_chromium() -> int:
    """SIGKILL every Chromium process this process started (through Playwright's driver): the number killed."""
    import psutil

    killed = 0
    for child in descendants(os.getpid(), lambda name, argv: "chrom" in name or "chrom" in "".join(argv[:1])):
        try:
            child.kill()
            killed += 1
        except psutil.Error:
            continue
    return killed


class _Answers:
    """A policy that replies ``reply`` (by default it answers at once); ``before`` runs (awaited) first, once."""

    name, modality = "faults", "text"

    def __init__(self, before=None, reply: str = "send_msg_to_user('done')"):
        self.before, self.reply = before, reply

    async def act(self, obs):
        before, self.before = self.before, None
        if before is not None:
            await before()
        return Candidate.from_text(self.reply, family="element")


async def _episode(env, task, policy):
    return await rollout_episode(env, task, policy, RewardConfig())


async def _browser_scenario(where: str, task) -> Scenario:
    name = f"chromium killed {where}"
    host = BrowserHost()
    env = BrowserEnv(host, EnvConfig(max_steps=3, use_screenshot=False, step_timeout_s=15, reset_timeout_s=20))

    async def kill():
        kill_own_chromium()
        await asyncio.sleep(0.3)  # the driver notices

    try:
        await _episode(env, task, _Answers())  # a healthy first episode: Chromium is up
        if where == "at reset":
            kill_own_chromium()
            faulted = await _episode(env, task, _Answers())
        elif where == "mid-step":  # the policy's click lands on a dead page
            faulted = await _episode(env, task, _Answers(before=kill, reply="click('1')"))
        else:  # during evaluation: the answer touches no page; its verdict reads /finish through the dead browser
            faulted = await _episode(env, task, _Answers(before=kill))
        after = await _episode(env, task, _Answers())
    except Exception as err:  # noqa: BLE001 - the scenario's failure
        return Scenario(name, False, detail=f"raised {type(err).__name__}: {str(err)[:160]}")
    finally:
        await env.close()
        await host.close()
    ok = faulted.status in ("error", "success", "failure", "max_steps") and after.status in ("success", "failure")
    return Scenario(name, ok, detail=f"faulted episode {faulted.status} ({(faulted.error or '')[:80]}); next "
                                     f"{after.status}; {host.launches} launches")


async def _site_scenario(task) -> Scenario:
    name = "site restarted mid-episode"
    sites = SitesInProcess([task.site]).__enter__()
    host = BrowserHost()
    env = BrowserEnv(host, EnvConfig(max_steps=3, use_screenshot=False, step_timeout_s=15, reset_timeout_s=20))

    async def restart():
        nonlocal sites
        await asyncio.to_thread(sites.__exit__, None, None, None)
        sites = await asyncio.to_thread(SitesInProcess([task.site]).__enter__)

    try:
        faulted = await _episode(env, task, _Answers(before=restart))
        after = await _episode(env, task, _Answers())
    except Exception as err:  # noqa: BLE001
        return Scenario(name, False, detail=f"raised {type(err).__name__}: {str(err)[:160]}")
    finally:
        await env.close()
        await host.close()
        sites.__exit__(None, None, None)
    ok = faulted.status in ("error", "failure", "success") and after.status in ("success", "failure")
    return Scenario(name, ok, detail=f"faulted episode {faulted.status} ({(faulted.error or '')[:80]}); next "
                                     f"{after.status}")


# ----------------------------------------------------------------------------------------------------------------
# The trainer killed and resumed
# ----------------------------------------------------------------------------------------------------------------
def _logged(run_dir: Path) -> list[int]:
    path = run_dir / "metrics.jsonl"
    if not path.is_file():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line)["iteration"])
        except (ValueError, KeyError):
            continue
    return out


def _checkpointed(run_dir: Path) -> int:
    latest = latest_checkpoint(run_dir)
    return int(latest.name.rsplit("-", 1)[-1]) if latest is not None else 0


def _train_command(work: Path, name: str, iterations: int, **fields) -> tuple[list[str], Path]:
    """A toy ``halo train`` (SmolLM2 with the CPU recipe's short prompts, one Omnizon task, groups of 2, one step) run
    in ``work/<name>``; ``fields`` are TrainConfig fields (a section's as a mapping) on top of the toy ones."""
    run_dir = work / name
    config = work / f"{name}.yaml"
    values = deep_merge({"policy": {"model": "smollm2", "lora_rank": 4, "lora_alpha": 8, "lora_dropout": 0.0},
                         "prompt": dataclasses.asdict(CPU_PROMPT), "env": {"max_steps": 1},
                         "grpo": {"max_completion_length": 8, "learning_rate": 1.0e-3, "group_size": 2}}, fields)
    config.write_text(yaml.safe_dump(values))
    cmd = [sys.executable, "-m", "halo_lib.cli", "train", "--config", str(config), "--tasks", "gen:omnizon:train:1",
           "--episodes", str(2 * iterations), "--run", str(run_dir.resolve())]
    return cmd, run_dir


def _wait_for(reached, proc: subprocess.Popen, deadline: float) -> bool:
    while not reached() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    return proc.poll() is None and reached()


def _resumed(name: str, cmd: list[str], run_dir: Path, saved: int, iterations: int, timeout_s: float,
             detail: str) -> Scenario:
    """Resume the run as its message says; every iteration must be logged once, none checkpointed trained again."""
    resumed = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, timeout=timeout_s)
    logged = _logged(run_dir)
    duplicated = len(logged) - len(set(logged))
    # a checkpointed iteration trained again would show as a missing checkpoint step or a re-logged line
    lost = max(0, saved - _checkpointed(run_dir)) + sum(logged.count(i) > 1 for i in range(1, saved + 1))
    ok = resumed.returncode == 0 and sorted(set(logged)) == list(range(1, iterations + 1)) and not duplicated
    tail = resumed.stderr.strip().splitlines()[-1][:120] if resumed.returncode and resumed.stderr.strip() else ""
    return Scenario(name, ok and not lost, lost=lost, duplicated=duplicated,
                    detail=f"{detail}; after resume logged {logged} (exit {resumed.returncode}"
                           f"{': ' + tail if tail else ''})")


def trainer_scenario(work: Path, checkpoint_interval: int, iterations: int = 3, timeout_s: float = 900) -> Scenario:
    """``halo train`` SIGKILLed once it logged iteration 1, then resumed; what the logs and checkpoints say."""
    when = "before" if checkpoint_interval > 1 else "after"
    name = f"trainer killed {when} its first checkpoint"
    cmd, run_dir = _train_command(work, f"train-{when}", iterations, grpo={"checkpoint_interval": checkpoint_interval})
    log = open(work / f"train-{when}.log", "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    # before: iteration 1 logged, its checkpoint due at 2; after: iteration 1's checkpoint written
    reached = (lambda: len(_logged(run_dir)) >= 1) if checkpoint_interval > 1 else (lambda: _checkpointed(run_dir) >= 1)
    if not _wait_for(reached, proc, time.time() + timeout_s):
        proc.kill()
        return Scenario(name, False, detail=f"halo train exited ({proc.wait()}) or timed out before it logged "
                                            f"iteration 1; log {log.name}")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    saved = _checkpointed(run_dir)
    return _resumed(name, cmd, run_dir, saved, iterations, timeout_s, f"killed with {saved} checkpointed")


def vllm_scenario(work: Path, iterations: int = 3, timeout_s: float = 900) -> Scenario:
    """``halo train`` sampling from its vLLM server (``policy_backend: vllm``): the server SIGKILLed once iteration
    1 is checkpointed (iteration 2 running). The run must stop by itself with a one-line error and its checkpoint;
    resumed (a new server), every iteration is logged once."""
    name = "vllm server killed mid-iteration"
    cmd, run_dir = _train_command(work, "train-vllm", iterations, policy_backend="vllm",
                                  grpo={"checkpoint_interval": 1},
                                  policy={"lora_rank": 8, "lora_alpha": 16})  # a rank vLLM serves
    log_path = work / "train-vllm.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + timeout_s
        if not _wait_for(lambda: _checkpointed(run_dir) >= 1, proc, deadline):
            proc.kill()
            return Scenario(name, False, detail=f"halo train exited ({proc.wait()}) or timed out before its first "
                                                f"checkpoint; log {log_path}")
        servers = descendants(proc.pid, lambda name, argv: "vllm" in name or any("vllm" in a for a in argv))
        for server in servers:
            server.kill()
        try:
            code = proc.wait(timeout=max(1.0, deadline - time.time()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            return Scenario(name, False, detail=f"halo train hung after its server was killed; log {log_path}")
    saved = _checkpointed(run_dir)
    last = next((line for line in reversed(log_path.read_text().splitlines()) if line.strip()), "")
    stopped = code != 0 and last.startswith("error:") and saved >= 1 and bool(servers)
    scenario = _resumed(name, cmd, run_dir, saved, iterations, timeout_s,
                        f"{len(servers)} server processes killed; halo train exit {code} with {saved} checkpointed "
                        f"({last[:100]})")
    scenario.held = scenario.held and stopped
    return scenario


# ----------------------------------------------------------------------------------------------------------------
def run_faults_bench(replies: int = 100_000, work: str | Path = "results/faults_bench", trainer: bool = True,
                     say=print) -> FaultsResult:
    """Fuzz the parser, then play every scenario on sites of its own (free ports); each scenario's line is said as
    it ends."""
    if replies < 0:
        raise HaloError(f"--replies must be >= 0, got {replies}")
    # its own sites (and the `halo train` children's), never a running job's; the variable is put back after
    with mock.patch.dict(os.environ, {"HALO_SITES_PORT_BASE": str(_free_port_base())}):
        return _run(replies, Path(work), trainer, say)


def _run(replies: int, work: Path, trainer: bool, say) -> FaultsResult:
    result = FaultsResult(replies=replies)
    t0 = time.perf_counter()
    result.crashes, result.crash_examples = fuzz_parser(replies)
    say(f"  parser: {result.crashes} crashes in {replies} fuzzed replies ({time.perf_counter() - t0:.1f} s)"
        + "".join(f"\n    {e}" for e in result.crash_examples))
    task = resolve_tasks("gen:gocalendar/delete:train:1", 0)[0]
    work = work / time.strftime("%Y%m%d-%H%M%S")
    work.mkdir(parents=True, exist_ok=True)

    def done(scenario: Scenario) -> None:
        result.scenarios.append(scenario)
        say(f"  {'held' if scenario.held else 'FAILED':<6} {scenario.name}: {scenario.detail}")

    with SitesInProcess([task.site]):
        for where in ("at reset", "mid-step", "during evaluation"):
            done(asyncio.run(_browser_scenario(where, task)))
    done(asyncio.run(_site_scenario(task)))
    if trainer:  # (each `halo train` serves the sites it needs itself)
        for interval in (2, 1):
            done(trainer_scenario(work, interval))
        done(vllm_scenario(work))
    return result


def _free_port_base() -> int:
    """A port base whose three site ports (base + 1..3) nothing listens on."""
    for _ in range(50):
        base = free_port() - 3
        try:
            for offset in (1, 2, 3):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
    raise HaloError("found no three free ports in a row for the bench's sites")
