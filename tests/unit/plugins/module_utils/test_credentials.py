# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of credential, region and endpoint resolution (options > environment > profile file)."""

import json
import os

import pytest

from ansible_collections.alicloud.pai.plugins.module_utils._client import PaiConfigError
from ansible_collections.alicloud.pai.plugins.module_utils._credentials import Credentials, resolve

OPTION_KEYS = {"access_key_id": "opt-id", "access_key_secret": "opt-secret"}


def write_profiles(home, profiles, current=None, path=None):
    path = path or os.path.join(str(home), ".aliyun", "config.json")
    if not os.path.isdir(os.path.dirname(path)):
        os.makedirs(os.path.dirname(path))
    config = {"profiles": profiles, "meta_path": ""}
    if current is not None:
        config["current"] = current
    with open(path, "w") as handle:
        json.dump(config, handle)
    return path


def ak_profile(name, key_id, secret, region=None, mode="AK"):
    profile = {"name": name, "mode": mode, "access_key_id": key_id, "access_key_secret": secret,
               "sts_token": "", "region_id": region or "", "output_format": "json", "language": "en"}
    return profile


def sts_profile(name, key_id, secret, token, region=None):
    profile = ak_profile(name, key_id, secret, region, mode="StsToken")
    profile["sts_token"] = token
    return profile


# --- precedence --------------------------------------------------------------------------------------

def test_options_win_over_environment_and_profile(home):
    write_profiles(home, [ak_profile("default", "prof-id", "prof-secret", "cn-beijing")], current="default")
    environ = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "env-id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret",
               "ALIBABA_CLOUD_SECURITY_TOKEN": "env-token", "ALIBABA_CLOUD_REGION_ID": "cn-shanghai",
               "ALIBABA_CLOUD_ENDPOINT_AIWORKSPACE": "http://env:1"}
    options = dict(OPTION_KEYS, security_token="opt-token", region="cn-hangzhou", endpoint="http://opt:2")
    credentials, region, endpoint = resolve(options, environ)
    assert (credentials.access_key_id, credentials.access_key_secret, credentials.security_token) == (
        "opt-id", "opt-secret", "opt-token")
    assert (region, endpoint) == ("cn-hangzhou", "http://opt:2")
    assert credentials.source == "the task options"


def test_environment_wins_over_profile(home):
    write_profiles(home, [ak_profile("default", "prof-id", "prof-secret", "cn-beijing")], current="default")
    environ = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "env-id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret",
               "ALIBABA_CLOUD_REGION_ID": "cn-shanghai"}
    credentials, region, endpoint = resolve({}, environ)
    assert (credentials.access_key_id, credentials.access_key_secret, credentials.security_token) == (
        "env-id", "env-secret", None)
    assert (region, endpoint) == ("cn-shanghai", None)


def test_current_names_win_over_legacy_names(home):
    environ = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "new-id", "ALICLOUD_ACCESS_KEY": "old-id",
               "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "new-secret", "ALICLOUD_SECRET_KEY": "old-secret",
               "ALIBABA_CLOUD_SECURITY_TOKEN": "new-token", "ALICLOUD_SECURITY_TOKEN": "old-token",
               "ALIBABA_CLOUD_REGION_ID": "cn-shanghai", "ALICLOUD_REGION": "cn-beijing",
               "ALIBABA_CLOUD_ENDPOINT_AIWORKSPACE": "http://new:1", "AIWORKSPACE_ENDPOINT": "http://old:1"}
    credentials, region, endpoint = resolve({}, environ)
    assert (credentials.access_key_id, credentials.access_key_secret, credentials.security_token) == (
        "new-id", "new-secret", "new-token")
    assert (region, endpoint) == ("cn-shanghai", "http://new:1")


def test_legacy_names_alone_work(home):
    environ = {"ALICLOUD_ACCESS_KEY": "old-id", "ALICLOUD_SECRET_KEY": "old-secret",
               "ALICLOUD_SECURITY_TOKEN": "old-token", "ALICLOUD_REGION": "cn-beijing",
               "AIWORKSPACE_ENDPOINT": "http://old:1"}
    credentials, region, endpoint = resolve({}, environ)
    assert (credentials.access_key_id, credentials.access_key_secret, credentials.security_token) == (
        "old-id", "old-secret", "old-token")
    assert (region, endpoint) == ("cn-beijing", "http://old:1")


