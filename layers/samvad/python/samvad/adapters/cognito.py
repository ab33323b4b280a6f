"""Amazon Cognito for the workspace: sign-in (USER_PASSWORD_AUTH), users, groups, pools.

The pool itself is defined by the CDK stack on AWS; ``create_pool`` makes the same shape on
the local emulator (groups per role, the ``custom:*`` scope attributes, a public client).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from samvad.adapters.aws import client as make_client

SCOPE_ATTRIBUTES = ("official_id", "department", "district", "office_code")
REFUSED = {"NotAuthorizedException", "UserNotFoundException", "UserNotConfirmedException"}


class CognitoIdentity:
    def __init__(self, pool_id: str, client_id: str, client: Any = None) -> None:
        self._pool = pool_id
        self._client_id = client_id
        self._client = make_client("cognito-idp", client)

    def sign_in(self, username: str, password: str) -> dict | None:
        try:
            result = self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] in REFUSED:
                return None
            raise
        tokens = result.get("AuthenticationResult")
        if not tokens:  # a challenge (MFA, new password): finished in the hosted UI
            return {"challenge": str(result.get("ChallengeName") or "unknown")}
        user = self._client.get_user(AccessToken=tokens["AccessToken"])
        attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        return {
            "id_token": tokens["IdToken"],
            "expires_in": int(tokens.get("ExpiresIn") or 3600),
            "official_id": attributes.get("custom:official_id", ""),
        }


class CognitoUsers:
    """Create or update users: attributes, the one role group, optionally a password."""

    def __init__(self, pool_id: str, client: Any = None) -> None:
        self._pool = pool_id
        self._client = make_client("cognito-idp", client)

    def ensure_groups(self, roles: tuple[str, ...]) -> None:
        for role in roles:
            try:
                self._client.create_group(GroupName=role, UserPoolId=self._pool)
            except ClientError as error:
                if error.response["Error"]["Code"] != "GroupExistsException":
                    raise

    def upsert(self, user: dict, password: str | None = None) -> str:
        """``created`` or ``updated``; the user ends in exactly the group of ``user["role"]``."""
        username = user["username"]
        attributes = [{"Name": "email", "Value": user["email"]}] if user.get("email") else []
        attributes += [
            {"Name": f"custom:{name}", "Value": str(user.get(name) or "")}
            for name in SCOPE_ATTRIBUTES
        ]
        try:
            self._client.admin_create_user(
                UserPoolId=self._pool,
                Username=username,
                UserAttributes=attributes,
                MessageAction="SUPPRESS",
                **({"TemporaryPassword": password} if password else {}),
            )
            outcome = "created"
        except ClientError as error:
            if error.response["Error"]["Code"] != "UsernameExistsException":
                raise
            self._client.admin_update_user_attributes(
                UserPoolId=self._pool, Username=username, UserAttributes=attributes
            )
            outcome = "updated"
        if password:
            self._client.admin_set_user_password(
                UserPoolId=self._pool, Username=username, Password=password, Permanent=True
            )
        groups = self._client.admin_list_groups_for_user(UserPoolId=self._pool, Username=username)
        for group in groups.get("Groups", []):
            if group["GroupName"] != user["role"]:
                self._client.admin_remove_user_from_group(
                    UserPoolId=self._pool, Username=username, GroupName=group["GroupName"]
                )
        self._client.admin_add_user_to_group(
            UserPoolId=self._pool, Username=username, GroupName=user["role"]
        )
        return outcome


def create_pool(client: Any, name: str) -> tuple[str, str]:
    """A pool shaped like the stack's (custom scope attributes, a client allowing
    USER_PASSWORD_AUTH without a secret); returns ``(pool id, client id)``."""
    pool = client.create_user_pool(
        PoolName=name,
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 12,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": False,
            }
        },
        MfaConfiguration="OFF",  # the stack requires TOTP; the local stack signs in with passwords
        Schema=[
            {"Name": name, "AttributeDataType": "String", "Mutable": True}
            for name in SCOPE_ATTRIBUTES
        ],
    )["UserPool"]
    app = client.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName=f"{name}-workspace",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    return pool["Id"], app["ClientId"]
