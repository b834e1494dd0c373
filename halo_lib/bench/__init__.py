"""Benchmarks behind `halo bench ...`: each prints ratios measured side by side in one run."""
