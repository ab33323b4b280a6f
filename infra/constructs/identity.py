"""Identity: the officials' Cognito user pool, one group per role, and the workspace's client."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from samvad import resources
from samvad.workspace.roles import ROLES

PASSWORD_SIGN_IN_STAGES = frozenset({"dev"})
"""Stages whose app client allows USER_PASSWORD_AUTH (``POST /api/session``, tests, demos).
Everywhere else officials sign in through the hosted UI (SRP behind it, OAuth code flow)."""
MIN_PASSWORD_LENGTH = 14
ID_TOKEN_VALIDITY = cdk.Duration.hours(1)
REFRESH_TOKEN_VALIDITY = cdk.Duration.hours(12)
"""One working day: an official signs in again the next morning (and again after MFA)."""
CALLBACK_PATH = "/auth/callback"
SIGNED_OUT_PATH = "/"
_IMMUTABLE = frozenset({"official_id"})
"""A user is bound to one directory entry for life; a transfer changes scope, not identity."""
_ROLE_DESCRIPTIONS = {
    "cmo": "Chief Minister's office: the whole state",
    "minister": "Minister: one department",
    "secretary": "Secretary: one department",
    "collector": "District collector: one district",
    "sp": "Superintendent of police: one district",
    "office_head": "Head of one office",
    "caller": "Contact-centre agent: the state or one department",
    "data_officer": "Department data officer: uploads",
    "auditor": "Auditor: read-only, the whole state",
    "grievance_officer": "Grievance officer: citizens' erasure requests (DPDP Act)",
}


class Identity(Construct):
    """Who is who: the officials' ``user_pool`` and its ``groups`` (by role).

    - No self sign-up: administrators create users (``samvad users load``, or
      ``admin-create-user``; docs/workspace-deploy.md). Sign-in by username.
    - MFA required for every user, TOTP only (no SMS): every role can see at least a masked
      citizen and most can reveal or work with one, so no role is exempt.
    - 14-character passwords with every character class, temporary ones valid 3 days;
      Plus feature plan with threat protection enforced (compromised credentials, adaptive
      authentication); account recovery by e-mail only.
    - Custom attributes ``official_id`` (immutable: the directory entry), ``department``,
      ``district``, ``office_code`` (mutable by administrators when an official is moved).
      No app client may write them (nor the e-mail address that recovers the account): the
      workspace client may write the display name only, so a user cannot widen their scope.
    - ``prod``: deletion protection on and the pool retained; other stages are disposable.
    - ``domain``: the Cognito hosted UI (``<domain_prefix>.auth.<region>.amazoncognito.com``).
    """

    def __init__(self, scope: Construct, id: str, *, stage: str, domain_prefix: str) -> None:
        super().__init__(scope, id)
        self.stage = stage
        prod = stage == "prod"
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=f"samvad-{stage}-officials",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True),
            sign_in_case_sensitive=False,
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=False, mutable=True),
                fullname=cognito.StandardAttribute(required=False, mutable=True),
            ),
            custom_attributes={
                name: cognito.StringAttribute(min_len=1, max_len=64, mutable=name not in _IMMUTABLE)
                for name in resources.OFFICIAL_ATTRIBUTES
            },
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            password_policy=cognito.PasswordPolicy(
                min_length=MIN_PASSWORD_LENGTH,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=cdk.Duration.days(3),
            ),
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            deletion_protection=prod,
            removal_policy=cdk.RemovalPolicy.RETAIN if prod else cdk.RemovalPolicy.DESTROY,
        )
        self.groups = {
            role: cognito.UserPoolGroup(
                self,
                f"Group-{role}",
                user_pool=self.user_pool,
                group_name=role,
                description=_ROLE_DESCRIPTIONS[role],
            )
            for role in ROLES
        }
        self.domain = self.user_pool.add_domain(
            "HostedUi",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=domain_prefix),
        )

    @property
    def password_sign_in(self) -> bool:
        """Whether the workspace client allows USER_PASSWORD_AUTH (dev stages only)."""
        return self.stage in PASSWORD_SIGN_IN_STAGES

    def add_workspace_client(self, base_url: str) -> cognito.UserPoolClient:
        """The workspace's public app client (no secret), served at ``base_url``.

        SRP, and the hosted UI's authorization-code flow back to ``<base_url>/auth/callback``
        (OpenID scopes); USER_PASSWORD_AUTH only on dev stages. ID and access tokens last an
        hour, refresh tokens a working day; tokens can be revoked; unknown users get the same
        error as wrong passwords. It may read the official's attributes and write only the
        display name (listed explicitly: left unset, Cognito lets a client write every
        writable attribute).
        """
        return self.user_pool.add_client(
            "WorkspaceClient",
            user_pool_client_name=f"samvad-{self.stage}-workspace",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True, user_password=self.password_sign_in),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
                callback_urls=[f"{base_url}{CALLBACK_PATH}"],
                logout_urls=[f"{base_url}{SIGNED_OUT_PATH}"],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            id_token_validity=ID_TOKEN_VALIDITY,
            access_token_validity=ID_TOKEN_VALIDITY,
            refresh_token_validity=REFRESH_TOKEN_VALIDITY,
            auth_session_validity=cdk.Duration.minutes(3),
            enable_token_revocation=True,
            prevent_user_existence_errors=True,
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(email=True, fullname=True)
            .with_custom_attributes(*resources.OFFICIAL_ATTRIBUTES),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(fullname=True),
        )
