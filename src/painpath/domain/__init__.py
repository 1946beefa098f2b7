"""The pure domain: the case format and the shared vocabularies. Imports nothing of painpath."""
