"""`peer-support demo`: a seeded cohort played through every service, ending with the commissioner's report.

`scenario` (with `people` and `support`) is the story as plain data; `feeds` renders referrals in each
NHS feed's format; `driver` and `actions` play the story against the running services; `report` waits for
the reports to catch up; `command` is the CLI command, run under `up`'s process supervision.
"""
