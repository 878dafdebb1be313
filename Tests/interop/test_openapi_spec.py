"""docs/openapi.yaml is a valid OpenAPI document (openapi-spec-validator), and it keeps the
conventions the server follows everywhere: every error response is the RFC 6749 §5.2 body
with Cache-Control: no-store, every 401 carries a WWW-Authenticate challenge, and every
operation names its security (none, or the schemes it accepts).

Which routes it must list is OpenAPICoverageTests' job (Swift), against the real router."""

from __future__ import annotations

import pytest
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from herald_helpers import REPO

SPEC = REPO / "docs" / "openapi.yaml"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load(SPEC.read_text())


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def resolve(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        target = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def error_schema_refs(spec: dict, schema: dict) -> set[str]:
    """The component schemas an error body is built from (through allOf)."""
    refs = set()
    if "$ref" in schema:
        refs.add(schema["$ref"])
        refs |= error_schema_refs(spec, resolve(spec, schema))
    for part in schema.get("allOf", []):
        refs |= error_schema_refs(spec, part)
    return refs


def test_spec_is_valid_openapi():
    document, base_uri = read_from_filename(str(SPEC))
    assert document["openapi"].startswith("3.1"), document["openapi"]
    validate(document, base_uri=base_uri)


def test_operation_ids_are_unique_and_every_operation_declares_security(spec):
    seen = {}
    for path, method, operation in operations(spec):
        key = f"{method.upper()} {path}"
        op_id = operation.get("operationId")
        assert op_id, f"{key} has no operationId"
        assert op_id not in seen, f"{key} and {seen[op_id]} share operationId {op_id}"
        seen[op_id] = key
        assert "security" in operation, f"{key} does not say which security it takes"
        for requirement in operation["security"]:
            for scheme in requirement:
                assert scheme in spec["components"]["securitySchemes"], f"{key}: unknown scheme {scheme}"


def test_error_responses_are_oauth_errors_with_no_store(spec):
    for path, method, operation in operations(spec):
        key = f"{method.upper()} {path}"
        for status, response in operation["responses"].items():
            if not status.startswith(("4", "5")) or path == "/health/ready":
                continue
            response = resolve(spec, response)
            body = response["content"]["application/json"]["schema"]
            assert "#/components/schemas/OAuthError" in error_schema_refs(spec, body), \
                f"{key} {status}: the body is not an OAuthError"
            assert "Cache-Control" in response.get("headers", {}), f"{key} {status}: no Cache-Control header"
            if status == "401":
                assert "WWW-Authenticate" in response["headers"], f"{key} 401: no WWW-Authenticate header"
            if status == "429":
                assert "Retry-After" in response["headers"], f"{key} 429: no Retry-After header"


def test_authenticated_operations_declare_401_and_realm_operations_404(spec):
    for path, method, operation in operations(spec):
        key = f"{method.upper()} {path}"
        if any(operation["security"]) and {} not in operation["security"]:
            assert "401" in operation["responses"], f"{key} takes credentials but declares no 401"
        # An import creates the realm it names, so it has no unknown realm to refuse.
        if "{realm}" in path and key != "PUT /admin/realms/{realm}":
            assert "404" in operation["responses"], f"{key} names a realm but declares no 404"


def test_agent_trust_scheme_follows_the_x_agent_trust_registry_entry(spec):
    scheme = spec["components"]["securitySchemes"]["AgentTrust"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Agent-Signature")
    extension = scheme["x-agent-trust"]
    assert extension["algorithm"] == "ES256"
    assert extension["trustLevels"] == ["L0", "L1", "L2", "L3", "L4"]
    assert extension["issuerKeysUrl"] in spec["paths"], "issuerKeysUrl must be a path this API serves"
    # The registry entry: the header is declared by the scheme, never as an operation parameter.
    for path, method, operation in operations(spec):
        for parameter in operation.get("parameters", []) + spec["paths"][path].get("parameters", []):
            parameter = resolve(spec, parameter)
            assert parameter["name"].lower() != "agent-signature", f"{method.upper()} {path} declares Agent-Signature"
