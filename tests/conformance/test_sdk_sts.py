# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's credential services against the official clients: STS (AssumeRole, AssumeRoleWithOIDC) through
the official STS SDK (alibabacloud-sts20150401), the ECS instance metadata service and the credentials URI through
alibabacloud-credentials, and the collection's RPC signer (plugins/module_utils/_sts.py) against the SDK's.

SDK_IDENTITIES records the identity (as GET /_emulator/sts shows it) that alibabacloud-credentials 1.0.12 resolves
for each source; the collection's own credential providers must yield the same ones.
"""

import base64
import datetime
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

import pytest

from conftest import ACCESS_KEY_ID, ACCESS_KEY_SECRET, RawApi, pai_emulator

os.environ['ALIBABA_CLOUD_ECS_METADATA_DISABLED'] = 'true'  # never probe 100.100.100.200 (read at import time)


from ansible_collections.alicloud.pai.plugins.module_utils._sts import (  # noqa: E402
    rpc_signature,
    rpc_string_to_sign,
)

sts_client_module = pytest.importorskip('alibabacloud_sts20150401.client')
sts_models = pytest.importorskip('alibabacloud_sts20150401.models')
openapi_models = pytest.importorskip('alibabacloud_tea_openapi.models')
openapi_utils = pytest.importorskip('alibabacloud_tea_openapi.utils')
openapi_exceptions = pytest.importorskip('alibabacloud_tea_openapi.exceptions')
credentials_client = pytest.importorskip('alibabacloud_credentials.client')
credentials_models = pytest.importorskip('alibabacloud_credentials.models')
credentials_auth_util = pytest.importorskip('alibabacloud_credentials.utils.auth_util')
credentials_parameter_helper = pytest.importorskip('alibabacloud_credentials.utils.parameter_helper')
ecs_provider_module = pytest.importorskip('alibabacloud_credentials.provider.ecs_ram_role')

ACCOUNT = '1234567890123456'
ROLE_ARN = 'acs:ram::%s:role/ansible-deployer' % ACCOUNT
OTHER_ROLE_ARN = 'acs:ram::%s:role/ansible-reader' % ACCOUNT
PROVIDER_ARN = 'acs:ram::%s:oidc-provider/ack-rrsa' % ACCOUNT
POLICY = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"paiworkspace:*","Resource":"*"}]}'
POLICY_WITH_SPACES = '{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
EMULATOR_ACCOUNT = pai_emulator.account_id_for(ACCESS_KEY_ID)
STS_KEY = re.compile(r'^STS\.[A-Za-z0-9]{28}$')
UTC_SECONDS = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')

# The 4.4 vector of pai-api-wave2.md.
VECTOR_QUERY = {
    'AccessKeyId': 'testid', 'Action': 'AssumeRole', 'DurationSeconds': '3600', 'Format': 'JSON',
    'RoleArn': 'acs:ram::123456789012****:role/adminrole', 'RoleSessionName': 'ansible-pai',
    'SignatureMethod': 'HMAC-SHA1', 'SignatureNonce': '3f1e2d4c-0000-4000-8000-000000000001',
    'SignatureVersion': '1.0', 'Timestamp': '2026-01-02T03:04:05Z', 'Version': '2015-04-01',
}
VECTOR_STRING_TO_SIGN = (
    'GET&%2F&AccessKeyId%3Dtestid%26Action%3DAssumeRole%26DurationSeconds%3D3600%26Format%3DJSON%26RoleArn%3Dacs'
    '%253Aram%253A%253A123456789012%252A%252A%252A%252A%253Arole%252Fadminrole%26RoleSessionName%3Dansible-pai'
    '%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3f1e2d4c-0000-4000-8000-000000000001%26SignatureVersion'
    '%3D1.0%26Timestamp%3D2026-01-02T03%253A04%253A05Z%26Version%3D2015-04-01')
VECTOR_SIGNATURE = 'h1Kcv32npJaulA81fijWhWcrSV8='

# What alibabacloud-credentials 1.0.12 resolves against the emulator, per the emulator's STS record (the tests
# below assert these; None means "any value", a compiled pattern must match).
SDK_IDENTITIES = {
    'ram_role_arn': {'Source': 'AssumeRole', 'SignatureVersion': 'v2', 'RoleArn': ROLE_ARN,
                     'RoleSessionName': 'ansible-pai', 'SourceAccessKeyId': ACCESS_KEY_ID, 'SourceRoleArn': None,
                     'ExternalId': 'pai-external-id', 'Policy': POLICY, 'DurationSeconds': 3600},
    'ram_role_arn_default_session': {'Source': 'AssumeRole', 'RoleArn': ROLE_ARN,
                                     'RoleSessionName': re.compile(r'^credentials-python-\d+$')},
    'oidc_role_arn': {'Source': 'AssumeRoleWithOIDC', 'SignatureVersion': None, 'SourceAccessKeyId': None,
                      'RoleArn': ROLE_ARN, 'RoleSessionName': 'rrsa-session', 'OIDCProviderArn': PROVIDER_ARN,
                      'OIDCSubject': 'system:serviceaccount:pai:deployer', 'DurationSeconds': 3600},
    'credentials_uri': {'Source': 'CredentialsUri', 'RoleArn': 'acs:ram::%s:role/CredentialsUriDemo' % EMULATOR_ACCOUNT,
                        'RoleSessionName': 'credentials-uri', 'DurationSeconds': 3600},
    'ecs_ram_role': {'Source': 'EcsMetadata', 'RoleArn': 'acs:ram::%s:role/EcsRamRoleDemo' % EMULATOR_ACCOUNT,
                     'RoleSessionName': 'i-emulator000000000001', 'DurationSeconds': 21600},
}


def assert_identity(record, expected):
    for key, value in expected.items():
        if hasattr(value, 'match'):
            assert value.match(record[key] or ''), (key, record[key])
        else:
            assert record[key] == value, (key, record[key], value)


# --- helpers ---------------------------------------------------------------------------------------------------

def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def jwt(claims, header=None):
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode('utf-8')).decode('ascii').rstrip('=')
    return '%s.%s.%s' % (part(header or {'alg': 'RS256', 'kid': 'emulator'}), part(claims), 'c2lnbmF0dXJl')


OIDC_TOKEN = jwt({'iss': 'https://oidc-ack-cn-hangzhou.oss-cn-hangzhou.aliyuncs.com/c1', 'aud': 'sts.aliyuncs.com',
                  'sub': 'system:serviceaccount:pai:deployer', 'exp': 4102444800, 'iat': 1700000000})


def signed_query(params, access_key_id=ACCESS_KEY_ID, secret=ACCESS_KEY_SECRET, method='GET', token=None,
                 timestamp=None, nonce=None):
    """An AssumeRole query signed with the collection's signer."""
    query = {'Action': 'AssumeRole', 'Version': '2015-04-01', 'Format': 'JSON', 'AccessKeyId': access_key_id,
             'SignatureMethod': 'HMAC-SHA1', 'SignatureVersion': '1.0', 'SignatureNonce': nonce or uuid.uuid4().hex,
             'Timestamp': timestamp or utc_now()}
    if token is not None:
        query['SecurityToken'] = token
    query.update(params)
    query['Signature'] = rpc_signature(secret, method, query)
    return query


