"""`python -m edusim` is the same as the `edusim` command."""

import sys

from edusim.cli import main

sys.exit(main())
