"""The resources: one module per API tag, each with its sync class and its async twin."""