def wire(query):
    return '&'.join('%s=%s' % (urllib.parse.quote(k, safe=''), urllib.parse.quote(v, safe=''))
                    for k, v in query.items())


def send_sts(port, query, method='GET'):
    api = RawApi(port)
    if method == 'GET':
        return api.send('GET', '/', wire_query=wire(query))
    return api.send(method, '/', headers={'content-type': 'application/x-www-form-urlencoded'},
                    body=wire(query).encode('ascii'), wire_query='')


def http_text(port, method, path, headers=None):
    """(status, body text) of a plain request (the metadata service answers text)."""
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode('utf-8')
    finally:
        conn.close()


def sts_client(port, access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET, security_token=None,
               signature_algorithm=None, anonymous=False):
    if anonymous:
        config = openapi_models.Config(endpoint='127.0.0.1:%d' % port, protocol='http')
    else:
        config = openapi_models.Config(endpoint='127.0.0.1:%d' % port, protocol='http', access_key_id=access_key_id,
                                       access_key_secret=access_key_secret, security_token=security_token)
    if signature_algorithm:
        config.signature_algorithm = signature_algorithm
    return sts_client_module.Client(config)


def assume(port, role_arn=ROLE_ARN, session='ansible-pai', algorithm=None, **fields):
    client = sts_client(port, signature_algorithm=algorithm,
                        **{k: fields.pop(k) for k in ('access_key_id', 'access_key_secret', 'security_token')
                           if k in fields})
    return client.assume_role(sts_models.AssumeRoleRequest(role_arn=role_arn, role_session_name=session, **fields)).body


def assume_oidc(port, token=OIDC_TOKEN, provider_arn=PROVIDER_ARN, role_arn=ROLE_ARN, session='rrsa-session', **fields):
    request = sts_models.AssumeRoleWithOIDCRequest(role_arn=role_arn, oidcprovider_arn=provider_arn, oidctoken=token,
                                                   role_session_name=session, **fields)
    return sts_client(port, anonymous=True).assume_role_with_oidc(request).body


def sdk_failure(call, *args, **kwargs):
    with pytest.raises(openapi_exceptions.AlibabaCloudException) as info:
        call(*args, **kwargs)
    return info.value


@pytest.fixture(autouse=True)
def no_instance_metadata(monkeypatch):
    """alibabacloud-credentials reads its environment at import time: keep its ECS provider off by default."""
    monkeypatch.setattr(credentials_auth_util, 'environment_ecs_metadata_disabled', 'true')


@pytest.fixture
def pai_works(make_sdk_client, sdk_models):
    """pai_works(key, secret, token): True when a PAI request signed with the pair succeeds, else the error code."""
    def check(access_key_id, access_key_secret, security_token):
        client = make_sdk_client(access_key_id=access_key_id, access_key_secret=access_key_secret,
                                 security_token=security_token)
        try:
            client.list_workspaces(sdk_models.ListWorkspacesRequest())
        except openapi_exceptions.AlibabaCloudException as exc:
            return exc.code
        return True
    return check


def sts_record(admin, access_key_id):
    return admin._ok('GET', 'sts')['issued'][access_key_id]


# --- AssumeRole through the official STS SDK -----------------------------------------------------------------------

@pytest.mark.parametrize('algorithm', [None, 'v2'], ids=['sdk-default-acs3', 'sdk-v2'])
def test_assume_role_answers_like_sts_and_the_pair_signs_pai(emulator, admin, pai_works, algorithm):
    body = assume(emulator.port, algorithm=algorithm, policy=POLICY_WITH_SPACES, external_id='pai-external-id',
                  duration_seconds=1800)
    data = body.to_map()
    assert set(data) == {'RequestId', 'AssumedRoleUser', 'Credentials'}
    assert re.match(r'^[0-9A-F-]{36}$', data['RequestId'])
    assert data['AssumedRoleUser']['Arn'] == ROLE_ARN + '/ansible-pai'
    assert re.match(r'^\d{18}:ansible-pai$', data['AssumedRoleUser']['AssumedRoleId'])
    credentials = data['Credentials']
    assert set(credentials) == {'AccessKeyId', 'AccessKeySecret', 'SecurityToken', 'Expiration'}
    assert STS_KEY.match(credentials['AccessKeyId'])
    assert UTC_SECONDS.match(credentials['Expiration'])
    expiration = datetime.datetime.strptime(credentials['Expiration'], '%Y-%m-%dT%H:%M:%SZ').replace(
        tzinfo=datetime.timezone.utc).timestamp()
    assert abs(expiration - (time.time() + 1800)) < 5
    record = sts_record(admin, credentials['AccessKeyId'])
    assert_identity(record, {'Source': 'AssumeRole', 'SignatureVersion': algorithm or 'v3',
                             'SourceAccessKeyId': ACCESS_KEY_ID, 'SourceRoleArn': None, 'RoleArn': ROLE_ARN,
                             'RoleSessionName': 'ansible-pai', 'AssumedRoleArn': ROLE_ARN + '/ansible-pai',
                             'AssumedRoleId': data['AssumedRoleUser']['AssumedRoleId'],
                             'ExternalId': 'pai-external-id', 'Policy': POLICY_WITH_SPACES, 'DurationSeconds': 1800,
                             'Expiration': credentials['Expiration'], 'Expired': False, 'OIDCProviderArn': None})
    assert 'AccessKeySecret' not in record and 'SecurityToken' not in record
    assert pai_works(credentials['AccessKeyId'], credentials['AccessKeySecret'], credentials['SecurityToken']) is True
    # the request log never shows a signature or a token
    entries = [entry for entry in admin.requests() if entry['action'] == 'AssumeRole']
    assert entries[0]['status'] == 200
    text = json.dumps(admin.requests())
    assert credentials['SecurityToken'] not in text and credentials['AccessKeySecret'] not in text


def test_default_duration_is_an_hour(emulator, admin):
    body = assume(emulator.port)
    assert sts_record(admin, body.credentials.access_key_id)['DurationSeconds'] == 3600


INVALID_INPUTS = [
    ({'role_arn': None}, 400, 'MissingRoleArn'),
    ({'role_arn': ''}, 400, 'MissingRoleArn'),
    ({'role_arn': 'acs:ram::123:user/alice'}, 400, 'InvalidParameter.RoleArn'),
    ({'role_arn': 'arn:aws:iam::123456789012:role/x'}, 400, 'InvalidParameter.RoleArn'),
    ({'role_session_name': None}, 400, 'MissingRoleSessionName'),
    ({'role_session_name': 'a'}, 400, 'InvalidParameter.RoleSessionName'),
    ({'role_session_name': 'a' * 65}, 400, 'InvalidParameter.RoleSessionName'),
    ({'role_session_name': 'with space'}, 400, 'InvalidParameter.RoleSessionName'),
    ({'role_session_name': 'star*'}, 400, 'InvalidParameter.RoleSessionName'),
    ({'duration_seconds': 899}, 400, 'InvalidParameter.DurationSeconds'),
    ({'duration_seconds': 43201}, 400, 'InvalidParameter.DurationSeconds'),
    ({'policy': 'not json'}, 400, 'InvalidParameter.PolicyGrammar'),
    ({'policy': '["a list"]'}, 400, 'InvalidParameter.PolicyGrammar'),
    ({'policy': json.dumps({'Version': '1', 'Statement': [], 'Pad': 'x' * 2048})}, 400, 'InvalidParameter.PolicySize'),
    ({'external_id': 'a'}, 400, 'InvalidParameter.ExternalId'),
    ({'external_id': 'has space'}, 400, 'InvalidParameter.ExternalId'),
    ({'external_id': 'x' * 1225}, 400, 'InvalidParameter.ExternalId'),
]


