"""The pure domain: provenance records, reference data and the assessment engine.

Nothing here imports web or database code.
"""
