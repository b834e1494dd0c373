"""HALO-Agent: a browser agent for AGI Inc's REAL benchmark, trained with online RL.

The flow lives in the sub-packages: ``tasks`` (what to do), ``sites`` (the local REAL-compatible
websites), ``env`` (the browser and evaluation). See the README for the map.
"""

from halo_lib.errors import HaloError

__all__ = ["HaloError"]
__version__ = "0.1.0"
