"""The yearly rules of the model as pure functions over arrays (no state is mutated here)."""
