"""`python -m loyalty_dev.bench`: every figure, with its target beside it."""

from __future__ import annotations

import sys

from loyalty_dev.bench.calls import main

if __name__ == "__main__":
    sys.exit(main())
