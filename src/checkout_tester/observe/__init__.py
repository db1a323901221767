"""What watches a run: detectors and findings, timings and budgets, accessibility, input judging."""
