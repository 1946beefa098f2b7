"""Interoperability: reading clinical data that other systems write (FHIR R4 Bundles)."""
