"""Benchmarks behind `samvad bench …`; each prints JSON."""
