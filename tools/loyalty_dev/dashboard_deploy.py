"""`make deploy`'s last step: publish the dashboard and the storefront panel to the stack's bucket
after `sam deploy`.

It uploads dashboard/ (under the key prefix dashboard/), the chart library from node_modules (under
dashboard/vendor/, as the local server serves it), a config.json made from the stack's outputs and
panel/ (under panel/, served with `Access-Control-Allow-Origin: *` by its CloudFront behaviour),
then invalidates the CloudFront distribution so the new files are served at once. The API is
reached through the same distribution (/admin/*), so config.json names no API host."""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from loyalty_dev.local.dashboard import VENDOR_FILES
from loyalty_dev.template import PROJECT_ROOT

PREFIX = "dashboard/"
PANEL_PREFIX = "panel/"
# Stores' pages load the panel on every visit: browsers may keep it five minutes.
PANEL_CACHE_CONTROL = "public, max-age=300"
_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".json": "application/json"}


def dashboard_files(root: Path = PROJECT_ROOT) -> Iterator[tuple[str, Path]]:
    """(key, file) for every file to publish; a missing vendored file is an error, not a gap."""
    folder = root / "dashboard"
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != "config.json":
            yield PREFIX + path.relative_to(folder).as_posix(), path
    for name, relative in VENDOR_FILES.items():
        vendored = root / relative
        if not vendored.is_file():
            raise SystemExit(f"{relative} is missing: run `make install` (npm ci) before deploying")
        yield f"{PREFIX}vendor/{name}", vendored


def panel_files(root: Path = PROJECT_ROOT) -> Iterator[tuple[str, Path]]:
    """(key, file) for every file of the storefront panel."""
    folder = root / "panel"
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield PANEL_PREFIX + path.relative_to(folder).as_posix(), path


def page_config(outputs: Mapping[str, str]) -> dict[str, Any]:
    """What the page reads from config.json: where to sign in (Cognito's managed login)."""
    return {
        "apiUrl": "",  # the distribution's own /admin/*
        "cognitoDomain": outputs["MerchantSignInDomain"],
        "clientId": outputs["MerchantDashboardClientId"],
        "redirectUri": outputs["DashboardUrl"],
    }


def content_type(path: Path) -> str:
    return _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def stack_outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    return {output["OutputKey"]: output["OutputValue"] for output in described.get("Outputs", [])}


def publish(stack: str, region: str | None = None, root: Path = PROJECT_ROOT) -> tuple[str, str]:
    """Upload everything; the dashboard's URL and the panel script's."""
    import boto3

    session = boto3.session.Session(region_name=region)
    outputs = stack_outputs(session.client("cloudformation"), stack)
    bucket = outputs["DashboardBucketName"]
    s3 = session.client("s3")
    for key, path in dashboard_files(root):
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=path.read_bytes(),
            ContentType=content_type(path),
            CacheControl="no-cache",
        )
    for key, path in panel_files(root):
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=path.read_bytes(),
            ContentType=content_type(path),
            CacheControl=PANEL_CACHE_CONTROL,
        )
    s3.put_object(
        Bucket=bucket,
        Key=PREFIX + "config.json",
        Body=json.dumps(page_config(outputs), indent=2).encode(),
        ContentType="application/json",
        CacheControl="no-cache",
    )
    session.client("cloudfront").create_invalidation(
        DistributionId=outputs["DashboardDistributionId"],
        InvalidationBatch={
            "Paths": {"Quantity": 2, "Items": [f"/{PREFIX}*", f"/{PANEL_PREFIX}*"]},
            "CallerReference": f"make-deploy-{time.time_ns()}",
        },
    )
    return outputs["DashboardUrl"], outputs["PanelScriptUrl"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loyalty_dev.dashboard_deploy", description=__doc__)
    parser.add_argument("--stack", default="loyalty-points", help="the stack's name (default: %(default)s)")
    parser.add_argument("--region", default=None, help="its region (default: your AWS configuration's)")
    args = parser.parse_args(argv)
    url, panel = publish(args.stack, args.region)
    print(f"dashboard published: {url}", file=sys.stderr)
    print(f"storefront panel published: {panel}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
