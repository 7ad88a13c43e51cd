"""The wire: API Gateway events in, JSON answers out. Resolver and error mapping, request and
response models, signatures, tokens, platform adapters and the back office's routes."""