def test_empty_option_falls_back_to_environment(home):
    options = {"access_key_id": "", "access_key_secret": None, "region": ""}
    environ = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "env-id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret",
               "ALIBABA_CLOUD_REGION_ID": "", "ALICLOUD_REGION": "cn-beijing"}
    credentials, region, endpoint = resolve(options, environ)
    assert (credentials.access_key_id, credentials.access_key_secret, region) == ("env-id", "env-secret",
                                                                                  "cn-beijing")


def test_key_halves_from_option_and_environment_do_not_combine(home):
    with pytest.raises(PaiConfigError) as info:
        resolve({"access_key_id": "opt-id"}, {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret"})
    assert str(info.value).startswith("the access_key_id option is set but the access_key_secret option is not")
    assert "env-secret" not in str(info.value)


def test_environment_token_is_not_mixed_with_option_keys(home):
    credentials, dummy, dummy = resolve(dict(OPTION_KEYS, region="cn-hangzhou"),
                                        {"ALIBABA_CLOUD_SECURITY_TOKEN": "stale-env-token"})
    assert credentials.security_token is None
    credentials, dummy, dummy = resolve({"region": "cn-hangzhou"}, {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "STS.env-id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret",
        "ALIBABA_CLOUD_SECURITY_TOKEN": "env-token"})
    assert (credentials.security_token, credentials.source) == ("env-token", "the environment")


def test_endpoint_from_environment(home):
    credentials, region, endpoint = resolve(OPTION_KEYS, {"ALIBABA_CLOUD_ENDPOINT_AIWORKSPACE": "127.0.0.1:8765"})
    assert (region, endpoint) == (None, "127.0.0.1:8765")
    credentials, region, endpoint = resolve(OPTION_KEYS, {"AIWORKSPACE_ENDPOINT": "http://127.0.0.1:9"})
    assert endpoint == "http://127.0.0.1:9"


def test_environment_defaults_to_os_environ(home, monkeypatch):
    for name in list(os.environ):
        if name.startswith(("ALIBABA_CLOUD_", "ALICLOUD_")) or name == "AIWORKSPACE_ENDPOINT":
            monkeypatch.delenv(name)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "os-id")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "os-secret")
    monkeypatch.setenv("ALIBABA_CLOUD_REGION_ID", "cn-wuhan")
    credentials, region, endpoint = resolve({})
    assert (credentials.access_key_id, credentials.access_key_secret, region) == ("os-id", "os-secret", "cn-wuhan")


# --- profile file ------------------------------------------------------------------------------------

def test_profile_ak_mode_with_region(home):
    path = write_profiles(home, [ak_profile("default", "prof-id", "prof-secret", "cn-beijing")], current="default")
    credentials, region, endpoint = resolve({}, {})
    assert (credentials.access_key_id, credentials.access_key_secret, credentials.security_token) == (
        "prof-id", "prof-secret", None)
    assert (region, endpoint) == ("cn-beijing", None)
    assert credentials.source == "profile default in %s" % path


def test_profile_sts_mode(home):
    write_profiles(home, [sts_profile("sts", "STS.id", "sts-secret", "sts-token", "cn-shanghai")], current="sts")
    credentials, region, endpoint = resolve({}, {})
    assert (credentials.access_key_id, credentials.access_key_secret, credentials.security_token) == (
        "STS.id", "sts-secret", "sts-token")
    assert region == "cn-shanghai"


def test_profile_ak_mode_ignores_a_leftover_sts_token(home):
    profile = ak_profile("default", "prof-id", "prof-secret")
    profile["sts_token"] = "stale-token"
    write_profiles(home, [profile])
    credentials, dummy, dummy = resolve({}, {})
    assert credentials.security_token is None


def test_profile_without_mode_is_ak(home):
    write_profiles(home, [{"name": "default", "access_key_id": "prof-id", "access_key_secret": "prof-secret"}])
    credentials, dummy, dummy = resolve({}, {})
    assert (credentials.access_key_id, credentials.security_token) == ("prof-id", None)


def test_current_profile_is_used(home):
    write_profiles(home, [ak_profile("default", "default-id", "s1"), ak_profile("work", "work-id", "s2", "cn-wuhan")],
                   current="work")
    credentials, region, dummy = resolve({}, {})
    assert (credentials.access_key_id, region) == ("work-id", "cn-wuhan")


