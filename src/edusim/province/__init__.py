"""A province run: each city a shard on local processes or a Dask cluster, each shard's
tables written as it finishes, province-level metrics from the shards (docs/scale.md)."""

from edusim.province.aggregate import province_metrics
from edusim.province.run import ProvinceRun, run_province
from edusim.province.shards import shard_seed

__all__ = ["ProvinceRun", "province_metrics", "run_province", "shard_seed"]
