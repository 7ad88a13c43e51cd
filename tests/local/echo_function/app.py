"""A stand-in Lambda function for the local server's own tests: echoes its event, slowly on request."""

from __future__ import annotations

import json
import os
import time
from typing import Any


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = json.loads(event.get("body") or "{}")
    time.sleep(float(request.get("sleep", 0.02)))
    if request.get("raise"):
        raise RuntimeError("asked to fail")
    if request.get("malformed"):
        return {"no": "statusCode"}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "X-Echo": "1"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "body": json.dumps(
            {
                "pid": os.getpid(),
                "id": request.get("id"),
                "path_parameters": event.get("pathParameters"),
                "query": event.get("multiValueQueryStringParameters"),
                "is_base64": event.get("isBase64Encoded"),
                "body": event.get("body"),
                "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
                "marker": os.environ.get("ECHO_MARKER"),
                "authorizer": (event.get("requestContext") or {}).get("authorizer"),
            }
        ),
    }
