"""The agent around a policy: the step loop, recovery, the verified action cache, macros and trajectories."""

from halo_lib.agent.axtree import AxNode, ElementNotFound, find, parse_axtree, state_signature
from halo_lib.agent.cache import CachedPlan, VerifiedActionCache
from halo_lib.agent.forms import choose_option, fill_field, fill_form, find_field
from halo_lib.agent.grounding import GroundedAction, ground, reground
from halo_lib.agent.loop import (Agent, AgentEpisode, AgentEpisodeResult, Decision, PolicyError,
                                 run_agent_episode, run_agent_episodes, with_hint)
from halo_lib.agent.macros import MACROS, Macro, MacroRun, add_to_cart, compose_email, macro_prompt_text, \
    parse_macro_call, search
from halo_lib.agent.recovery import (Intervention, LoopDetector, Obstruction, Recovery, RecoveryConfig,
                                     close_action, fallback_actions, find_obstructions)
from halo_lib.agent.trajectory import TrajectoryWriter, load_episodes, load_trajectories

__all__ = ["MACROS", "Agent", "AgentEpisode", "AgentEpisodeResult", "AxNode", "CachedPlan", "Decision",
           "ElementNotFound", "GroundedAction", "Intervention", "LoopDetector", "Macro",
           "MacroRun", "Obstruction", "PolicyError", "Recovery", "RecoveryConfig", "TrajectoryWriter",
           "VerifiedActionCache", "add_to_cart", "choose_option", "close_action", "compose_email",
           "fallback_actions", "fill_field", "fill_form", "find", "find_field", "find_obstructions", "ground",
           "load_episodes", "load_trajectories", "macro_prompt_text", "parse_axtree", "parse_macro_call",
           "reground", "run_agent_episode", "run_agent_episodes", "search", "state_signature", "with_hint"]