@pytest.mark.parametrize('fields, status, code', INVALID_INPUTS,
                         ids=['%s-%d' % (case[2], i) for i, case in enumerate(INVALID_INPUTS)])
def test_assume_role_refuses_invalid_input(emulator, admin, fields, status, code):
    request = {'role_arn': ROLE_ARN, 'role_session_name': 'ansible-pai'}
    request.update(fields)
    client = sts_client(emulator.port, signature_algorithm='v2')
    error = sdk_failure(client.assume_role, sts_models.AssumeRoleRequest(**request))
    assert (error.status_code, error.code) == (status, code)
    assert admin._ok('GET', 'sts')['issued'] == {}


def test_assume_role_accepts_the_limits(emulator, admin):
    long_policy = json.dumps({'Version': '1', 'Statement': [], 'P': 'x' * 2048})
    long_policy = long_policy[:2048 - 2] + '"}'
    assert len(long_policy) == 2048 and json.loads(long_policy)
    for fields in ({'duration_seconds': 900}, {'duration_seconds': 43200}, {'session': 'ab'},
                   {'session': 'a.b@c-d_e' + 'x' * 55}, {'external_id': 'ab'},
                   {'external_id': 'a_+=,.@:/-' + 'x' * 1214}, {'policy': long_policy}):
        assert STS_KEY.match(assume(emulator.port, **fields).credentials.access_key_id)


def test_assume_role_authentication_failures(emulator, admin):
    port = emulator.port
    error = sdk_failure(assume, port, access_key_id='unknown-key', access_key_secret='x')
    assert (error.status_code, error.code) == (404, 'InvalidAccessKeyId.NotFound')
    for algorithm in (None, 'v2'):
        error = sdk_failure(assume, port, access_key_secret='wrong-secret', algorithm=algorithm)
        assert (error.status_code, error.code) == (400, 'SignatureDoesNotMatch')
        assert 'server string to sign is:' in error.message
    response = send_sts(port, signed_query({'RoleArn': ROLE_ARN, 'RoleSessionName': 'ansible-pai'},
                                           secret='wrong-secret'))
    assert (response.status, response.code) == (400, 'SignatureDoesNotMatch')
    assert 'server string to sign is:GET&%2F&AccessKeyId%3D' + ACCESS_KEY_ID + '%26Action%3DAssumeRole%26Format' \
        in response.json['Message']
    assert set(response.json) == {'RequestId', 'HostId', 'Code', 'Message', 'Recommend'}
    assert 'product=Sts' in response.json['Recommend']
    stale = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=16)).strftime(
        '%Y-%m-%dT%H:%M:%SZ')
    response = send_sts(port, signed_query({'RoleArn': ROLE_ARN, 'RoleSessionName': 'ansible-pai'}, timestamp=stale))
    assert (response.status, response.code) == (400, 'InvalidTimeStamp.Expired')
    response = send_sts(port, signed_query({'RoleArn': ROLE_ARN, 'RoleSessionName': 'ansible-pai'},
                                           timestamp='2026-01-02 03:04:05'))
    assert (response.status, response.code) == (400, 'InvalidTimeStamp.Format')
    query = signed_query({'RoleArn': ROLE_ARN, 'RoleSessionName': 'ansible-pai'})
    assert send_sts(port, query).status == 200
    response = send_sts(port, query)
    assert (response.status, response.code) == (400, 'SignatureNonceUsed')
    for name in ('AccessKeyId', 'Signature', 'Timestamp', 'SignatureNonce', 'SignatureMethod', 'Version'):
        query = signed_query({'RoleArn': ROLE_ARN, 'RoleSessionName': 'ansible-pai'})
        del query[name]
        response = send_sts(port, query)
        assert (response.status, response.code) == (400, 'MissingParameter'), name
    response = send_sts(port, signed_query({'RoleArn': ROLE_ARN, 'RoleSessionName': 'ansible-pai',
                                            'SignatureMethod': 'HMAC-SHA256'}))
    assert (response.status, response.code) == (400, 'IncompleteSignature')
    response = send_sts(port, signed_query({'RoleArn': ROLE_ARN, 'RoleSessionName': 'ansible-pai',
                                            'Version': '2021-02-04'}))
    assert (response.status, response.code) == (400, 'InvalidVersion')
    response = send_sts(port, signed_query({'Action': 'GetCallerIdentity'}))
    assert (response.status, response.code) == (404, 'InvalidAction.NotFound')
    assert all(entry['query'].get('Signature') in (None, '***') for entry in admin.requests())


def test_acs3_signed_requests_name_the_sts_version(emulator, raw_api):
    query = {'RoleArn': ROLE_ARN, 'RoleSessionName': 'acs3'}
    response = raw_api.v3('POST', '/', query=query, action='AssumeRole')  # x-acs-version 2021-02-04 (PAI's)
    assert (response.status, response.code) == (400, 'InvalidVersion')
    response = raw_api.v3('POST', '/', query=query, action='AssumeRole', extra_headers={'x-acs-version': '2015-04-01'})
    assert response.status == 200, response.json
    response = raw_api.v3('POST', '/', query=dict(query, Action='AssumeRoleWithOIDC'), action='AssumeRole',
                          extra_headers={'x-acs-version': '2015-04-01'})
    assert (response.status, response.code) == (400, 'InvalidAction.Mismatch')
    response = raw_api.v3('POST', '/', query=query, extra_headers={'x-acs-version': '2015-04-01'})
    assert (response.status, response.code) == (400, 'MissingParameter')


def test_a_post_form_body_is_signed_with_the_query(emulator, admin):
    query = signed_query({'RoleArn': ROLE_ARN, 'RoleSessionName': 'form-post'}, method='POST')
    response = send_sts(emulator.port, query, method='POST')
    assert response.status == 200, response.json
    entry = admin.requests()[-1]
    assert entry['method'] == 'POST' and entry['body']['Signature'] == '***'
    assert entry['body']['RoleSessionName'] == 'form-post'
    query = signed_query({'RoleArn': ROLE_ARN, 'RoleSessionName': 'form-post'}, method='GET')
    assert send_sts(emulator.port, query, method='POST').code == 'SignatureDoesNotMatch'


