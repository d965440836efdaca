"""The console's own rules: accounts, sign-in lockout, and what each role may open."""
