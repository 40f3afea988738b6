# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The credential sources beyond a key pair (assumed role, chained profiles, ECS instance role, OIDC, credentials
URI): which source wins, what each sends, and that no failure message carries a secret, a token or a URL."""

import json
import os

import pytest
import requests

from ansible_collections.alicloud.pai.plugins.module_utils._client import PaiConfigError
from ansible_collections.alicloud.pai.plugins.module_utils._credentials import resolve
from ansible_collections.alicloud.pai.plugins.module_utils._sts import rpc_signature
from ansible_collections.alicloud.pai.tests.unit.plugins.module_utils.test_credentials import ak_profile, write_profiles

ROLE = "acs:ram::1234567890123456:role/pai-admin"
OTHER_ROLE = "acs:ram::6543210987654321:role/pai-prod"
SOURCE_SECRET = "source-secret-0f3b2a9c"
OIDC_TOKEN = "eyJhbGciOiJSUzI1NiJ9.oidc-token-payload-7d1e.signature"


class Answer(object):
    def __init__(self, status, body):
        self.status_code = status
        self.text = body if isinstance(body, str) else json.dumps(body)

    def json(self):
        return json.loads(self.text)


class StubSession(object):
    """Answers by (method, path, Action); records every request; ``down`` hosts raise ConnectionError."""

    def __init__(self, answers=None, down=()):
        self.answers = answers or {}
        self.down = down
        self.sent = []
        self.issued = 0

    def request(self, method, url, params=None, headers=None, **kwargs):
        self.sent.append(dict(method=method, url=url, params=dict(params or {}), headers=dict(headers or {})))
        if any(host in url for host in self.down):
            raise requests.exceptions.ConnectionError("HTTPConnectionPool(host=%s): %s" % (url, params))
        key = (method, url.split("://", 1)[1].split("/", 1)[1] if "/" in url.split("://", 1)[1] else "",
               (params or {}).get("Action"))
        answer = self.answers.get(key)
        if answer is None and key[2] in ("AssumeRole", "AssumeRoleWithOIDC"):
            self.issued += 1
            answer = Answer(200, {"RequestId": "r", "Credentials": {
                "AccessKeyId": "STS.issued-%d" % self.issued, "AccessKeySecret": "sts-secret-%d" % self.issued,
                "SecurityToken": "sts-token-%d" % self.issued, "Expiration": "2030-01-01T00:00:00Z"}})
        return answer or Answer(404, {"Code": "NotFound"})

    def actions(self):
        return [entry["params"].get("Action") or entry["method"] + " " + entry["url"] for entry in self.sent]


STS_OPTIONS = {"sts_endpoint": "http://sts.test"}


def test_assume_role_on_top_of_the_task_keys_signs_a_v2_get():
    session = StubSession()
    options = dict(STS_OPTIONS, access_key_id="LTAIsource", access_key_secret=SOURCE_SECRET,
                   assume_role=dict(role_arn=ROLE, session_name="ansible-ci", duration_seconds=1800,
                                    external_id="abc-123", policy={"Version": "1", "Statement": []}))
    credentials, dummy, dummy = resolve(options, {}, session)
    assert credentials.access_key_id == "STS.issued-1" and credentials.security_token == "sts-token-1"
    assert credentials.source == "role %s (session ansible-ci) assumed with the task options" % ROLE
    (sent,) = session.sent
    query = sent["params"]
    assert sent["method"] == "GET" and sent["url"] == "http://sts.test/"
    assert query["Action"] == "AssumeRole" and query["Version"] == "2015-04-01" and query["Format"] == "JSON"
    assert query["RoleArn"] == ROLE and query["RoleSessionName"] == "ansible-ci" and query["DurationSeconds"] == "1800"
    assert query["ExternalId"] == "abc-123" and query["Policy"] == '{"Version":"1","Statement":[]}'
    assert query["SignatureMethod"] == "HMAC-SHA1" and query["SignatureVersion"] == "1.0"
    unsigned = dict((key, value) for key, value in query.items() if key != "Signature")
    assert query["Signature"] == rpc_signature(SOURCE_SECRET, "GET", unsigned)
    assert "SecurityToken" not in query


def test_an_sts_source_sends_its_token_and_the_default_sts_host_follows_the_region():
    session = StubSession()
    environ = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "STS.env", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SOURCE_SECRET,
               "ALIBABA_CLOUD_SECURITY_TOKEN": "env-token", "ALICLOUD_ASSUME_ROLE_ARN": ROLE,
               "ALIBABA_CLOUD_STS_REGION": "cn-shanghai"}
    credentials, dummy, dummy = resolve({}, environ, session)
    assert credentials.source.startswith("role %s (session alicloud-pai-" % ROLE)
    assert credentials.source.endswith("assumed with the environment")
    assert session.sent[0]["url"] == "https://sts.cn-shanghai.aliyuncs.com/"
    assert session.sent[0]["params"]["SecurityToken"] == "env-token"


@pytest.mark.parametrize("role, words", [
    (dict(role_arn="arn:aws:iam::1:role/x"), "is not a RAM role ARN"),
    (dict(role_arn=ROLE, session_name="a b"), "session_name 'a b' must be 2 to 64"),
    (dict(role_arn=ROLE, duration_seconds=600), "duration_seconds must be 900 to 43200, got 600"),
    (dict(role_arn=ROLE, policy="{not json"), "policy is not JSON"),
])
def test_a_bad_role_fails_before_any_request(role, words):
    session = StubSession()
    with pytest.raises(PaiConfigError) as info:
        resolve(dict(STS_OPTIONS, access_key_id="id", access_key_secret=SOURCE_SECRET, assume_role=role), {}, session)
    assert words in str(info.value) and session.sent == []


def test_a_denied_assume_role_says_which_source_and_step_and_never_the_secret():
    # a real STS SignatureDoesNotMatch answer quotes the string to sign, which holds the source's token
    echoed = "server string to sign is: GET&%2F&SecurityToken%3D" + "env-token-ab12%2F"
    session = StubSession({("GET", "", "AssumeRole"): Answer(403, {"Code": "NoPermission", "Message": echoed})})
    environ = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "STS.env", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SOURCE_SECRET,
               "ALIBABA_CLOUD_SECURITY_TOKEN": "env-token-ab12/"}
    with pytest.raises(PaiConfigError) as info:
        resolve(dict(STS_OPTIONS, assume_role=dict(role_arn=ROLE)), environ, session)
    message = str(info.value)
    assert message.startswith("credentials from the environment, assuming %s: AssumeRole of %s failed: HTTP 403, "
                              "NoPermission" % (ROLE, ROLE))
    assert "env-token-ab12" not in message and SOURCE_SECRET not in message


def test_an_unreachable_sts_names_the_host_only():
    session = StubSession(down=("sts.test",))
    with pytest.raises(PaiConfigError) as info:
        resolve(dict(STS_OPTIONS, access_key_id="id", access_key_secret=SOURCE_SECRET,
                     assume_role=dict(role_arn=ROLE)), {}, session)
    message = str(info.value)
    assert "http://sts.test is unreachable (ConnectionError)" in message
    assert "Signature" not in message and "RoleArn" not in message


# -- OIDC ----------------------------------------------------------------------------------------------------


def oidc_environ(tmp_path, token=OIDC_TOKEN):
    path = tmp_path / "token"
    path.write_text(token)
    return {"ALIBABA_CLOUD_ROLE_ARN": ROLE, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": "acs:ram::1:oidc-provider/ack-rrsa",
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE": str(path), "ALIBABA_CLOUD_ROLE_SESSION_NAME": "pod-7"}


def test_oidc_from_the_environment_is_an_unsigned_assume_role_with_oidc(tmp_path):
    session = StubSession()
    credentials, dummy, dummy = resolve(STS_OPTIONS, oidc_environ(tmp_path), session)
    (sent,) = session.sent
    assert sent["params"]["Action"] == "AssumeRoleWithOIDC" and sent["params"]["OIDCToken"] == OIDC_TOKEN
    assert sent["params"]["RoleSessionName"] == "pod-7" and "Signature" not in sent["params"]
    assert credentials.access_key_id == "STS.issued-1"
    assert credentials.source == "role %s (session pod-7) assumed with the OIDC token of the OIDC environment" % ROLE


def test_an_env_key_pair_wins_over_oidc_and_oidc_needs_all_three_variables(tmp_path):
    environ = dict(oidc_environ(tmp_path), ALIBABA_CLOUD_ACCESS_KEY_ID="id", ALIBABA_CLOUD_ACCESS_KEY_SECRET="s")
    session = StubSession()
    assert resolve(STS_OPTIONS, environ, session)[0].source == "the environment" and session.sent == []
    partial = oidc_environ(tmp_path)
    del partial["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"]
    with pytest.raises(PaiConfigError) as info:
        resolve(STS_OPTIONS, partial, StubSession())
    assert info.value.message.startswith("No Alibaba Cloud credentials found")


def test_an_unreadable_token_file_and_a_refused_token_never_show_the_token(tmp_path):
    environ = oidc_environ(tmp_path)
    environ["ALIBABA_CLOUD_OIDC_TOKEN_FILE"] = str(tmp_path / "missing")
    with pytest.raises(PaiConfigError) as info:
        resolve(STS_OPTIONS, environ, StubSession())
    assert "reading the OIDC token file %s failed" % (tmp_path / "missing") in str(info.value)
    refused = StubSession({("GET", "", "AssumeRoleWithOIDC"): Answer(400, {
        "Code": "InvalidParameter.OIDCToken", "Message": "bad token " + OIDC_TOKEN})})
    with pytest.raises(PaiConfigError) as info:
        resolve(STS_OPTIONS, oidc_environ(tmp_path), refused)
    assert "InvalidParameter.OIDCToken" in str(info.value) and OIDC_TOKEN not in str(info.value)


# -- ECS instance role and credentials URI -------------------------------------------------------------------

METADATA = {"ecs_metadata_endpoint": "http://imds.test"}
ROLE_CREDENTIALS = {"Code": "Success", "AccessKeyId": "STS.ecs", "AccessKeySecret": "ecs-secret",
                    "SecurityToken": "ecs-token", "Expiration": "2030-01-01T00:00:00Z"}


def metadata_session(token=True, role="EcsRole"):
    answers = {("GET", "latest/meta-data/ram/security-credentials/", None): Answer(200, role + "\n"),
               ("GET", "latest/meta-data/ram/security-credentials/" + role, None): Answer(200, ROLE_CREDENTIALS)}
    if token:
        answers[("PUT", "latest/api/token", None)] = Answer(200, "imds-token-1")
    return StubSession(answers)


def test_the_instance_role_is_discovered_with_an_imdsv2_token():
    session = metadata_session()
    credentials, dummy, dummy = resolve(dict(METADATA, ecs_role=True), {}, session)
    assert credentials.access_key_id == "STS.ecs" and credentials.source == (
        "the ECS instance RAM role EcsRole (the ecs_role/ecs_role_name options)")
    assert [entry["method"] for entry in session.sent] == ["PUT", "GET", "GET"]
    assert session.sent[0]["headers"] == {"X-aliyun-ecs-metadata-token-ttl-seconds": "21600"}
    assert all(entry["headers"] == {"X-aliyun-ecs-metadata-token": "imds-token-1"} for entry in session.sent[1:])


def test_a_named_instance_role_from_the_environment_skips_discovery_and_v1_needs_permission():
    session = metadata_session(token=False)
    credentials, dummy, dummy = resolve(METADATA, {"ALIBABA_CLOUD_ECS_METADATA": "EcsRole"}, session)
    assert credentials.access_key_id == "STS.ecs" and len(session.sent) == 2
    with pytest.raises(PaiConfigError) as info:
        resolve(METADATA, {"ALIBABA_CLOUD_ECS_METADATA": "EcsRole", "ALIBABA_CLOUD_IMDSV1_DISABLED": "true"},
                metadata_session(token=False))
    assert "getting an instance metadata token (IMDSv2) failed: HTTP 404, and the v1 fallback is off" in str(info.value)


def test_the_metadata_service_is_never_asked_unless_a_role_is():
    session = StubSession(down=("100.100.100.200", "imds.test"))
    with pytest.raises(PaiConfigError):
        resolve({}, {}, session)
    assert session.sent == []


def test_an_unreachable_metadata_service_says_so():
    with pytest.raises(PaiConfigError) as info:
        resolve(dict(METADATA, ecs_role_name="EcsRole"), {}, StubSession(down=("imds.test",)))
    assert str(info.value) == ("credentials from the ecs_role/ecs_role_name options: getting an instance metadata "
                               "token failed: http://imds.test is unreachable (ConnectionError)")


def test_a_credentials_uri_and_its_refusal():
    session = StubSession({("GET", "creds", None): Answer(200, ROLE_CREDENTIALS)})
    credentials, dummy, dummy = resolve({"credentials_uri": "http://uri.test/creds"}, {}, session)
    assert credentials.security_token == "ecs-token" and credentials.source == "the credentials_uri option"
    refused = StubSession({("GET", "creds", None): Answer(200, {"Code": "Expired"})})
    with pytest.raises(PaiConfigError) as info:
        resolve({}, {"ALIBABA_CLOUD_CREDENTIALS_URI": "http://uri.test/creds"}, refused)
    assert "reading the credentials URI failed: HTTP 200, Expired" in str(info.value)


def test_two_explicit_sources_are_refused():
    with pytest.raises(PaiConfigError) as info:
        resolve({"access_key_id": "id", "access_key_secret": "s", "ecs_role": True}, {}, StubSession())
    assert "more than one source of credentials (access_key_id/access_key_secret, ecs_role/ecs_role_name)" \
        in str(info.value)


# -- profiles ------------------------------------------------------------------------------------------------


def role_profile(name, mode="RamRoleArn", **fields):
    profile = ak_profile(name, "LTAIprof", SOURCE_SECRET, mode=mode)
    profile.update(ram_role_arn=ROLE, ram_session_name="prof-session", expired_seconds=900)
    profile.update(fields)
    return profile


def test_ram_role_arn_and_chained_profiles(home):
    write_profiles(home, [
        role_profile("base"),
        role_profile("prod", mode="ChainableRamRoleArn", source_profile="base", ram_role_arn=OTHER_ROLE,
                     access_key_id="", access_key_secret=""),
    ], current="prod")
    session = StubSession()
    credentials, dummy, dummy = resolve(STS_OPTIONS, {}, session)
    assert [entry["params"]["RoleArn"] for entry in session.sent] == [ROLE, OTHER_ROLE]
    # the second AssumeRole is signed by the first one's temporary pair, with its token
    second = session.sent[1]["params"]
    assert second["AccessKeyId"] == "STS.issued-1" and second["SecurityToken"] == "sts-token-1"
    assert second["Signature"] == rpc_signature("sts-secret-1", "GET", dict(
        (key, value) for key, value in second.items() if key != "Signature"))
    assert credentials.access_key_id == "STS.issued-2"
    assert credentials.source.startswith("role %s (session prof-session) assumed with profile prod" % OTHER_ROLE)


def test_a_profile_chain_with_a_cycle_fails_before_any_request(home):
    write_profiles(home, [role_profile("a", mode="ChainableRamRoleArn", source_profile="b"),
                          role_profile("b", mode="ChainableRamRoleArn", source_profile="a")], current="a")
    session = StubSession()
    with pytest.raises(PaiConfigError) as info:
        resolve(STS_OPTIONS, {}, session)
    assert "source_profile 'a' makes a cycle (a -> b -> a)" in str(info.value) and session.sent == []


def test_ecs_and_oidc_profiles(home, tmp_path):
    token = tmp_path / "oidc"
    token.write_text(OIDC_TOKEN)
    write_profiles(home, [{"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "EcsRole"},
                          {"name": "rrsa", "mode": "OIDC", "ram_role_arn": ROLE, "role_session_name": "pods",
                           "oidc_provider_arn": "acs:ram::1:oidc-provider/x", "oidc_token_file": str(token)}])
    session = metadata_session()
    assert resolve(dict(METADATA, profile="ecs"), {}, session)[0].access_key_id == "STS.ecs"
    session = StubSession()
    credentials, dummy, dummy = resolve(dict(STS_OPTIONS, profile="rrsa"), {}, session)
    assert session.sent[0]["params"]["OIDCToken"] == OIDC_TOKEN and "(session pods)" in credentials.source


def test_the_cli_profile_can_be_switched_off_as_in_the_official_chain(home):
    write_profiles(home, [ak_profile("default", "prof-id", "prof-secret")])
    with pytest.raises(PaiConfigError):
        resolve({}, {"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true"}, StubSession())
    assert resolve({}, {}, StubSession())[0].access_key_id == "prof-id"
    assert os.path.isfile(os.path.join(str(home), ".aliyun", "config.json"))


def test_the_sts_endpoint_the_rrsa_webhook_injects_is_used(tmp_path):
    environ = dict(oidc_environ(tmp_path), ALIBABA_CLOUD_STS_ENDPOINT="sts-vpc.cn-beijing.aliyuncs.com")
    session = StubSession()
    resolve({}, environ, session)
    assert session.sent[0]["url"] == "https://sts-vpc.cn-beijing.aliyuncs.com/"
    environ = dict(oidc_environ(tmp_path), ALIBABA_CLOUD_STS_REGION="cn-beijing", ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED="true")
    session = StubSession()
    resolve({}, environ, session)
    assert session.sent[0]["url"] == "https://sts-vpc.cn-beijing.aliyuncs.com/"


def test_a_disabled_cli_profile_is_not_read_for_its_region_either(home):
    path = os.path.join(str(home), ".aliyun", "config.json")
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as handle:
        handle.write("{not json")
    environ = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s",
               "ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true"}
    credentials, region, endpoint = resolve({}, environ, StubSession())
    assert credentials.source == "the environment" and region is None and endpoint is None
