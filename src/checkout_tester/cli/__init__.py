"""The checkout-tester command line: the only place that parses arguments."""
