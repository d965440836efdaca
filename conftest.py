"""Every test folder shares the one test kit: infrastructure fixtures and the tier rule (see testkit/)."""

pytest_plugins = ["peer_testkit.plugin"]
