"""The benchmark: one module per figure, `python -m tests.benchmarks` prints them all (see
docs/benchmarks.md). Kept free of imports: the child programs run as `python -m` modules of this
package, and a cold start must not pay for anything here."""
