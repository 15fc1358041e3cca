"""The SDK's overhead over plain httpx against a real local server (``python -m bench.sdk``)."""