def test_default_profile_when_no_current(home):
    write_profiles(home, [ak_profile("other", "other-id", "s1"), ak_profile("default", "default-id", "s2")])
    credentials, dummy, dummy = resolve({}, {})
    assert credentials.access_key_id == "default-id"


def test_named_profile_by_option_wins_over_variable_and_current(home):
    write_profiles(home, [ak_profile("default", "default-id", "s1"), ak_profile("a", "a-id", "s2"),
                          ak_profile("b", "b-id", "s3")], current="default")
    credentials, dummy, dummy = resolve({"profile": "a"}, {"ALIBABA_CLOUD_PROFILE": "b"})
    assert credentials.access_key_id == "a-id"


def test_named_profile_by_variable(home):
    write_profiles(home, [ak_profile("default", "default-id", "s1"), ak_profile("b", "b-id", "s3")],
                   current="default")
    credentials, dummy, dummy = resolve({}, {"ALIBABA_CLOUD_PROFILE": "b"})
    assert credentials.access_key_id == "b-id"
    credentials, dummy, dummy = resolve({}, {"ALICLOUD_PROFILE": "b"})
    assert credentials.access_key_id == "b-id"


def test_credentials_file_option_and_variable(home, tmp_path):
    other = str(tmp_path / "elsewhere" / "aliyun.json")
    write_profiles(home, [ak_profile("default", "file-id", "file-secret", "cn-qingdao")], path=other)
    credentials, region, dummy = resolve({"shared_credentials_file": other}, {})
    assert (credentials.access_key_id, region) == ("file-id", "cn-qingdao")
    credentials, region, dummy = resolve({}, {"ALICLOUD_SHARED_CREDENTIALS_FILE": other})
    assert credentials.access_key_id == "file-id"


def test_region_option_wins_over_profile_region(home):
    write_profiles(home, [ak_profile("default", "prof-id", "prof-secret", "cn-beijing")])
    dummy, region, dummy = resolve({"region": "cn-hangzhou"}, {})
    assert region == "cn-hangzhou"
    dummy, region, dummy = resolve({}, {"ALICLOUD_REGION": "cn-shenzhen"})
    assert region == "cn-shenzhen"


def test_region_from_profile_when_keys_come_from_environment(home):
    write_profiles(home, [ak_profile("default", "prof-id", "prof-secret", "cn-beijing")])
    credentials, region, dummy = resolve({}, {"ALIBABA_CLOUD_ACCESS_KEY_ID": "env-id",
                                              "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret"})
    assert (credentials.access_key_id, credentials.access_key_secret, region) == ("env-id", "env-secret",
                                                                                  "cn-beijing")
    assert credentials.source == "the environment"


def test_profile_token_is_not_mixed_with_option_keys(home):
    write_profiles(home, [sts_profile("default", "STS.id", "sts-secret", "sts-token", "cn-beijing")])
    credentials, region, dummy = resolve(OPTION_KEYS, {})
    assert (credentials.access_key_id, credentials.security_token, region) == ("opt-id", None, "cn-beijing")


def test_profile_without_region_gives_no_region(home):
    write_profiles(home, [ak_profile("default", "prof-id", "prof-secret")])
    dummy, region, endpoint = resolve({}, {})
    assert not region
    assert endpoint is None


# --- errors ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["External", "CloudSSO", "OAuth", "CredentialsURI", "RsaKeyPair"])
def test_unsupported_profile_mode(home, mode):
    path = write_profiles(home, [ak_profile("default", "id", "secret", mode=mode)])
    with pytest.raises(PaiConfigError) as info:
        resolve({}, {})
    message = str(info.value)
    assert "profile default in %s" % path in message
    assert repr(mode) in message
    assert "AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC" in message


def test_sts_profile_without_token(home):
    write_profiles(home, [sts_profile("default", "STS.id", "secret", "")])
    with pytest.raises(PaiConfigError) as info:
        resolve({}, {})
    assert "mode StsToken but no sts_token" in str(info.value)


def test_profile_without_keys(home):
    write_profiles(home, [ak_profile("default", "", "")])
    with pytest.raises(PaiConfigError) as info:
        resolve({}, {})
    assert "has no access_key_id or access_key_secret" in str(info.value)


