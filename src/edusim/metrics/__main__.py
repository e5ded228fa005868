"""`python -m edusim.metrics` prints docs/metrics.md; `--info` prints
src/edusim/metric_info.json (the registry's static copy)."""

import sys

from edusim.metrics import metric_info_json, metrics_markdown

sys.stdout.write(metric_info_json() if sys.argv[1:] == ["--info"] else metrics_markdown())
