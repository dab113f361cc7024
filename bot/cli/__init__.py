"""Command-line entry points, one module per group of staff commands."""
