"""Synthetic monitoring: flows on a schedule, their history, metrics, alerts and a status page."""
