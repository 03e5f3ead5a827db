"""Benchmarks (`make bench`): figures with their physical limits measured in the same run."""
