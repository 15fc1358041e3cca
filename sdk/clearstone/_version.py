"""The SDK's version; ``tests/sdk/test_version.py`` keeps it equal to ``pyproject.toml``."""

__version__ = "0.1.0"
