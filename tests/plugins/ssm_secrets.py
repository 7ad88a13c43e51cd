"""Secrets the AWS way, for the deployment tier's runs (`LOYALTY_SECRETS_FROM_SSM=1`).

No secret is put in the environment; the `service` fixture creates them as SecureString
parameters in moto's SSM at the names the template gives by default, and each function reads its
own through its `…_PARAMETER` variable, as it does on AWS.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

SSM_VARIABLE = "LOYALTY_SECRETS_FROM_SSM"
# The Wix app's public key is no secret, but it is read the same way (and by its own functions only).
SECRET_VARIABLES = (
    "LOYALTY_WEBHOOK_SECRET",
    "LOYALTY_CUSTOMER_TOKEN_SECRET",
    "LOYALTY_SHOPIFY_SECRET",
    "LOYALTY_WIX_PUBLIC_KEY",
)


def secrets_from_ssm() -> bool:
    return os.environ.get(SSM_VARIABLE) == "1"


def put_secrets(ssm: Any, environment: Mapping[str, str], values: Mapping[str, str]) -> None:
    """Each secret as a SecureString at the parameter its `…_PARAMETER` variable names."""
    for variable in SECRET_VARIABLES:
        ssm.put_parameter(
            Name=environment[f"{variable}_PARAMETER"], Value=values[variable], Type="SecureString"
        )
