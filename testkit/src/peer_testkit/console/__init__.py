"""The web console's test kit: the console alone or in front of the four services (`platform`), the
scenario steps its tests share (`steps`), and a real OpenID Connect provider (`oidc_provider`)."""
