"""`peer-support demo`: seeded cohorts played through every service, ending with the commissioner's report.

`scenario` (with `steps`, `people` and `support`) is the one-to-one story as plain data, and
`group_scenario` (with `group_support`) the long Covid groups' story alongside it; `feeds` and
`fhir_documents` render referrals in each NHS feed's format; `driver`, `actions` and `group_actions` play
the story against the running services; `report` (with `group_headline`) waits for the reports to catch
up and gives each programme's figures; `command` is the CLI command, run under `up`'s process supervision.
"""