def test_chained_roles_and_sts_key_checks(emulator, admin, pai_works):
    port = emulator.port
    first = assume(port, session='first').credentials
    for algorithm in (None, 'v2'):
        second = assume(port, role_arn=OTHER_ROLE_ARN, session='second', algorithm=algorithm,
                        access_key_id=first.access_key_id, access_key_secret=first.access_key_secret,
                        security_token=first.security_token).credentials
        record = sts_record(admin, second.access_key_id)
        assert_identity(record, {'SourceAccessKeyId': first.access_key_id, 'SourceRoleArn': ROLE_ARN,
                                 'RoleArn': OTHER_ROLE_ARN, 'RoleSessionName': 'second'})
        assert pai_works(second.access_key_id, second.access_key_secret, second.security_token) is True
    # the SecurityToken of an STS key is required and must match; a token with a plain key is refused
    params = {'RoleArn': ROLE_ARN, 'RoleSessionName': 'ansible-pai'}
    response = send_sts(port, signed_query(params, first.access_key_id, first.access_key_secret))
    assert (response.status, response.code) == (400, 'MissingSecurityToken')
    response = send_sts(port, signed_query(params, first.access_key_id, first.access_key_secret, token='CAISwrong'))
    assert (response.status, response.code) == (400, 'InvalidSecurityToken.MisMatch')
    response = send_sts(port, signed_query(params, token=first.security_token))
    assert (response.status, response.code) == (400, 'InvalidSecurityToken.MisMatch')
    response = send_sts(port, signed_query(params, first.access_key_id, first.access_key_secret,
                                           token=first.security_token))
    assert response.status == 200
    # an expired STS key cannot assume a role any more
    real = time.time
    emulator.state.clock = lambda: real() + 3601
    response = send_sts(port, signed_query(params, first.access_key_id, first.access_key_secret,
                                           token=first.security_token, timestamp=datetime.datetime.fromtimestamp(
                                               real() + 3601, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')))
    assert (response.status, response.code) == (400, 'InvalidSecurityToken.Expired')


def test_denied_switch_refuses_both_actions(emulator, admin):
    admin.set_behaviours(sts_assume_role='denied')
    for algorithm in (None, 'v2'):
        error = sdk_failure(assume, emulator.port, algorithm=algorithm)
        assert (error.status_code, error.code) == (403, 'NoPermission')
    error = sdk_failure(assume_oidc, emulator.port)
    assert (error.status_code, error.code) == (403, 'NoPermission')
    assert admin._ok('GET', 'sts')['issued'] == {}
    admin.set_behaviours(sts_assume_role='allowed')
    assert STS_KEY.match(assume(emulator.port).credentials.access_key_id)


def test_configured_roles_external_id_and_session_limit(emulator, admin):
    port = emulator.port
    admin._ok('POST', 'sts', {'roles': [{'RoleArn': ROLE_ARN, 'ExternalId': 'pai-external-id'},
                                        {'RoleArn': OTHER_ROLE_ARN, 'MaxSessionDuration': 3600}]})
    error = sdk_failure(assume, port, role_arn='acs:ram::%s:role/unknown' % ACCOUNT)
    assert (error.status_code, error.code) == (404, 'EntityNotExist.Role')
    error = sdk_failure(assume, port)
    assert (error.status_code, error.code) == (403, 'NoPermission')
    error = sdk_failure(assume, port, external_id='other-id')
    assert (error.status_code, error.code) == (403, 'NoPermission')
    body = assume(port, external_id='pai-external-id')
    assert sts_record(admin, body.credentials.access_key_id)['ExternalId'] == 'pai-external-id'
    error = sdk_failure(assume, port, role_arn=OTHER_ROLE_ARN, duration_seconds=3601)
    assert (error.status_code, error.code) == (400, 'InvalidParameter.DurationSeconds')
    assume(port, role_arn=OTHER_ROLE_ARN.upper().replace('ACS:RAM', 'acs:ram').replace(':ROLE/', ':role/'),
           duration_seconds=3600, external_id='ignored-here')
    admin.reset()
    assert admin._ok('GET', 'sts')['roles'] is None
    assume(port, role_arn='acs:ram::%s:role/unknown' % ACCOUNT)


def test_sts_duration_expired_switch(emulator, admin, pai_works):
    admin.set_behaviours(sts_duration='expired')
    now = time.time()
    emulator.state.clock = lambda: now
    credentials = assume(emulator.port).credentials
    expiration = datetime.datetime.strptime(credentials.expiration, '%Y-%m-%dT%H:%M:%SZ').replace(
        tzinfo=datetime.timezone.utc).timestamp()
    assert int(now) <= expiration <= now + 1
    pair = (credentials.access_key_id, credentials.access_key_secret, credentials.security_token)
    assert pai_works(*pair) is True
    emulator.state.clock = lambda: now + 1.5
    assert pai_works(*pair) == 'InvalidSecurityToken.Expired'
    record = sts_record(admin, credentials.access_key_id)
    assert record['Expired'] is True and record['DurationSeconds'] == 3600
    oidc = assume_oidc(emulator.port).credentials
    emulator.state.clock = lambda: now + 3
    assert pai_works(oidc.access_key_id, oidc.access_key_secret, oidc.security_token) == 'InvalidSecurityToken.Expired'


def test_faults_apply_to_sts_only_by_name(emulator, admin):
    admin.fault(action='*', type='error')
    assert STS_KEY.match(assume(emulator.port).credentials.access_key_id)
    admin.clear_faults()
    admin.fault(action='AssumeRole', type='throttling')
    error = sdk_failure(assume, emulator.port)
    assert (error.status_code, error.code) == (400, 'Throttling.User')
    assert admin.requests()[-1]['fault'] == 'throttling'
    assert STS_KEY.match(assume(emulator.port).credentials.access_key_id)


# --- AssumeRoleWithOIDC --------------------------------------------------------------------------------------------

def test_assume_role_with_oidc_through_the_sdk(emulator, admin, pai_works):
    body = assume_oidc(emulator.port, policy=POLICY)
    data = body.to_map()
    assert data['AssumedRoleUser']['Arn'] == ROLE_ARN + '/rrsa-session'
    assert data['OIDCTokenInfo']['Subject'] == 'system:serviceaccount:pai:deployer'
    assert data['OIDCTokenInfo']['ClientIds'] == 'sts.aliyuncs.com'
    record = sts_record(admin, data['Credentials']['AccessKeyId'])
    assert_identity(record, {'Source': 'AssumeRoleWithOIDC', 'SourceAccessKeyId': None, 'RoleArn': ROLE_ARN,
                             'RoleSessionName': 'rrsa-session', 'OIDCProviderArn': PROVIDER_ARN,
                             'OIDCSubject': 'system:serviceaccount:pai:deployer', 'Policy': POLICY})
    credentials = data['Credentials']
    assert pai_works(credentials['AccessKeyId'], credentials['AccessKeySecret'], credentials['SecurityToken']) is True
    entry = admin.requests()[0]
    assert entry['action'] == 'AssumeRoleWithOIDC' and entry['query']['OIDCToken'] == '***'
    assert OIDC_TOKEN not in json.dumps(admin.requests()) + json.dumps(admin._ok('GET', 'sts'))


def test_assume_role_with_oidc_unsigned_get(emulator, admin):
    query = {'Action': 'AssumeRoleWithOIDC', 'Format': 'JSON', 'Version': '2015-04-01', 'DurationSeconds': '900',
             'RoleArn': ROLE_ARN, 'OIDCProviderArn': PROVIDER_ARN, 'OIDCToken': OIDC_TOKEN,
             'RoleSessionName': 'rrsa-session', 'Timestamp': utc_now()}
    response = send_sts(emulator.port, query)
    assert response.status == 200, response.json
    assert sts_record(admin, response.json['Credentials']['AccessKeyId'])['DurationSeconds'] == 900
    for name, code in (('RoleArn', 'MissingRoleArn'), ('OIDCProviderArn', 'MissingOIDCProviderArn'),
                       ('OIDCToken', 'MissingOIDCToken'), ('RoleSessionName', 'MissingRoleSessionName'),
                       ('Timestamp', 'MissingParameter')):
        partial = dict(query)
        del partial[name]
        response = send_sts(emulator.port, partial)
        assert (response.status, response.code) == (400, code), name
    for name, value, code in (('OIDCProviderArn', 'acs:ram::1:role/x', 'InvalidParameter.OIDCProviderArn'),
                              ('OIDCToken', 'not-a-jwt', 'AuthenticationFail.OIDCToken.Invalid'),
                              ('OIDCToken', 'a.b.c', 'AuthenticationFail.OIDCToken.Invalid'),
                              ('OIDCToken', jwt({'sub': 'x', 'exp': 1000}), 'AuthenticationFail.OIDCToken.Expired'),
                              ('Timestamp', '2020-01-01T00:00:00Z', 'InvalidTimeStamp.Expired')):
        response = send_sts(emulator.port, dict(query, **{name: value}))
        assert (response.status, response.code) == (400, code), (name, value)
    assert 'not-a-jwt' not in json.dumps(admin.requests())


def test_registered_oidc_tokens_and_providers(emulator, admin):
    other_provider = 'acs:ram::%s:oidc-provider/other' % ACCOUNT
    view = admin._ok('POST', 'sts', {'oidc_providers': [PROVIDER_ARN, other_provider],
                                     'oidc_tokens': [{'Token': 'opaque-token-1', 'ProviderArn': PROVIDER_ARN,
                                                      'Subject': 'ci-runner'}]})
    assert view['oidc_tokens'] == [{'ProviderArn': PROVIDER_ARN, 'Subject': 'ci-runner', 'Issuer': None}]
    body = assume_oidc(emulator.port, token='opaque-token-1')
    assert sts_record(admin, body.credentials.access_key_id)['OIDCSubject'] == 'ci-runner'
    error = sdk_failure(assume_oidc, emulator.port, token='opaque-token-1', provider_arn=other_provider)
    assert (error.status_code, error.code) == (400, 'AuthenticationFail.OIDCToken.Invalid')
    error = sdk_failure(assume_oidc, emulator.port, provider_arn='acs:ram::%s:oidc-provider/unknown' % ACCOUNT)
    assert (error.status_code, error.code) == (404, 'EntityNotExist.OIDCProvider')
    admin._ok('POST', 'sts', {'roles': [OTHER_ROLE_ARN]})
    error = sdk_failure(assume_oidc, emulator.port)
    assert (error.status_code, error.code) == (404, 'EntityNotExist.Role')
    assert 'opaque-token-1' not in json.dumps(admin._ok('GET', 'sts'))


# --- the admin endpoint ---------------------------------------------------------------------------------------------

def test_sts_admin_view_configuration_and_reset(emulator, admin):
    view = admin._ok('GET', 'sts')
    assert view == {'account_id': EMULATOR_ACCOUNT, 'issued': {}, 'roles': None, 'oidc_providers': None,
                    'oidc_tokens': [], 'ecs_role_name': 'EcsRamRoleDemo',
                    'credentials_uri_role_arn': 'acs:ram::%s:role/CredentialsUriDemo' % EMULATOR_ACCOUNT}
    for body, name in (({'colour': 'red'}, 'colour'), ({'roles': [{'RoleArn': 'x'}]}, 'roles.1.RoleArn'),
                       ({'roles': [{'RoleArn': ROLE_ARN, 'MaxSessionDuration': 100}]}, 'roles.1.MaxSessionDuration'),
                       ({'roles': [ROLE_ARN], 'oidc_providers': ['bad']}, 'oidc_providers'),
                       ({'oidc_tokens': [{'Token': '', 'ProviderArn': PROVIDER_ARN}]}, 'oidc_tokens.1.Token'),
                       ({'ecs_role_name': 'bad name'}, 'ecs_role_name'),
                       ({'credentials_uri_role_arn': 'x'}, 'credentials_uri_role_arn')):
        status, error = admin.call('POST', 'sts', body)
        assert (status, error['Code']) == (400, 'InvalidParameter'), body
        assert name in error['Message']
    assert admin._ok('GET', 'sts') == view  # all or nothing
    admin._ok('POST', 'sts', {'roles': [ROLE_ARN], 'ecs_role_name': None, 'credentials_uri_role_arn': None})
    assume(emulator.port)
    changed = admin._ok('GET', 'sts')
    assert changed['roles'] == [{'RoleArn': ROLE_ARN, 'ExternalId': None, 'MaxSessionDuration': 43200}]
    assert len(changed['issued']) == 1
    key = next(iter(changed['issued']))
    assert key in emulator.state.credentials
    admin.reset()
    assert admin._ok('GET', 'sts') == view
    assert key not in emulator.state.credentials
    assert set(admin.state()) == {'workspaces', 'deleted_workspaces', 'connections', 'models', 'model_versions'}


# --- ECS instance metadata -----------------------------------------------------------------------------------------

ROLES = '/latest/meta-data/ram/security-credentials/'
TOKEN_TTL = {'X-aliyun-ecs-metadata-token-ttl-seconds': '21600'}


def metadata_token(port):
    status, token = http_text(port, 'PUT', '/latest/api/token', TOKEN_TTL)
    assert status == 200 and token
    return token


def test_metadata_v2_default(emulator, admin, pai_works):
    port = emulator.port
    token = metadata_token(port)
    with_token = {'X-aliyun-ecs-metadata-token': token}
    assert http_text(port, 'GET', ROLES, with_token) == (200, 'EcsRamRoleDemo')
    assert http_text(port, 'GET', ROLES) == (200, 'EcsRamRoleDemo')  # v1 works too
    assert http_text(port, 'GET', ROLES.rstrip('/')) == (200, 'EcsRamRoleDemo')
    assert http_text(port, 'GET', ROLES, {'X-aliyun-ecs-metadata-token': 'forged'})[0] == 401
    status, text = http_text(port, 'GET', ROLES + 'EcsRamRoleDemo', with_token)
    assert status == 200
    data = json.loads(text)
    assert list(data) == ['AccessKeyId', 'AccessKeySecret', 'Expiration', 'SecurityToken', 'LastUpdated', 'Code']
    assert data['Code'] == 'Success' and STS_KEY.match(data['AccessKeyId'])
    assert UTC_SECONDS.match(data['Expiration']) and UTC_SECONDS.match(data['LastUpdated'])
    assert json.loads(http_text(port, 'GET', ROLES + 'EcsRamRoleDemo')[1]) == data  # the same pair until it expires
    assert pai_works(data['AccessKeyId'], data['AccessKeySecret'], data['SecurityToken']) is True
    assert_identity(sts_record(admin, data['AccessKeyId']), SDK_IDENTITIES['ecs_ram_role'])
    assert http_text(port, 'GET', ROLES + 'OtherRole')[0] == 404
    assert http_text(port, 'GET', '/latest/meta-data/instance-id') == (200, 'i-emulator000000000001')
    assert http_text(port, 'GET', '/latest/meta-data/region-id') == (200, 'cn-hangzhou')
    assert http_text(port, 'GET', '/latest/meta-data/nothing')[0] == 404
    assert http_text(port, 'GET', '/latest/api/token')[0] == 405
    # the token's TTL header is required, 1..21600; an expired token is refused
    assert http_text(port, 'PUT', '/latest/api/token')[0] == 400
    for ttl in ('0', '21601', 'abc'):
        assert http_text(port, 'PUT', '/latest/api/token', {'X-aliyun-ecs-metadata-token-ttl-seconds': ttl})[0] == 400
    status, short = http_text(port, 'PUT', '/latest/api/token', {'X-aliyun-ecs-metadata-token-ttl-seconds': '5'})
    real = time.time
    emulator.state.clock = lambda: real() + 6
    assert http_text(port, 'GET', ROLES, {'X-aliyun-ecs-metadata-token': short})[0] == 401
    actions = [entry['action'] for entry in admin.requests()]
    assert {'MetadataToken', 'MetadataRoleName', 'MetadataRoleCredentials', 'Metadata'} <= set(actions)
    assert token not in json.dumps(admin.requests())


def test_metadata_v2_required(emulator, admin):
    admin.set_behaviours(ecs_metadata='v2_required')
    port = emulator.port
    assert http_text(port, 'GET', ROLES)[0] == 401
    assert http_text(port, 'GET', ROLES + 'EcsRamRoleDemo')[0] == 401
    token = metadata_token(port)
    assert http_text(port, 'GET', ROLES, {'X-aliyun-ecs-metadata-token': token}) == (200, 'EcsRamRoleDemo')


def test_metadata_v1_only(emulator, admin):
    admin.set_behaviours(ecs_metadata='v1_only')
    port = emulator.port
    assert http_text(port, 'PUT', '/latest/api/token', TOKEN_TTL)[0] == 404
    assert http_text(port, 'GET', ROLES) == (200, 'EcsRamRoleDemo')
    assert http_text(port, 'GET', ROLES, {'X-aliyun-ecs-metadata-token': 'ignored'}) == (200, 'EcsRamRoleDemo')
    assert json.loads(http_text(port, 'GET', ROLES + 'EcsRamRoleDemo')[1])['Code'] == 'Success'


def test_metadata_unreachable_drops_the_connection(emulator, admin):
    admin.set_behaviours(ecs_metadata='unreachable')
    for method, path, headers in (('PUT', '/latest/api/token', TOKEN_TTL), ('GET', ROLES, {}),
                                  ('GET', ROLES + 'EcsRamRoleDemo', {})):
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            http_text(emulator.port, method, path, headers)
    assert [entry['status'] for entry in admin.requests()] == [None, None, None]
    assert admin._ok('GET', 'sts')['issued'] == {}


def test_metadata_role_configuration(emulator, admin):
    port = emulator.port
    admin._ok('POST', 'sts', {'ecs_role_name': 'PaiAutomation'})
    assert http_text(port, 'GET', ROLES) == (200, 'PaiAutomation')
    assert http_text(port, 'GET', ROLES + 'EcsRamRoleDemo')[0] == 404
    data = json.loads(http_text(port, 'GET', ROLES + 'PaiAutomation')[1])
    assert sts_record(admin, data['AccessKeyId'])['RoleArn'] == 'acs:ram::%s:role/PaiAutomation' % EMULATOR_ACCOUNT
    admin._ok('POST', 'sts', {'ecs_role_name': None})
    assert http_text(port, 'GET', ROLES)[0] == 404
    assert http_text(port, 'GET', ROLES + 'PaiAutomation')[0] == 404


def test_metadata_pair_is_renewed_after_expiry(emulator, admin):
    admin.set_behaviours(sts_duration='expired')
    now = time.time()
    emulator.state.clock = lambda: now
    first = json.loads(http_text(emulator.port, 'GET', ROLES + 'EcsRamRoleDemo')[1])
    assert json.loads(http_text(emulator.port, 'GET', ROLES + 'EcsRamRoleDemo')[1]) == first
    emulator.state.clock = lambda: now + 2
    second = json.loads(http_text(emulator.port, 'GET', ROLES + 'EcsRamRoleDemo')[1])
    assert second['AccessKeyId'] != first['AccessKeyId']


# --- credentials URI -------------------------------------------------------------------------------------------

def test_credentials_uri(emulator, admin, pai_works):
    response = RawApi(emulator.port).send('GET', '/_credentials')
    assert response.status == 200
    data = response.json
    assert set(data) == {'Code', 'AccessKeyId', 'AccessKeySecret', 'SecurityToken', 'Expiration', 'LastUpdated'}
    assert data['Code'] == 'Success' and STS_KEY.match(data['AccessKeyId'])
    assert pai_works(data['AccessKeyId'], data['AccessKeySecret'], data['SecurityToken']) is True
    assert_identity(sts_record(admin, data['AccessKeyId']), SDK_IDENTITIES['credentials_uri'])
    assert RawApi(emulator.port).send('POST', '/_credentials').status == 405
    admin.fault(action='CredentialsUri', type='unavailable')
    response = RawApi(emulator.port).send('GET', '/_credentials')
    assert (response.status, response.code) == (503, 'ServiceUnavailable')
    admin._ok('POST', 'sts', {'credentials_uri_role_arn': OTHER_ROLE_ARN})
    data = RawApi(emulator.port).send('GET', '/_credentials').json
    assert sts_record(admin, data['AccessKeyId'])['RoleArn'] == OTHER_ROLE_ARN
    admin._ok('POST', 'sts', {'credentials_uri_role_arn': None})
    assert RawApi(emulator.port).send('GET', '/_credentials').status == 404


# --- our signer against the SDK's --------------------------------------------------------------------------------

def test_the_reference_vector():
    assert rpc_string_to_sign('GET', VECTOR_QUERY) == VECTOR_STRING_TO_SIGN
    assert rpc_signature('testsecret', 'GET', VECTOR_QUERY) == VECTOR_SIGNATURE
    assert openapi_utils.Utils.get_rpcsignature(VECTOR_QUERY, 'GET', 'testsecret') == VECTOR_SIGNATURE
    assert pai_emulator.auth.rpc_string_to_sign('GET', VECTOR_QUERY) == VECTOR_STRING_TO_SIGN
    string_to_sign = credentials_parameter_helper.compose_string_to_sign('GET', VECTOR_QUERY)
    assert string_to_sign == VECTOR_STRING_TO_SIGN
    assert credentials_parameter_helper.sign_string(string_to_sign, 'testsecret&') == VECTOR_SIGNATURE


def test_the_emulator_accepts_the_reference_vector(emulator, admin):
    emulator.state.clock = lambda: datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc).timestamp()
    admin.seed(credentials=[{'access_key_id': 'testid', 'access_key_secret': 'testsecret'}])
    response = send_sts(emulator.port, dict(VECTOR_QUERY, Signature=VECTOR_SIGNATURE))
    assert response.status == 200, response.json
    assert response.json['AssumedRoleUser']['Arn'] == 'acs:ram::123456789012****:role/adminrole/ansible-pai'


class Capture:
    """A stub STS that records the raw request and answers a fixed AssumeRole body."""

    def __init__(self):
        import http.server
        import threading
        captured = self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self):
                length = int(self.headers.get('content-length') or 0)
                captured.append((self.command, self.path, self.rfile.read(length)))
                data = json.dumps({'RequestId': 'R', 'AssumedRoleUser': {'Arn': 'a', 'AssumedRoleId': 'b'},
                                   'Credentials': {'AccessKeyId': 'STS.x', 'AccessKeySecret': 's',
                                                   'SecurityToken': 't', 'Expiration': '2999-01-01T00:00:00Z'}})
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data.encode('utf-8'))

            do_GET = do_POST = _any

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def capture():
    stub = Capture()
    yield stub
    stub.stop()


