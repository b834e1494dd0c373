"""VLLMSync: its adapter folders (every sync a new version after the newest one there, and only older ones pruned:
the server reads the folder it was told to load, later, so that one must stay), and its servers (every version
loaded and verified on each, the episodes spread over them), against in-thread stand-ins for vLLM's endpoints."""

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from halo_lib.errors import HaloError
from halo_lib.policies.prompts import Prompt
from halo_lib.policies.vllm_client import VLLMPolicy, VLLMSpread
from halo_lib.recipe import RecipeConfig, RunningServer, rollout_servers
from halo_lib.rl import sync as sync_module
from halo_lib.rl.config import RolloutConfig
from halo_lib.rl.sync import VLLMSync


class SavesWeights:
    def __init__(self):
        self.saves = 0

    def save_pretrained(self, folder):
        self.saves += 1
        (folder / "adapter_config.json").write_text(f'{{"save": {self.saves}}}')


def test_a_resumed_runs_sync_goes_on_after_the_stopped_runs_versions_and_keeps_what_it_loads(tmp_path, monkeypatch):
    loaded = []
    monkeypatch.setattr(sync_module, "load_adapter", lambda url, name, path, replace: loaded.append((path, replace)))
    monkeypatch.setattr(sync_module, "list_models", lambda url: ["halo-grpo"])
    live = tmp_path / "live_adapter"
    for v in (10, 11):  # what a stopped run left
        (live / f"v{v:06d}").mkdir(parents=True)
    model = SavesWeights()
    resumed = VLLMSync("http://127.0.0.1:1/v1", "text")
    first = resumed.sync(model, tmp_path)
    second = resumed.sync(model, tmp_path)
    assert (first.name, second.name) == ("v000012", "v000013")
    assert [(p.name, r) for p, r in loaded] == [("v000012", False), ("v000013", True)]
    assert sorted(p.name for p in live.iterdir()) == ["v000012", "v000013"]  # the loaded ones stay, older ones go
    assert (second / "adapter_config.json").read_text() == '{"save": 2}'


def test_a_fresh_sync_starts_at_version_zero(tmp_path, monkeypatch):
    monkeypatch.setattr(sync_module, "load_adapter", lambda *a, **k: None)
    monkeypatch.setattr(sync_module, "list_models", lambda url: ["halo-grpo"])
    assert VLLMSync("http://127.0.0.1:1/v1", "text").sync(SavesWeights(), tmp_path).name == "v000000"


