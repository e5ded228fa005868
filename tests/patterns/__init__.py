"""Pattern tests: does the model reproduce, from its mechanisms, the patterns the source
documents report? See README.md in this folder for the method and the list of patterns."""
