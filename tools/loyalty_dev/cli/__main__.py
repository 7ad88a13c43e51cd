"""`python -m loyalty_dev.cli`: the `loyalty` command."""

import sys

from loyalty_dev.cli import main

sys.exit(main())