class FakeVLLM:
    """vLLM's /v1/models, runtime-LoRA and chat endpoints on 127.0.0.1 (a free port, in a thread): it records what
    it was asked; ``unlisted`` names adapters it accepts but never lists (a load that did not take)."""

    def __init__(self, base: str = "smollm2", unlisted: tuple[str, ...] = ()):
        self.models, self.unlisted = [base], unlisted
        self.loads: list[tuple[str, str, bool]] = []
        self.unloads: list[str] = []
        self.chats: list[str] = []

    def __enter__(self) -> "FakeVLLM":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, code: int, body) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self.answer(200, {"object": "list", "data": [{"id": m, "object": "model", "created": 0,
                                                              "owned_by": "vllm"} for m in fake.models]})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path == "/v1/load_lora_adapter":
                    name = body["lora_name"]
                    fake.loads.append((name, body["lora_path"], bool(body.get("load_inplace"))))
                    if name not in fake.models and name not in fake.unlisted:
                        fake.models.append(name)
                    return self.answer(200, "ok")
                if self.path == "/v1/unload_lora_adapter":
                    fake.unloads.append(body["lora_name"])
                    fake.models.remove(body["lora_name"])
                    return self.answer(200, "ok")
                fake.chats.append(body["model"])
                content = [{"token": "token_id:7", "logprob": -0.5, "bytes": None, "top_logprobs": []}]
                self.answer(200, {"id": "c", "object": "chat.completion", "created": 0, "model": body["model"],
                                  "choices": [{"index": i, "finish_reason": "stop", "logprobs": {"content": content},
                                               "message": {"role": "assistant", "content": "noop()"}}
                                              for i in range(body.get("n", 1))],
                                  "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_every_version_is_loaded_listed_and_unloaded_on_every_server(tmp_path):
    with FakeVLLM() as a, FakeVLLM() as b:
        sync = VLLMSync.for_rollouts([a.url, b.url], "text", temperature=1.0, max_tokens=8, prompt=None)
        sync.serve_versions(2)
        folders = [sync.sync(SavesWeights(), tmp_path, version=v) for v in range(3)]
        for server in (a, b):
            assert [(name, path) for name, path, _ in server.loads] == [
                (f"halo-grpo-v{v}", str(folders[v].resolve())) for v in range(3)]
            assert server.unloads == ["halo-grpo-v0"]  # bound 1: versions 1 and 2 stay for groups still playing
            assert server.models == ["smollm2", "halo-grpo-v1", "halo-grpo-v2"]


def test_rollout_episodes_are_spread_over_the_servers_and_stay_on_theirs(tmp_path):
    with FakeVLLM() as a, FakeVLLM() as b:
        sync = VLLMSync.for_rollouts([a.url, b.url], "text", temperature=1.0, max_tokens=8, prompt=None)
        sync.serve_versions(2)
        sync.sync(SavesWeights(), tmp_path, version=0)
        sync.sync(SavesWeights(), tmp_path, version=1)
        policy = sync.policy_at(0)
        assert isinstance(policy, VLLMSpread)
        prompt = Prompt([{"role": "user", "content": [{"type": "text", "text": "hi"}]}], "element")

        async def group_of_four():  # each episode asks twice (two steps), as rollouts do
            views = [policy.for_episode(i) for i in range(4)]
            return [c for view in views * 2 for c in await view.sample_prompt(prompt, 1)]

        candidates = asyncio.run(group_of_four())
        assert a.chats == b.chats == ["halo-grpo-v0"] * 4  # the version asked for, half the episodes on each
        assert [c.token_ids for c in candidates] == [[7]] * 8
        for _ in range(2):  # outside an episode: the servers in turn
            asyncio.run(policy.sample_prompt(prompt, 1))
        assert (len(a.chats), len(b.chats)) == (5, 5)
    one = VLLMSync.for_rollouts(a.url, "text", temperature=1.0, max_tokens=8, prompt=None)
    assert isinstance(one.policy_at(None), VLLMPolicy) and one.base_urls == [a.url]


def test_a_server_that_does_not_list_the_loaded_adapter_stops_the_sync_and_is_named(tmp_path):
    with FakeVLLM() as a, FakeVLLM(unlisted=("halo-grpo",)) as b:
        sync = VLLMSync.for_rollouts([a.url, b.url], "text", temperature=1.0, max_tokens=8, prompt=None)
        with pytest.raises(HaloError, match=rf"vLLM server at {b.url} does not list adapter halo-grpo"):
            sync.sync(SavesWeights(), tmp_path)
    with pytest.raises(HaloError, match="name one server twice"):
        VLLMSync([a.url, a.url], "text")


def test_the_recipe_takes_only_servers_of_its_own_model_each_once():
    with FakeVLLM() as run, FakeVLLM() as same, FakeVLLM(base="qwen3vl-8b") as other:
        cfg = RecipeConfig(rollout=RolloutConfig(servers=[same.url]))
        said = []
        assert rollout_servers(RunningServer(run.url), cfg, said.append) == [run.url, same.url]
        assert said == [f"  rollouts spread over 2 vLLM servers: {run.url}, {same.url}"]
        with pytest.raises(HaloError, match=rf"{other.url} serves 'qwen3vl-8b', the run's serves 'smollm2': start "
                                            r"it on the run's model \(halo vllm-serve --model smollm2"):
            rollout_servers(RunningServer(run.url), RecipeConfig(rollout=RolloutConfig(servers=[other.url])), print)
        twice = rollout_servers(RunningServer(run.url), RecipeConfig(rollout=RolloutConfig(servers=[run.url])), print)
        with pytest.raises(HaloError, match="name one server twice"):  # refused where the sampler is built
            VLLMSync.for_rollouts(twice, "text", temperature=1.0, max_tokens=8, prompt=None)
    with pytest.raises(HaloError, match="set use_vllm: true"):
        RecipeConfig(use_vllm=False, rollout=RolloutConfig(servers=["http://127.0.0.1:8001/v1"]))
