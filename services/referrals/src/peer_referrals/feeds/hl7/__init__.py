"""The HL7 v2 feed: REF^I12 messages over MLLP, each answered with an acknowledgement."""
