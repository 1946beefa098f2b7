"""Use cases: load records through the ports, build the case, own the transaction."""
