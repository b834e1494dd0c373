"""One exception family. Every message says what to do next; the CLI prints it as one line."""


class HaloError(Exception):
    """Base class for every error HALO raises on purpose (bad input, missing asset, unreachable site)."""


class UnknownTaskError(HaloError, KeyError):
    """A task id that the registry does not know."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class SiteError(HaloError):
    """A local site that cannot start or answer (busy port, unknown site, bad request)."""
