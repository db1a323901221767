"""What every stage shares: the exception tree, the failure-class table, secret redaction."""
