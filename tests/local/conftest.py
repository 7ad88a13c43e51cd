"""The local runner's tests use the session's local server (tests/plugins/local_server.py, shared
with the browser suite); its helpers stay importable from here."""

from tests.plugins.local_server import TEST_SECRETS, clean_environ

__all__ = ["TEST_SECRETS", "clean_environ"]
