"""`python -m edusim.metrics` prints docs/metrics.md."""

import sys

from edusim.metrics import metrics_markdown

sys.stdout.write(metrics_markdown())