def captured_query(entry):
    method, path, dummy = entry
    return method, dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query, keep_blank_values=True))


@pytest.mark.parametrize('policy', [POLICY, POLICY_WITH_SPACES, None], ids=['policy', 'policy-with-spaces', 'none'])
def test_our_signature_equals_the_sts_sdk_v2(capture, policy):
    client = sts_client(capture.port, security_token='CAIS+/=token', signature_algorithm='v2')
    client.assume_role(sts_models.AssumeRoleRequest(role_arn=ROLE_ARN, role_session_name='ansible-pai',
                                                    policy=policy, external_id='a:b/c=d', duration_seconds=900))
    method, query = captured_query(capture.requests[0])
    assert method == 'POST' and query['SecurityToken'] == 'CAIS+/=token' and query['Format'] == 'json'
    signature = query.pop('Signature')
    assert rpc_signature(ACCESS_KEY_SECRET, method, query) == signature


@pytest.mark.parametrize('policy', [POLICY, None], ids=['policy', 'none'])
def test_our_signature_equals_alibabacloud_credentials(capture, policy):
    config = credentials_models.Config(type='ram_role_arn', access_key_id=ACCESS_KEY_ID,
                                       access_key_secret=ACCESS_KEY_SECRET, role_arn=ROLE_ARN,
                                       role_session_name='ansible-pai', policy=policy, external_id='pai-external-id',
                                       sts_endpoint='http://127.0.0.1:%d' % capture.port)
    credentials_client.Client(config).get_credential()
    method, query = captured_query(capture.requests[0])
    assert method == 'GET'
    signature = query.pop('Signature')
    assert rpc_signature(ACCESS_KEY_SECRET, method, query) == signature


