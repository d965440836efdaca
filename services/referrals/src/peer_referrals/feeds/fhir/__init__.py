"""The FHIR R4 (UK Core) feed: reading referrals and answering with FHIR resources and OperationOutcomes."""
