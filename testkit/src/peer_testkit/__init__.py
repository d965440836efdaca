"""The one test kit: infrastructure fixtures, a harness for any service, the platform, fakes."""
