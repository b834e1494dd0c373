"""Errors shown in one line: an exception with an empty message still says what it was (``str(err).splitlines()[0]``
on one raised IndexError where the recipe noted a vLLM server that could not start)."""

import contextlib

from halo_lib import recipe
from halo_lib.errors import first_line


def test_first_line_is_the_messages_first_line_cut_or_the_errors_type():
    assert first_line(ValueError("bad port\nTraceback...")) == "bad port"
    assert first_line(ValueError("x" * 500), limit=10) == "x" * 10
    assert first_line(RuntimeError()) == "RuntimeError"
    assert first_line(OSError("   \n")) == "OSError"


def test_a_vllm_server_failing_with_an_empty_message_is_noted_and_the_recipe_goes_on(monkeypatch):
    def fails(*args, **kwargs):
        raise RuntimeError()

    monkeypatch.setattr(recipe, "policy_server", fails)
    result, said = recipe.RecipeResult(), []
    with contextlib.ExitStack() as stack:
        assert recipe._serve(recipe.RecipeConfig(), result, said.append, stack) is None
    assert result.notes == ["vLLM unavailable (RuntimeError): evaluation and rollouts fell back to the in-process "
                            "backend"]
