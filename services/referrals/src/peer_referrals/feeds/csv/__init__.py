"""The CSV feed: a GP practice export imported in batches, bad rows listed in an error report."""
