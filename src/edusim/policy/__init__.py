"""Policy rules: how places are allocated, how posts are staffed. Pure functions."""
