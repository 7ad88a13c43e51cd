"""The environment a local run gives each function: the template's, the developer's overrides, dev secrets."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loyalty_dev.local.service_environment import service_environment
from loyalty_dev.local.wix_keys import DEV_PRIVATE_KEY_FILE, WIX_PUBLIC_KEY_VARIABLE, WixKeys, local_wix_keys
from loyalty_dev.template import Function, Template

WEBHOOK_SECRET_VARIABLE = "LOYALTY_WEBHOOK_SECRET"  # noqa: S105 - a variable name, not a secret
CUSTOMER_TOKEN_SECRET_VARIABLE = "LOYALTY_CUSTOMER_TOKEN_SECRET"  # noqa: S105 - a variable name

# Used only when the developer sets no secret of their own. Public on purpose (they are in the
# repository), at least 32 bytes each as the functions demand, and different from each other.
DEV_WEBHOOK_SECRET = "DEV-ONLY-webhook-secret--not-for-production--0001"  # noqa: S105 - public on purpose
DEV_CUSTOMER_TOKEN_SECRET = "DEV-ONLY-customer-token-secret--not-for-production"  # noqa: S105 - public on purpose

# Lambda's own limits when the template says nothing (AWS's defaults).
DEFAULT_TIMEOUT_SECONDS = 3
DEFAULT_MEMORY_MB = 128


@dataclass(frozen=True)
class LocalSecrets:
    """The secrets a local run uses, and whether each is a public development one.

    The webhook secret and the customer token key are what `send`, `token` and `events` sign with;
    `others` holds any further secret the template's functions read (a platform's app secret…):
    variable name → (value, is the development one).
    """

    webhook: str
    customer_token: str
    webhook_is_dev: bool
    customer_token_is_dev: bool
    others: tuple[tuple[str, str, bool], ...] = ()
    wix: WixKeys | None = None  # the Wix app's key pair (loyalty_dev.local.wix_keys), when asked for

    def entries(self) -> list[tuple[str, str, bool]]:
        return [
            (WEBHOOK_SECRET_VARIABLE, self.webhook, self.webhook_is_dev),
            (CUSTOMER_TOKEN_SECRET_VARIABLE, self.customer_token, self.customer_token_is_dev),
            *self.others,
        ]

    @property
    def environment(self) -> dict[str, str]:
        return {name: value for name, value, _ in self.entries()}

    def describe(self) -> list[str]:
        """Lines for the console: which secrets are in force, printed in full when they are the dev ones."""
        lines = []
        for name, value, is_dev in self.entries():
            if name == WIX_PUBLIC_KEY_VARIABLE:
                where = f"development key pair, {DEV_PRIVATE_KEY_FILE}" if is_dev else "from your environment"
                lines.append(f"  {name}=<PEM public key, {where}>")
            elif is_dev:
                lines.append(f"  {name}={value}   <- DEVELOPMENT secret (set {name} to use your own)")
            else:
                lines.append(f"  {name}=<from your environment, {len(value.encode())} bytes>")
        return lines


def secret_names(template: Template) -> list[str]:
    """Every secret (or key) the template's functions read from SSM: `X` for each `X_PARAMETER`
    named `*_SECRET` or `*_PUBLIC_KEY`."""
    names = {
        variable.removesuffix("_PARAMETER")
        for function in template.functions().values()
        for variable in function.environment
        if variable.endswith(("_SECRET_PARAMETER", "_PUBLIC_KEY_PARAMETER"))
    }
    return sorted(names)


def dev_secret(name: str) -> str:
    """The public development value of a secret (at least 32 bytes, different for each name)."""
    return f"DEV-ONLY-{name.lower().replace('_', '-')}--not-for-production"


def local_secrets(environ: Mapping[str, str] | None = None, names: Iterable[str] = ()) -> LocalSecrets:
    """The developer's secrets where set, else the clearly marked development ones.

    `names`: further secrets to supply (see `secret_names`); the two of the contract always are.
    """
    env = os.environ if environ is None else environ
    webhook = env.get(WEBHOOK_SECRET_VARIABLE) or ""
    token = env.get(CUSTOMER_TOKEN_SECRET_VARIABLE) or ""
    wanted = list(names)
    wix = local_wix_keys(env) if WIX_PUBLIC_KEY_VARIABLE in wanted else None
    others = tuple(
        (name, wix.public_pem, wix.is_dev)
        if name == WIX_PUBLIC_KEY_VARIABLE and wix is not None
        else (name, env.get(name) or dev_secret(name), not env.get(name))
        for name in wanted
        if name not in {WEBHOOK_SECRET_VARIABLE, CUSTOMER_TOKEN_SECRET_VARIABLE}
    )
    return LocalSecrets(
        webhook=webhook or DEV_WEBHOOK_SECRET,
        customer_token=token or DEV_CUSTOMER_TOKEN_SECRET,
        webhook_is_dev=not webhook,
        customer_token_is_dev=not token,
        others=others,
        wix=wix,
    )


def function_property(template: Template, function: str, name: str, default: Any) -> Any:
    """A function's property as CloudFormation sees it: its own, else the Globals' one, else `default`."""
    properties = template.resources[function].get("Properties", {})
    globals_ = template.document.get("Globals", {}).get("Function", {})
    return properties.get(name, globals_.get(name, default))


def layer_folders(template: Template) -> list[Path]:
    """The content folders of the template's layers (on a Lambda they are under /opt)."""
    return [
        template.root / str(resource["Properties"]["ContentUri"])
        for resource in template.resources.values()
        if resource.get("Type") == "AWS::Serverless::LayerVersion"
        and isinstance(resource.get("Properties", {}).get("ContentUri"), str)
    ]


def function_environment(
    template: Template,
    function: Function,
    *,
    environ: Mapping[str, str],
    secrets: LocalSecrets,
    database: Mapping[str, str],
    table_names: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """What `function`'s process sees: the harness's `service_environment` for this one function
    (the developer's environment under the template's variables, then the secrets and the way to
    reach the database), plus what the Lambda runtime sets itself (name, memory, task root).
    `table_names` renames tables for runs that must not share a database's tables, such as tests."""
    environment = service_environment(
        secrets.environment,
        functions=[function],
        template=template,
        environ=environ,
        table_names=table_names,
        extra=database,
    )
    # Function logs are the developer's console here: the EMF metrics blob that Powertools prints
    # after every invocation would drown them (set POWERTOOLS_METRICS_DISABLED=false to see it).
    environment.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    environment.setdefault("PYTHONWARNINGS", "ignore:No application metrics to publish:UserWarning")
    code_root = str(function.code_uri)
    environment.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(
                function_property(template, function.name, "MemorySize", DEFAULT_MEMORY_MB)
            ),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(
                function_property(template, function.name, "Timeout", DEFAULT_TIMEOUT_SECONDS)
            ),
            "LAMBDA_TASK_ROOT": code_root,
            # As on Lambda, the task root is where the handler's module is imported from.
            "PYTHONPATH": os.pathsep.join(filter(None, [code_root, environ.get("PYTHONPATH")])),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return environment


@contextmanager
def patched_environ(values: Mapping[str, str], unset: Iterable[str] = ()) -> Iterator[None]:
    """os.environ with `values` set and `unset` removed, restored afterwards (boto3 and the
    functions read their configuration from there)."""
    removed = tuple(unset)
    saved = {name: os.environ.get(name) for name in (*values, *removed)}
    for name in removed:
        os.environ.pop(name, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
