"""Benchmarks and the deterministic case generator they share with the equivalence tests."""
