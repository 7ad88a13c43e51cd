"""The one environment builder: what template.yaml gives the functions, with local secrets instead
of SSM, for the tests (moto and DynamoDB Local), the benchmark and the local server alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from loyalty_dev.template import Function, Template, load_template

REGION = "us-east-1"
# Only the local engine may answer: no real endpoint or AWS profile may leak into a local run.
REAL_AWS_VARIABLES = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE", "AWS_CONFIG_FILE")


def dummy_aws(credentials: str = "testing", region: str = REGION) -> dict[str, str]:
    """Credentials and region a local engine accepts (it checks neither)."""
    return {
        "AWS_ACCESS_KEY_ID": credentials,
        "AWS_SECRET_ACCESS_KEY": credentials,
        "AWS_SESSION_TOKEN": credentials,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
    }


def service_environment(
    secrets: Mapping[str, str],
    *,
    functions: Iterable[Function] | None = None,
    template: Template | None = None,
    environ: Mapping[str, str] | None = None,
    table_names: Mapping[str, str] | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """What a function's process sees, in increasing order of precedence:

    1. `environ` (the developer's environment: PATH, HOME, a proxy, AWS_PROFILE…);
    2. the variables the template gives `functions` (default: every function) — but a variable
       `environ` sets keeps its value (as `sam local` does), so `POINTS_PER_CURRENCY_UNIT=2 make dev`
       works; a variable naming one of the template's tables is renamed by `table_names`;
    3. `secrets` (variable -> value), then `extra` (credentials, the database endpoint…).
    """
    template = template or load_template()
    chosen = list(template.functions().values()) if functions is None else list(functions)
    given = dict(environ or {})
    renamed = dict(table_names or {})
    environment = dict(given)
    for function in chosen:
        for name, value in function.environment.items():
            if name in given:
                continue
            environment[name] = renamed.get(value, value) if value in template.tables() else value
    environment.update(secrets)
    environment.update(extra or {})
    return environment
