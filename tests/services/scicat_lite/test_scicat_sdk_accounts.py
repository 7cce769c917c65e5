"""scicat-sdk-py round trips for users, identities, settings, auth and the served config."""

from __future__ import annotations

import json

import pytest
import scicat_sdk_py as sdk
from lite_harness import FRONTEND_CONFIG
from lite_harness import LiteServer, sdk_client
from scicat_sdk_py.exceptions import ForbiddenException, UnauthorizedException

pytestmark = pytest.mark.database


def _me(users: sdk.UsersApi) -> sdk.ReturnedUserDto:
    """``GET /users/my/self``: upstream documents 201 but answers 200, which the SDK's
    generated method maps to None; the body is parsed with the SDK's model instead."""
    raw = users.users_controller_get_my_user_v3_without_preload_content()
    assert raw.status == 200
    return sdk.ReturnedUserDto.from_dict(json.loads(raw.data))


def test_user_records_parse(lite_server: LiteServer) -> None:
    with sdk_client(lite_server, "user2") as client:
        users = sdk.UsersApi(client)
        me = _me(users)
        assert (me.username, me.auth_strategy) == ("user2", "local")
        assert users.users_controller_find_all_v3()[0].id == me.id
        assert sdk.ReturnedUserDto.from_dict(users.users_controller_find_by_id_v3(me.id)).email
        identity = sdk.UserIdentity.from_dict(users.users_controller_get_my_user_identity_v3())
        assert identity.user_id == me.id and identity.profile.access_groups == ["group2"]
        other = sdk.UserIdentity.from_dict(users.users_controller_get_user_identity_v3(me.id))
        assert other.profile.username == "user2"
        assert users.users_controller_can_user_create_dataset_v3(me.id) == {"authorization": True}
        assert (
            sdk.UserIdentitiesApi(client)
            .user_identities_controller_find_one_v3(filter="{}")
            .user_id
            == me.id
        )
        assert users.users_controller_get_user_jwtv3().jwt
        with pytest.raises(ForbiddenException):
            users.users_controller_create_custom_jwtv3(me.id, sdk.CreateCustomJwt(expiresIn="1h"))
    with sdk_client(lite_server, "admin") as admin:
        token = sdk.UsersApi(admin).users_controller_create_custom_jwtv3(
            me.id, sdk.CreateCustomJwt(expiresIn="never")
        )
        assert token.jwt.count(".") == 2
        # Documented as 201, answered 200 (upstream too): read the body directly.
        valid = sdk.UserIdentitiesApi(
            admin
        ).user_identities_controller_is_valid_email_v3_without_preload_content(
            filter=json.dumps({"where": {"profile.email": "user2@example.org"}})
        )
        assert (valid.status, json.loads(valid.data)) == (200, True)


def test_settings_round_trip(lite_server: LiteServer) -> None:
    with sdk_client(lite_server, "user2") as client:
        users = sdk.UsersApi(client)
        me = _me(users).id
        users.users_controller_remove_settings_v3(me)
        created = users.users_controller_create_settings_v3(
            me, sdk.CreateUserSettingsDto(userId=me, datasetCount=10, jobCount=20)
        )
        assert (created.dataset_count, created.job_count, created.user_id) == (10, 20, me)
        updated = sdk.UserSettings.from_dict(
            users.users_controller_update_settings_v3(
                me, sdk.PartialUpdateUserSettingsDto(datasetCount=30)
            )
        )
        # The SDK's partial-update model sends its defaults (25) for unset counts.
        assert (updated.dataset_count, updated.job_count) == (30, 25)
        patched = sdk.UserSettings.from_dict(
            users.users_controller_patch_external_settings_v3(
                me, {"fe_dataset_table_conditions": []}
            )
        )
        assert patched.external_settings == {"fe_dataset_table_conditions": []}
        mine = sdk.UserSettings.from_dict(users.users_controller_get_my_settings_v3())
        assert mine.dataset_count == 30
        assert (
            sdk.UserSettings.from_dict(users.users_controller_get_settings_v3(me)).job_count == 25
        )


def test_passwords_round_trip(lite_server: LiteServer) -> None:
    old = lite_server.passwords["user3"]
    with sdk_client(lite_server, "user3") as client:
        users = sdk.UsersApi(client)
        me = _me(users).id
        answer = users.users_controller_update_own_password_v3(
            sdk.UpdateUserPasswordDto(
                currentPassword=old, newPassword="tmp-pw", confirmPassword="tmp-pw"
            )
        )
        assert answer.message == "Password updated successfully"
    with sdk_client(lite_server, "admin") as admin:
        reset = sdk.UsersApi(admin).users_controller_update_user_password_v3(
            me, sdk.AdminUpdateUserPasswordDto(newPassword=old, confirmPassword=old)
        )
        assert reset.message.endswith(me)


def test_auth_routes(lite_server: LiteServer) -> None:
    credentials = sdk.CredentialsDto(username="ingestor", password="aman")
    with sdk_client(lite_server) as anonymous:
        auth = sdk.AuthApi(anonymous)
        assert auth.auth_controller_login_v3(credentials).user.username == "ingestor"
        with pytest.raises(UnauthorizedException):
            auth.auth_controller_ldap_login_v3(credentials)
        with pytest.raises(UnauthorizedException):
            auth.auth_controller_msad_login_v3(credentials)
        with pytest.raises(UnauthorizedException):
            auth.auth_controller_oidc_token_login_v3(sdk.IdTokenDto(idToken="x"))
        assert sdk.UsersApi(anonymous).users_controller_get_user_jwtv3().jwt
    with sdk_client(lite_server, "ingestor") as client:
        whoami = sdk.AuthApi(client).auth_controller_whoami_v3()
        assert whoami["username"] == "ingestor"
        sdk.UsersApi(client).users_controller_logout_v3()
        sdk.AuthApi(client).auth_controller_logout_v3()


def test_served_configuration(lite_server: LiteServer) -> None:
    with sdk_client(lite_server) as anonymous:
        assert sdk.AdminApi(anonymous).admin_controller_get_config_v3() == FRONTEND_CONFIG
        record = sdk.RuntimeConfigurationsApi(anonymous).runtime_config_controller_get_config_v3(
            "frontendConfig"
        )
        assert record.cid == "frontendConfig" and record.data == FRONTEND_CONFIG
    with sdk_client(lite_server, "admin") as admin:
        updated = sdk.RuntimeConfigurationsApi(admin).runtime_config_controller_update_config_v3(
            "frontendConfig", {"data": FRONTEND_CONFIG}
        )
        assert updated.updated_by == "admin"
