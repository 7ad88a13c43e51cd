"""The database engines a local run or a test talks to: DynamoDB Local (the real engine), moto."""