def test_alibabacloud_credentials_signs_a_space_differently(capture, emulator):
    """credentials-python encodes a space as "+" (quote_plus); the SDK and we use %20 (RFC 3986). The emulator checks
    RFC 3986, so it refuses credentials-python's AssumeRole when a value holds a space."""
    config = credentials_models.Config(type='ram_role_arn', access_key_id=ACCESS_KEY_ID,
                                       access_key_secret=ACCESS_KEY_SECRET, role_arn=ROLE_ARN,
                                       role_session_name='ansible-pai', policy=POLICY_WITH_SPACES,
                                       sts_endpoint='http://127.0.0.1:%d' % capture.port)
    credentials_client.Client(config).get_credential()
    method, query = captured_query(capture.requests[0])
    signature = query.pop('Signature')
    assert rpc_signature(ACCESS_KEY_SECRET, method, query) != signature
    assert openapi_utils.Utils.get_rpcsignature(query, method, ACCESS_KEY_SECRET) != signature
    query['SignatureNonce'] = uuid.uuid4().hex
    query['Timestamp'] = utc_now()
    theirs = dict(query, Signature=credentials_parameter_helper.sign_string(
        credentials_parameter_helper.compose_string_to_sign(method, query), ACCESS_KEY_SECRET + '&'))
    assert send_sts(emulator.port, theirs).code == 'SignatureDoesNotMatch'
    query['SignatureNonce'] = uuid.uuid4().hex
    assert send_sts(emulator.port, dict(query, Signature=rpc_signature(ACCESS_KEY_SECRET, method, query))).status == 200


