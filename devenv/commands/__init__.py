"""One module per command: each takes parsed arguments and returns an exit code."""
