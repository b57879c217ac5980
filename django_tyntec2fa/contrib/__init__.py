"""Adapters for other libraries; each module imports only what its library needs."""