TRICKY = u' *~/+=&%?#:@!$\'()[],;"<>\\^`{|}é中文😀\t'
NAME_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~'


def random_query(index):
    rng = random.Random('sts-%d' % index)
    query = {}
    for dummy in range(rng.randint(1, 8)):
        name = ''.join(rng.choice(NAME_CHARS + (TRICKY if rng.random() < 0.2 else '')) for dummy in range(
            rng.randint(1, 10)))
        query[name] = ''.join(rng.choice(NAME_CHARS + TRICKY) for dummy in range(rng.randint(0, 30)))
    return rng.choice(['GET', 'POST']), query, ''.join(rng.choice(NAME_CHARS) for dummy in range(rng.randint(1, 40)))


@pytest.mark.parametrize('index', range(300))
def test_random_queries_sign_alike(index):
    method, query, secret = random_query(index)
    assert rpc_signature(secret, method, query) == openapi_utils.Utils.get_rpcsignature(query, method, secret)


@pytest.mark.parametrize('index', range(40))
def test_random_queries_pass_the_emulators_check(emulator, index):
    method, extra, dummy = random_query(index)
    extra = {'X' + name: value for name, value in extra.items()}  # never a parameter the STS reads
    query = signed_query(dict(extra, RoleArn=ROLE_ARN, RoleSessionName='random-%d' % index), method=method)
    response = send_sts(emulator.port, query, method=method)
    assert response.status == 200, response.json
    sdk = dict(query)
    sdk['SignatureNonce'] = uuid.uuid4().hex
    sdk['Signature'] = openapi_utils.Utils.get_rpcsignature(
        {k: v for k, v in sdk.items() if k != 'Signature'}, method, ACCESS_KEY_SECRET)
    assert send_sts(emulator.port, sdk, method=method).status == 200


# --- alibabacloud-credentials against the emulator -----------------------------------------------------------------

def test_alibabacloud_credentials_ram_role_arn(emulator, admin, pai_works):
    config = credentials_models.Config(type='ram_role_arn', access_key_id=ACCESS_KEY_ID,
                                       access_key_secret=ACCESS_KEY_SECRET, role_arn=ROLE_ARN,
                                       role_session_name='ansible-pai', policy=POLICY, external_id='pai-external-id',
                                       sts_endpoint='http://127.0.0.1:%d' % emulator.port)
    credential = credentials_client.Client(config).get_credential()
    assert credential.type == 'ram_role_arn'
    assert_identity(sts_record(admin, credential.access_key_id), SDK_IDENTITIES['ram_role_arn'])
    assert pai_works(credential.access_key_id, credential.access_key_secret, credential.security_token) is True
    config = credentials_models.Config(type='ram_role_arn', access_key_id=ACCESS_KEY_ID,
                                       access_key_secret=ACCESS_KEY_SECRET, role_arn=ROLE_ARN,
                                       sts_endpoint='http://127.0.0.1:%d' % emulator.port)
    credential = credentials_client.Client(config).get_credential()
    assert_identity(sts_record(admin, credential.access_key_id), SDK_IDENTITIES['ram_role_arn_default_session'])


