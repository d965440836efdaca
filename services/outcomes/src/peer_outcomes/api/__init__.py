"""The outcomes service's HTTP API: PAM results, programme reports, and how a report is rendered."""
