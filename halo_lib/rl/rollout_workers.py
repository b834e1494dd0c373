"""Where GRPO's groups are played: in the trainer's process, or by rollout workers on Ray.

- ``LocalRollouts``: one browser in the trainer's process (``EnvPool``), a group on each free slot of ``group_size``
  contexts: the synchronous loop of one machine.
- ``RayRollouts``: ``RolloutWorker`` Ray actors, each owning a browser, its contexts and (on its node) the local
  sites, alive for the whole run and restarted by Ray if they die. They sample from the run's vLLM server(s) with the
  adapter version each group was given, so the trainer can update while they play (``GRPOConfig.max_staleness``).

Both give the loop (``halo_lib.rl.trainer._loop``) the same two things: ``slots`` (groups that can be in flight) and
``await play(start, version)`` (a group's episodes, or ``GroupLost`` when its worker died with it in flight: such a
group is dropped, never trained half-finished).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Callable

from halo_lib.config import EnvConfig
from halo_lib.env.pool import EnvPool
from halo_lib.errors import HaloError, first_line
from halo_lib.rl.rewards import RewardConfig
from halo_lib.rl.rollout import EpisodeRollout, Start, collect_group
# ray is imported lazily (RayRollouts, RolloutWorker's use): importing this module stays light.

log = logging.getLogger(__name__)

#: Most browser contexts one process plays at once (one Chromium).
MAX_CONTEXTS = 16


class GroupLost(HaloError):
    """A rollout worker died (its browser crashed, its node was lost) with this group in flight."""


class LocalRollouts:
    """Groups played in this process: one browser, ``slots`` groups at once, each on its own ``group_size``
    contexts. ``policy_at(version)`` is the rollout policy of an adapter version."""

    def __init__(self, env_config: EnvConfig, rewards: RewardConfig, group_size: int, slots: int,
                 policy_at: Callable[[int], object]):
        self.env_config, self.rewards, self.group_size, self.slots = env_config, rewards, group_size, slots
        self.policy_at = policy_at
        self.pool: EnvPool | None = None
        self._free: asyncio.Queue[int] = asyncio.Queue()

    async def __aenter__(self) -> "LocalRollouts":
        self.pool = await EnvPool(self.slots * self.group_size, self.env_config).__aenter__()
        for slot in range(self.slots):
            self._free.put_nowait(slot)
        return self

    async def __aexit__(self, *exc) -> None:
        if self.pool is not None:
            await self.pool.__aexit__(*exc)

    @property
    def where(self) -> list[str]:
        return ["local"]

    async def play(self, start: Start, version: int) -> list[EpisodeRollout]:
        slot = await self._free.get()
        try:
            return await collect_group(self.pool, start, self.policy_at(version), self.group_size, self.rewards,
                                       first_env=slot * self.group_size)
        finally:
            self._free.put_nowait(slot)


class RolloutWorker:
    """A Ray actor (``ray.remote(RolloutWorker)``): a browser with ``contexts`` contexts, the sites the run's tasks
    need (started in this process when none answer on this node), and the run's sampler (``VLLMSync``), which
    names the adapter of every version. Its browser starts with the first group, so a restarted worker starts
    clean."""

    def __init__(self, env_config: EnvConfig, rewards: RewardConfig, group_size: int, contexts: int, sampler,
                 sites: list[str]):
        if contexts < group_size:
            raise HaloError(f"a rollout worker with {contexts} contexts cannot play a group of {group_size}: set "
                            f"rollout.contexts_per_worker >= grpo.group_size")
        self.env_config, self.rewards, self.group_size, self.sampler = env_config, rewards, group_size, sampler
        self.contexts, self.sites = contexts, sites
        self.local: LocalRollouts | None = None
        self._sites = None
        self._starting = asyncio.Lock()
        self._playing = 0

    async def _ready(self) -> LocalRollouts:
        async with self._starting:
            if self.local is None:
                self._serve_sites()
                local = LocalRollouts(self.env_config, self.rewards, self.group_size,
                                      self.contexts // self.group_size, self.sampler.policy_at)
                self.local = await local.__aenter__()
        return self.local

    def _serve_sites(self) -> None:
        """The run's sites on this node: reused if they answer (another worker or the driver started them)."""
        from halo_lib.errors import SiteError
        from halo_lib.sites.server import SitesInThread, _answers
        from halo_lib.ports import site_port

        try:
            self._sites = SitesInThread(self.sites).__enter__()
        except SiteError:  # another worker of this node bound the ports first
            missing = [s for s in self.sites if not _answers(site_port(s))]
            if missing:
                raise

    def node(self) -> str:
        import ray

        return ray.get_runtime_context().get_node_id()

    def playing(self) -> int:
        """Groups this worker is playing now."""
        return self._playing

    async def play(self, start: Start, version: int) -> list[EpisodeRollout]:
        self._playing += 1
        try:
            return await (await self._ready()).play(start, version)
        finally:
            self._playing -= 1