def test_alibabacloud_credentials_chained_ram_role_arn(emulator, admin):
    first = assume(emulator.port, session='first').credentials
    config = credentials_models.Config(type='ram_role_arn', access_key_id=first.access_key_id,
                                       access_key_secret=first.access_key_secret,
                                       security_token=first.security_token, role_arn=OTHER_ROLE_ARN,
                                       role_session_name='chained', sts_endpoint='http://127.0.0.1:%d' % emulator.port)
    credential = credentials_client.Client(config).get_credential()
    assert_identity(sts_record(admin, credential.access_key_id),
                    {'Source': 'AssumeRole', 'SourceAccessKeyId': first.access_key_id, 'SourceRoleArn': ROLE_ARN,
                     'RoleArn': OTHER_ROLE_ARN, 'RoleSessionName': 'chained'})


def run_credentials_python(environment, script):
    """Run script in a fresh interpreter whose environment is only `environment` (the library reads it at import)."""
    env = {'PATH': os.environ.get('PATH', ''), 'HOME': tempfile.mkdtemp(prefix='pai-sts-home-'),
           'ALIBABA_CLOUD_ECS_METADATA_DISABLED': 'true', 'ALIBABA_CLOUD_CLI_PROFILE_DISABLED': 'true'}
    env.update(environment)
    try:
        done = subprocess.run([sys.executable, '-c', script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=60, check=False)
    finally:
        shutil.rmtree(env['HOME'], ignore_errors=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


PRINT_CREDENTIAL = ('import json; print(json.dumps({"id": c.get_access_key_id(), "secret": c.get_access_key_secret(), '
                    '"token": c.get_security_token(), "provider": c.get_provider_name()}))')


def test_alibabacloud_credentials_oidc_from_its_environment(emulator, admin, pai_works, tmp_path):
    token_file = tmp_path / 'token'
    token_file.write_text(OIDC_TOKEN)
    found = run_credentials_python({
        'ALIBABA_CLOUD_ROLE_ARN': ROLE_ARN, 'ALIBABA_CLOUD_OIDC_PROVIDER_ARN': PROVIDER_ARN,
        'ALIBABA_CLOUD_OIDC_TOKEN_FILE': str(token_file), 'ALIBABA_CLOUD_ROLE_SESSION_NAME': 'rrsa-session',
    }, 'import sys\nfrom alibabacloud_credentials.provider import OIDCRoleArnCredentialsProvider\n'
       # credentials-python 1.0.12 has no environment variable for the STS endpoint: it is passed here.
       'c = OIDCRoleArnCredentialsProvider(sts_endpoint="http://127.0.0.1:%d").get_credentials()\n' % emulator.port
       + PRINT_CREDENTIAL)
    assert found['provider'] == 'oidc_role_arn'
    assert_identity(sts_record(admin, found['id']), SDK_IDENTITIES['oidc_role_arn'])
    assert pai_works(found['id'], found['secret'], found['token']) is True
    assert OIDC_TOKEN not in json.dumps(admin.requests())


def test_alibabacloud_credentials_default_chain_uses_the_credentials_uri(emulator, admin, pai_works):
    found = run_credentials_python({'ALIBABA_CLOUD_CREDENTIALS_URI': 'http://127.0.0.1:%d/_credentials' % emulator.port},
                                   'from alibabacloud_credentials.client import Client\n'
                                   'c = Client().cloud_credential.provider.get_credentials()\n' + PRINT_CREDENTIAL)
    assert found['provider'] == 'default/credential_uri'
    assert_identity(sts_record(admin, found['id']), SDK_IDENTITIES['credentials_uri'])
    assert pai_works(found['id'], found['secret'], found['token']) is True
    assert [entry['action'] for entry in admin.requests() if entry['action'] != 'ListWorkspaces'] == ['CredentialsUri']


def test_alibabacloud_credentials_credentials_uri_config(emulator, admin):
    config = credentials_models.Config(type='credentials_uri',
                                       credentials_uri='http://127.0.0.1:%d/_credentials' % emulator.port)
    credential = credentials_client.Client(config).get_credential()
    assert_identity(sts_record(admin, credential.access_key_id), SDK_IDENTITIES['credentials_uri'])


def ecs_provider(port, monkeypatch, **options):
    """alibabacloud-credentials' ECS RAM role provider aimed at the emulator. Its metadata host (100.100.100.200) is
    hard-coded in a private attribute, with no option or environment variable to change it: this sets that
    attribute. The background refresh thread is left off."""
    monkeypatch.setattr(credentials_auth_util, 'environment_ecs_metadata_disabled', 'false')
    provider = ecs_provider_module.EcsRamRoleCredentialsProvider(async_update_enabled=False, **options)
    assert provider._EcsRamRoleCredentialsProvider__metadata_service_host == '100.100.100.200'
    provider._EcsRamRoleCredentialsProvider__metadata_service_host = '127.0.0.1:%d' % port
    return provider


@pytest.mark.parametrize('mode', ['v2', 'v2_required', 'v1_only'])
def test_alibabacloud_credentials_ecs_ram_role(emulator, admin, pai_works, monkeypatch, mode):
    admin.set_behaviours(ecs_metadata=mode)
    credentials = ecs_provider(emulator.port, monkeypatch).get_credentials()
    assert credentials.get_provider_name() == 'ecs_ram_role'
    assert_identity(sts_record(admin, credentials.get_access_key_id()), SDK_IDENTITIES['ecs_ram_role'])
    assert pai_works(credentials.get_access_key_id(), credentials.get_access_key_secret(),
                     credentials.get_security_token()) is True
    calls = [(entry['action'], entry['status']) for entry in admin.requests() if entry['action'] != 'ListWorkspaces']
    token_status = 404 if mode == 'v1_only' else 200
    assert calls == [('MetadataToken', token_status), ('MetadataRoleName', 200), ('MetadataToken', token_status),
                     ('MetadataRoleCredentials', 200)]


def test_alibabacloud_credentials_ecs_ram_role_refusals(emulator, admin, monkeypatch):
    admin.set_behaviours(ecs_metadata='v1_only')
    with pytest.raises(Exception) as info:
        ecs_provider(emulator.port, monkeypatch, disable_imds_v1=True).get_credentials()
    assert 'HttpCode=404' in str(info.value)
    admin.set_behaviours(ecs_metadata='unreachable')
    with pytest.raises(Exception):
        ecs_provider(emulator.port, monkeypatch, role_name='EcsRamRoleDemo').get_credentials()
    assert admin._ok('GET', 'sts')['issued'] == {}
