"""Validation: the model's patterns checked on any scenario over paired seeds.

`patterns.py` defines each pattern (what is measured, its source, its band); `check.py`
runs the arms they need through the experiment runner and writes `validation.md`.
"""
