"""vLLM plugins the project's servers load (this folder goes on the server's ``PYTHONPATH``; see ``vllm_server``)."""
