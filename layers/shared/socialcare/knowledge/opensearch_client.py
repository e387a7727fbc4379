"""The opensearch-py client, signed with SigV4 for OpenSearch Service ("es") or OpenSearch
Serverless ("aoss") when the endpoint is https; plain for a local cluster (http://)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

TIMEOUT_S = 5


def opensearch_client(endpoint: str, service: str = "aoss", region: str = "us-east-1") -> Any:
    from opensearchpy import OpenSearch, RequestsHttpConnection

    url = urlparse(endpoint)
    secure = url.scheme == "https"
    auth = None
    if secure:
        import boto3
        from opensearchpy import AWSV4SignerAuth

        credentials = boto3.Session().get_credentials()
        auth = AWSV4SignerAuth(credentials, region, service)
    return OpenSearch(
        hosts=[{"host": url.hostname, "port": url.port or (443 if secure else 80)}],
        http_auth=auth,
        use_ssl=secure,
        verify_certs=secure,
        connection_class=RequestsHttpConnection,
        timeout=TIMEOUT_S,
        max_retries=2,
        retry_on_timeout=True,
    )
