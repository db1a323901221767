"""The pytest plugin and its fixtures: the only place that imports pytest."""
