"""A FastStream subscriber template for regional NHS teams: durable pull consumers, at-least-once delivery
done right (ack after commit, back-off, parking), de-duplication on the CloudEvent id. See README.md."""
