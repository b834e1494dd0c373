"""One exception family. Every message says what to do next; the CLI prints it as one line."""


def first_line(err: BaseException, limit: int = 200) -> str:
    """An error in one short line, for a log line or another error's message: its message's first line (at most
    ``limit`` characters), or its type's name when the message is empty."""
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0][:limit]


class HaloError(Exception):
    """Base class for every error HALO raises on purpose (bad input, missing asset, unreachable site)."""


class UnknownTaskError(HaloError, KeyError):
    """A task id that the registry does not know."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class SiteError(HaloError):
    """A local site that cannot start or answer (busy port, unknown site, bad request)."""


class ActionParseError(HaloError):
    """Model output that is not a valid action; the message says what was wrong and the expected form."""


class ActionExecutionError(HaloError):
    """A valid action that could not be carried out on the page (no such element, timeout, refused URL)."""
