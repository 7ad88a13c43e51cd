"""One harness for the tests and the benchmark: the environment the functions get, the events of
the contract, a signed client, and stream records."""
