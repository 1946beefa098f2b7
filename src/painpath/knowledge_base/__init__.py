"""Loads and validates the data files under painpath/knowledge (procedures, drugs, citations)."""