class RayRollouts:
    """``workers`` ``RolloutWorker`` actors spread over the Ray cluster (``ray_address``; '' starts Ray in this
    process, bound to 127.0.0.1). A group goes to the worker with the fewest in flight; a worker that dies is
    restarted by Ray and its groups in flight raise ``GroupLost``."""

    def __init__(self, workers: int, contexts: int, ray_address: str, env_config: EnvConfig, rewards: RewardConfig,
                 group_size: int, sampler, sites: list[str], start_timeout_s: float = 120.0):
        self.n, self.contexts, self.address = workers, contexts, ray_address
        self.args = (env_config, rewards, group_size, contexts, sampler, sites)
        self.slots = workers * (contexts // group_size)
        self.start_timeout_s = start_timeout_s
        self.actors: list = []
        self.names: list[str] = []  # the workers' Ray actor names (``ray.get_actor``)
        self.inflight: list[int] = []
        self.nodes: list[str] = []
        self.restarting: set[int] = set()  # workers that died, until they answer again
        self._watches: set[asyncio.Future] = set()
        self._started_ray = False

    async def __aenter__(self) -> "RayRollouts":
        import ray

        from halo_lib.ports import port_base

        if not ray.is_initialized():
            if self.address:
                ray.init(address=self.address, log_to_driver=False)
            else:  # one machine: a private Ray on the loopback interface
                ray.init(include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
            self._started_ray = True
        worker = ray.remote(RolloutWorker)
        options = dict(num_cpus=1, max_restarts=-1, max_task_retries=0, max_concurrency=1000,
                       scheduling_strategy="SPREAD",
                       runtime_env={"env_vars": {"HALO_SITES_PORT_BASE": str(port_base())}})
        run = uuid.uuid4().hex[:8]
        self.names = [f"halo-rollout-{run}-{i}" for i in range(self.n)]
        try:
            self.actors = [worker.options(name=name, **options).remote(*self.args) for name in self.names]
            self.inflight = [0] * self.n
            self.nodes = await asyncio.wait_for(asyncio.gather(*(a.node.remote() for a in self.actors)),
                                                self.start_timeout_s)
        except asyncio.TimeoutError:
            cpus = ray.cluster_resources().get("CPU", 0)
            await self.__aexit__(None, None, None)
            raise HaloError(f"Ray placed fewer than {self.n} rollout workers within {self.start_timeout_s:g} s (each "
                            f"takes one CPU; the cluster has {cpus:g}): lower rollout.workers or add nodes") from None
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        log.info("%d rollout workers on %d nodes", self.n, len(set(self.nodes)))
        return self

    async def __aexit__(self, *exc) -> None:
        import ray

        for watch in list(self._watches):
            watch.cancel()
        for a in self.actors:
            ray.kill(a, no_restart=True)
        self.actors = []
        if self._started_ray:
            ray.shutdown()

    @property
    def where(self) -> list[str]:
        """The node of each worker (as placed at the start)."""
        return list(self.nodes)

    async def play(self, start: Start, version: int) -> list[EpisodeRollout]:
        from ray.exceptions import RayActorError

        i = await self._pick()
        self.inflight[i] += 1
        try:
            return await self.actors[i].play.remote(start, version)
        except RayActorError as err:  # died, or restarting: the group is lost either way
            self._down(i)
            raise GroupLost(f"rollout worker {i} died with the group of {start.label} in flight: "
                            f"{first_line(err)}") from err
        finally:
            self.inflight[i] -= 1

    async def _pick(self) -> int:
        """The live worker with the fewest groups in flight (waits while every worker is restarting)."""
        while True:
            live = [k for k in range(self.n) if k not in self.restarting]
            if live:
                return min(live, key=lambda k: self.inflight[k])
            await asyncio.sleep(0.2)

    def _down(self, i: int) -> None:
        """Worker ``i`` is dead or restarting: give it no group until it answers again (Ray restarts it)."""
        from ray.exceptions import RayActorError

        if i in self.restarting:
            return
        self.restarting.add(i)

        async def back() -> None:
            while True:
                try:
                    self.nodes[i] = await self.actors[i].node.remote()
                    break
                except RayActorError:
                    await asyncio.sleep(0.2)
            self.restarting.discard(i)
            log.info("rollout worker %d is back", i)

        watch = asyncio.ensure_future(back())
        self._watches.add(watch)
        watch.add_done_callback(self._watches.discard)
