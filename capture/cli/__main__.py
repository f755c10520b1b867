"""`python -m capture.cli`: the same as the `capture` command."""

import sys

from capture.cli import main

sys.exit(main())