def test_named_but_missing_profile(home):
    path = write_profiles(home, [ak_profile("default", "id", "s"), ak_profile("prod", "id2", "s2")])
    with pytest.raises(PaiConfigError) as info:
        resolve({"profile": "staging"}, {})
    message = str(info.value)
    assert "profile 'staging' not found in %s" % path in message
    assert "default, prod" in message


def test_named_profile_without_a_file(home):
    with pytest.raises(PaiConfigError) as info:
        resolve({}, {"ALIBABA_CLOUD_PROFILE": "work"})
    message = str(info.value)
    assert "profile 'work' was asked for" in message
    assert os.path.join(str(home), ".aliyun", "config.json") in message


def test_unreadable_profile_file(home):
    path = os.path.join(str(home), ".aliyun", "config.json")
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as handle:
        handle.write("{not json")
    with pytest.raises(PaiConfigError) as info:
        resolve({}, {})
    assert "cannot read the credentials file %s" % path in str(info.value)


@pytest.mark.parametrize("options, environ, given, missing", [
    ({"access_key_id": "id"}, {}, "the access_key_id option", "the access_key_secret option"),
    ({}, {"ALICLOUD_ACCESS_KEY": "id"}, "ALIBABA_CLOUD_ACCESS_KEY_ID / ALICLOUD_ACCESS_KEY",
     "ALIBABA_CLOUD_ACCESS_KEY_SECRET / ALICLOUD_SECRET_KEY"),
    ({"access_key_secret": "half-secret"}, {}, "the access_key_secret option", "the access_key_id option"),
    ({}, {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "half-secret"}, "ALIBABA_CLOUD_ACCESS_KEY_SECRET / ALICLOUD_SECRET_KEY",
     "ALIBABA_CLOUD_ACCESS_KEY_ID / ALICLOUD_ACCESS_KEY"),
])
def test_half_a_key_pair(home, options, environ, given, missing):
    write_profiles(home, [ak_profile("default", "prof-id", "prof-secret")])
    with pytest.raises(PaiConfigError) as info:
        resolve(options, environ)
    message = str(info.value)
    assert message == ("%s is set but %s is not; a key pair is taken from one place only (task options, "
                       "else environment, else profile file)" % (given, missing))
    assert "half-secret" not in message


def test_nothing_found(home):
    with pytest.raises(PaiConfigError) as info:
        resolve({}, {})
    message = str(info.value)
    assert message.startswith("No Alibaba Cloud credentials found")
    for name in ("access_key_id", "access_key_secret", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY",
                 "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY", "config.json", "option profile",
                 "ALIBABA_CLOUD_PROFILE"):
        assert name in message
    assert info.value.to_dict()["code"] == "ConfigurationError"


# --- secrets -----------------------------------------------------------------------------------------

def test_credentials_repr_has_no_secret():
    credentials = Credentials("key-id", "very-secret-value", "sts-token-value", source="profile x")
    text = repr(credentials)
    assert text == "Credentials(access_key_id='key-id', source='profile x', sts=True)"
    assert "very-secret-value" not in str(credentials)
    assert "sts-token-value" not in str(credentials)
    assert Credentials("a", "b", "").security_token is None


def test_resolved_credentials_repr_has_no_secret(home):
    write_profiles(home, [sts_profile("default", "STS.id", "profile-secret-xyz", "profile-token-xyz")])
    credentials, dummy, dummy = resolve({}, {})
    assert "profile-secret-xyz" not in repr(credentials)
    assert "profile-token-xyz" not in repr(credentials)
    assert "STS.id" in repr(credentials)


def test_surrounding_whitespace_is_dropped_from_credentials():
    credentials, dummy, dummy = resolve({"access_key_id": " id\n", "access_key_secret": "secret\n",
                                         "security_token": "\ttoken "}, environ={})
    assert (credentials.access_key_id, credentials.access_key_secret, credentials.security_token) == (
        "id", "secret", "token")


@pytest.mark.parametrize("environ", [
    {"ALIBABA_CLOUD_ACCESS_KEY_ID": "env-id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret"},
    {},
])
def test_security_token_option_alone_is_never_joined_to_a_pair_from_elsewhere(home, environ):
    with pytest.raises(PaiConfigError) as info:
        resolve({"security_token": "option-token", "region": "cn-hangzhou"}, environ)
    assert str(info.value).startswith("the security_token option is set but access_key_id and access_key_secret")
    assert "option-token" not in str(info.value) and "env-secret" not in str(info.value)
