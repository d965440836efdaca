"""The NHS feeds a referral arrives by: FHIR, HL7 v2 over MLLP, and CSV batch files."""
