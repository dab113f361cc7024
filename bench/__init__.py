"""Performance benchmark: our assistant beside the stock `rasa init` assistant.

`python -m bench` (what `make bench` runs) starts both stacks on loopback, one
after the other in the same run, drives the same visitor conversations through
each and prints one table with ours, stock and the ratio ours/stock. Ratios
from the same run hold on a noisy machine where absolute numbers do not.
docs/performance.md explains the figures and the tuning levers.
"""
