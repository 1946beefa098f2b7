"""Synthetic cohorts: clinically coherent patient histories, generated from a seed, and their
fast loading into the store (``painpath demo --patients N``)."""
