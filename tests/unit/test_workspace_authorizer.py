"""The local JWT authorizer refuses what API Gateway's Cognito authorizer refuses."""

from __future__ import annotations

import base64
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from samvad_dev.local.authorizer import JwtAuthorizer, Refused, as_http_api_claims

POOL, CLIENT = "ap-south-1_pool", "client-1"
ISSUER = f"https://cognito-idp.ap-south-1.amazonaws.com/{POOL}"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER = RSAKey.generate_key(2048, parameters={"kid": "k1"})


@pytest.fixture
def authorizer(monkeypatch):
    checker = JwtAuthorizer("http://unused", POOL, CLIENT)
    keys = KeySet.import_key_set({"keys": [KEY.as_dict(private=False)]})
    monkeypatch.setattr(checker, "_key_set", lambda: keys)
    return checker


def claims(**changes):
    base = {
        "iss": ISSUER,
        "aud": CLIENT,
        "exp": int(time.time()) + 600,
        "token_use": "id",
        "cognito:groups": ["collector"],
        "custom:official_id": "collector-khordha",
        "custom:district": "Khordha",
    }
    return {**base, **changes}


def token(payload, key=KEY, alg="RS256"):
    return jwt.encode({"alg": alg, "kid": "k1"}, payload, key)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_valid_token_gives_its_claims(authorizer):
    found = authorizer.claims("Bearer " + token(claims()))
    assert found["custom:district"] == "Khordha"
    assert as_http_api_claims(found)["cognito:groups"] == "[collector]"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer " + token(claims(exp=int(time.time()) - 10)),
        "Bearer " + token(claims(aud="another-client")),
        "Bearer " + token(claims(iss="https://cognito-idp.ap-south-1.amazonaws.com/other")),
        "Bearer " + token(claims(token_use="access")),
        "Bearer " + token(claims(), key=OTHER),
        "Bearer " + _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(claims()) + ".",
        "Bearer not.a.token",
    ],
    ids=[
        "none", "empty", "blank-bearer", "basic", "expired", "wrong-audience", "wrong-issuer",
        "access-token", "other-key", "alg-none", "garbage",
    ],
)  # fmt: skip
def test_refused(authorizer, header):
    with pytest.raises(Refused):
        authorizer.claims(header)


def test_a_tampered_claim_breaks_the_signature(authorizer):
    header, _payload, signature = token(claims()).split(".")
    forged = _b64(claims(**{"custom:district": "Cuttack"}))
    with pytest.raises(Refused):
        authorizer.claims(f"Bearer {header}.{forged}.{signature}")
