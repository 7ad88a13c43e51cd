"""The local server: template.yaml served over HTTP and its streams consumed, without containers;
the functions run in worker processes (or in this process, for the tests)."""
