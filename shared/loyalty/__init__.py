"""Loyalty points for online stores: the code every Lambda function of the service shares."""
