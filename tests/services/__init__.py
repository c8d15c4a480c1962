"""Real services for integration tests: the machine's PostgreSQL, Redis and RabbitMQ (skipped
with a reason when down, required under CI), and an S3 server these tests start themselves."""
