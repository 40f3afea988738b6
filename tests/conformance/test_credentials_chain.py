# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's credential sources (plugins/module_utils/_credentials.py) against the official
alibabacloud-credentials, source by source, on the emulator's STS, instance metadata service and credentials URI.

For every source both can use, each resolves credentials and the emulator's record of the pair it got
(GET /_emulator/sts) must name the same identity: the same Source kind, role, session name (where configured),
external id, policy and duration, and for a chain the same source identity. The official side is the oracle whose
answers test_sdk_sts.py records in SDK_IDENTITIES; ours must match those records too. Then: our AssumeRole is a
V2-signed GET the emulator accepts, for awkward values as well, and carries the parameters credentials-python's does.

Where the two differ by design, the test says so: the default session name (``alicloud-pai-<time>`` against
``credentials-python-<time>``), one IMDSv2 token per resolution instead of one per read, and a policy with spaces,
which we send compact (credentials-python signs a space as "+" and is refused).
"""

import json
import re
import urllib.parse

import pytest

import test_sdk_sts as sdk  # the oracle's records (SDK_IDENTITIES) and helpers; it also puts the collection on sys.path
from conftest import ACCESS_KEY_ID, ACCESS_KEY_SECRET

from ansible_collections.alicloud.pai.plugins.module_utils import _credentials  # noqa: E402
from ansible_collections.alicloud.pai.plugins.module_utils._client import PaiConfigError  # noqa: E402

credentials_client = sdk.credentials_client
credentials_models = sdk.credentials_models
credentials_auth_util = sdk.credentials_auth_util
cli_profile_module = pytest.importorskip('alibabacloud_credentials.provider.cli_profile')

ROLE_ARN = sdk.ROLE_ARN
OTHER_ROLE_ARN = sdk.OTHER_ROLE_ARN
PROVIDER_ARN = sdk.PROVIDER_ARN
POLICY = sdk.POLICY
EXTERNAL_ID = 'pai-external-id'
ECS_ROLE = 'EcsRamRoleDemo'

# The fields of an issued pair's record that say who it is (all but its key, times and expiry).
IDENTITY = ('Source', 'SignatureVersion', 'SourceAccessKeyId', 'SourceRoleArn', 'RoleArn', 'RoleSessionName',
            'AssumedRoleArn', 'AssumedRoleId', 'ExternalId', 'Policy', 'SourceIdentity', 'OIDCProviderArn',
            'OIDCSubject', 'DurationSeconds')


@pytest.fixture(autouse=True)
def official_environment(monkeypatch):
    """alibabacloud-credentials reads its environment at import time: no instance metadata unless a test aims its
    provider at the emulator, and the CLI profile file allowed (the tests give the file)."""
    monkeypatch.setattr(credentials_auth_util, 'environment_ecs_metadata_disabled', 'true')
    monkeypatch.setattr(credentials_auth_util, 'environment_cli_profile_disabled', 'false')


@pytest.fixture
def pai_works(make_sdk_client, sdk_models):
    """pai_works(key, secret, token): True when a PAI request signed with the pair succeeds, else the error code."""
    def check(access_key_id, access_key_secret, security_token):
        client = make_sdk_client(access_key_id=access_key_id, access_key_secret=access_key_secret,
                                 security_token=security_token)
        try:
            client.list_workspaces(sdk_models.ListWorkspacesRequest())
        except sdk.openapi_exceptions.AlibabaCloudException as exc:
            return exc.code
        return True
    return check


def issued(admin):
    return admin._ok('GET', 'sts')['issued']


def identity(record):
    return dict((key, record[key]) for key in IDENTITY)


def url(emulator):
    return 'http://127.0.0.1:%d' % emulator.port


def ours(emulator, environ=None, **options):
    """Our resolution (no session: requests, as a module does); options get the emulator as PAI and STS endpoint."""
    options.setdefault('endpoint', url(emulator))
    options.setdefault('sts_endpoint', url(emulator))
    credentials, dummy_region, dummy_endpoint = _credentials.resolve(options, environ or {}, session=None)
    return credentials


def write_profiles(tmp_path, *profiles):
    path = tmp_path / 'config.json'
    path.write_text(json.dumps({'current': profiles[0]['name'], 'profiles': list(profiles)}))
    return str(path)


def official_profile(path, name, emulator):
    """alibabacloud-credentials' CLI profile provider for profile ``name`` of ``path``. Version 1.0.12 takes the STS
    endpoint of a profile from its sts_region only (https://sts.<region>.aliyuncs.com): this aims every STS provider
    of the profile's chain at the emulator, through their _sts_endpoint attribute, before the first request."""
    provider = cli_profile_module.CLIProfileCredentialsProvider(profile_name=name, profile_file=path)
    with open(path) as handle:
        inner = provider._get_credentials_provider(json.load(handle), name)
    found = inner
    while found is not None:
        if hasattr(found, '_sts_endpoint'):
            assert found._sts_endpoint == 'sts.aliyuncs.com'
            found._sts_endpoint = url(emulator)
        found = getattr(found, '_credentials_provider', None)
    provider._CLIProfileCredentialsProvider__innerProvider = inner
    return provider.get_credentials()


def calls(admin, skip=('ListWorkspaces',)):
    return [(entry['action'], entry['status']) for entry in admin.requests() if entry['action'] not in skip]


def role_profile(name='role', **fields):
    profile = {'name': name, 'mode': 'RamRoleArn', 'access_key_id': ACCESS_KEY_ID,
               'access_key_secret': ACCESS_KEY_SECRET, 'ram_role_arn': ROLE_ARN, 'ram_session_name': 'ansible-pai'}
    profile.update(fields)
    return profile


# --- RamRoleArn ----------------------------------------------------------------------------------------------------

def test_ram_role_arn_same_identity_four_ways(emulator, admin, pai_works, tmp_path):
    """The official ram_role_arn config and RamRoleArn profile, our assume_role option and RamRoleArn profile: one
    identity, the one SDK_IDENTITIES records, with the role requiring its external id."""
    admin._ok('POST', 'sts', {'roles': [{'RoleArn': ROLE_ARN, 'ExternalId': EXTERNAL_ID}, OTHER_ROLE_ARN]})
    path = write_profiles(tmp_path, role_profile(external_id=EXTERNAL_ID, policy=POLICY))
    config = credentials_models.Config(type='ram_role_arn', access_key_id=ACCESS_KEY_ID,
                                       access_key_secret=ACCESS_KEY_SECRET, role_arn=ROLE_ARN,
                                       role_session_name='ansible-pai', policy=POLICY, external_id=EXTERNAL_ID,
                                       sts_endpoint=url(emulator))
    official_config = credentials_client.Client(config).get_credential()
    official_file = official_profile(path, 'role', emulator)
    ours_option = ours(emulator, access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET,
                       assume_role={'role_arn': ROLE_ARN, 'session_name': 'ansible-pai', 'external_id': EXTERNAL_ID,
                                    'policy': POLICY})
    ours_file = ours(emulator, shared_credentials_file=path, profile='role')

    records = issued(admin)
    keys = [official_config.access_key_id, official_file.get_access_key_id(), ours_option.access_key_id,
            ours_file.access_key_id]
    assert len(set(keys)) == 4 and list(records) == keys
    for key in keys:
        sdk.assert_identity(records[key], sdk.SDK_IDENTITIES['ram_role_arn'])
        assert identity(records[key]) == identity(records[keys[0]])
    assert [(entry['method'], entry['status']) for entry in admin.requests()] == [('GET', 200)] * 4
    assert ours_option.source == 'role %s (session ansible-pai) assumed with the task options' % ROLE_ARN
    assert ours_file.source == 'role %s (session ansible-pai) assumed with profile role in %s' % (ROLE_ARN, path)
    assert pai_works(ours_option.access_key_id, ours_option.access_key_secret, ours_option.security_token) is True
    assert pai_works(ours_file.access_key_id, ours_file.access_key_secret, ours_file.security_token) is True

    # a wrong external id is refused to both, and nothing is issued
    with pytest.raises(Exception):
        credentials_client.Client(credentials_models.Config(
            type='ram_role_arn', access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET, role_arn=ROLE_ARN,
            role_session_name='ansible-pai', external_id='not-the-one', sts_endpoint=url(emulator))).get_credential()
    with pytest.raises(PaiConfigError, match='AssumeRole of .* failed: HTTP 403, NoPermission'):
        ours(emulator, access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET,
             assume_role={'role_arn': ROLE_ARN, 'external_id': 'not-the-one'})
    assert list(issued(admin)) == keys


def test_default_session_names(emulator, admin):
    """Without a session name each side names the session after itself; the rest of the identity is the same."""
    official = credentials_client.Client(credentials_models.Config(
        type='ram_role_arn', access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET, role_arn=ROLE_ARN,
        sts_endpoint=url(emulator))).get_credential()
    mine = ours(emulator, access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET,
                assume_role={'role_arn': ROLE_ARN})
    records = issued(admin)
    theirs, our = records[official.access_key_id], records[mine.access_key_id]
    sdk.assert_identity(theirs, sdk.SDK_IDENTITIES['ram_role_arn_default_session'])
    assert re.match(r'^alicloud-pai-\d+$', our['RoleSessionName'])
    for key in ('Source', 'SignatureVersion', 'RoleArn', 'SourceAccessKeyId', 'DurationSeconds', 'Policy',
                'ExternalId'):
        assert our[key] == theirs[key], key


# --- chained roles -------------------------------------------------------------------------------------------------

def test_chainable_ram_role_arn_same_identity(emulator, admin, pai_works, tmp_path):
    """A ChainableRamRoleArn profile whose source is a RamRoleArn profile: two AssumeRole each, the second signed by
    the first pair with its token; and our assume_role on top of the RamRoleArn profile, the same chain."""
    path = write_profiles(tmp_path, role_profile(), {
        'name': 'chained', 'mode': 'ChainableRamRoleArn', 'source_profile': 'role', 'ram_role_arn': OTHER_ROLE_ARN,
        'ram_session_name': 'chained'})
    official = official_profile(path, 'chained', emulator)
    ours_profile = ours(emulator, shared_credentials_file=path, profile='chained')
    ours_option = ours(emulator, shared_credentials_file=path, profile='role',
                       assume_role={'role_arn': OTHER_ROLE_ARN, 'session_name': 'chained'})

    records = issued(admin)
    assert len(records) == 6
    for key in (official.get_access_key_id(), ours_profile.access_key_id, ours_option.access_key_id):
        second = records[key]
        first = records[second['SourceAccessKeyId']]
        sdk.assert_identity(second, {'Source': 'AssumeRole', 'SignatureVersion': 'v2', 'SourceRoleArn': ROLE_ARN,
                                     'RoleArn': OTHER_ROLE_ARN, 'RoleSessionName': 'chained'})
        sdk.assert_identity(first, {'Source': 'AssumeRole', 'SourceAccessKeyId': ACCESS_KEY_ID,
                                    'RoleArn': ROLE_ARN, 'RoleSessionName': 'ansible-pai'})
        reference = records[official.get_access_key_id()]
        assert dict(identity(second), SourceAccessKeyId=None) == dict(identity(reference), SourceAccessKeyId=None)
        assert identity(first) == identity(records[reference['SourceAccessKeyId']])
    entries = [entry for entry in admin.requests() if entry['action'] == 'AssumeRole']
    assert [entry['status'] for entry in entries] == [200] * 6
    # the second call of each chain sends the first pair's token (masked in the log)
    assert [('SecurityToken' in entry['query']) for entry in entries] == [False, True] * 3
    assert pai_works(ours_profile.access_key_id, ours_profile.access_key_secret, ours_profile.security_token) is True


def test_chained_from_a_token_pair(emulator, admin):
    """The official ram_role_arn config with an STS pair (test_sdk_sts's chained case) and our assume_role on an
    StsToken profile holding the same pair: the same identity, signed with the pair's token."""
    first = sdk.assume(emulator.port, session='first').credentials
    official = credentials_client.Client(credentials_models.Config(
        type='ram_role_arn', access_key_id=first.access_key_id, access_key_secret=first.access_key_secret,
        security_token=first.security_token, role_arn=OTHER_ROLE_ARN, role_session_name='chained',
        sts_endpoint=url(emulator))).get_credential()
    mine = ours(emulator, access_key_id=first.access_key_id,
                access_key_secret=first.access_key_secret, security_token=first.security_token,
                assume_role={'role_arn': OTHER_ROLE_ARN, 'session_name': 'chained'})
    records = issued(admin)
    assert identity(records[mine.access_key_id]) == identity(records[official.access_key_id])
    sdk.assert_identity(records[mine.access_key_id], {'SourceAccessKeyId': first.access_key_id,
                                                      'SourceRoleArn': ROLE_ARN, 'RoleArn': OTHER_ROLE_ARN})


# --- OIDC ----------------------------------------------------------------------------------------------------------

def test_oidc_from_the_environment_same_identity(emulator, admin, pai_works, tmp_path):
    token_file = tmp_path / 'token'
    token_file.write_text(sdk.OIDC_TOKEN)
    environment = {'ALIBABA_CLOUD_ROLE_ARN': ROLE_ARN, 'ALIBABA_CLOUD_OIDC_PROVIDER_ARN': PROVIDER_ARN,
                   'ALIBABA_CLOUD_OIDC_TOKEN_FILE': str(token_file), 'ALIBABA_CLOUD_ROLE_SESSION_NAME': 'rrsa-session'}
    official = sdk.run_credentials_python(
        environment, 'from alibabacloud_credentials.provider import OIDCRoleArnCredentialsProvider\n'
        'c = OIDCRoleArnCredentialsProvider(sts_endpoint="%s").get_credentials()\n' % url(emulator)
        + sdk.PRINT_CREDENTIAL)
    mine = ours(emulator, environ=environment)
    records = issued(admin)
    sdk.assert_identity(records[mine.access_key_id], sdk.SDK_IDENTITIES['oidc_role_arn'])
    assert identity(records[mine.access_key_id]) == identity(records[official['id']])
    assert mine.source == 'role %s (session rrsa-session) assumed with the OIDC token of the OIDC environment' % ROLE_ARN
    entries = [entry for entry in admin.requests() if entry['action'] == 'AssumeRoleWithOIDC']
    assert [(entry['method'], entry['status'], entry['query']['OIDCToken']) for entry in entries] == \
        [('GET', 200, '***')] * 2
    assert 'AccessKeyId' not in entries[1]['query'] and 'Signature' not in entries[1]['query']
    assert pai_works(mine.access_key_id, mine.access_key_secret, mine.security_token) is True


def test_oidc_profile_same_identity(emulator, admin, tmp_path):
    token_file = tmp_path / 'token'
    token_file.write_text(sdk.OIDC_TOKEN)
    path = write_profiles(tmp_path, {'name': 'rrsa', 'mode': 'OIDC', 'ram_role_arn': ROLE_ARN,
                                     'oidc_provider_arn': PROVIDER_ARN, 'oidc_token_file': str(token_file),
                                     'role_session_name': 'rrsa-session'})
    official = official_profile(path, 'rrsa', emulator)
    mine = ours(emulator, shared_credentials_file=path)
    records = issued(admin)
    sdk.assert_identity(records[official.get_access_key_id()], sdk.SDK_IDENTITIES['oidc_role_arn'])
    assert identity(records[mine.access_key_id]) == identity(records[official.get_access_key_id()])


# --- credentials URI -----------------------------------------------------------------------------------------------

def test_credentials_uri_from_the_environment_same_identity(emulator, admin, pai_works):
    """The official default chain and ours, with only ALIBABA_CLOUD_CREDENTIALS_URI set: the same identity, and the
    URI is the only request either sends (the official chain's metadata probe is off, ours never probes)."""
    uri = url(emulator) + '/_credentials'
    official = sdk.run_credentials_python({'ALIBABA_CLOUD_CREDENTIALS_URI': uri},
                                          'from alibabacloud_credentials.client import Client\n'
                                          'c = Client().cloud_credential.provider.get_credentials()\n'
                                          + sdk.PRINT_CREDENTIAL)
    assert calls(admin) == [('CredentialsUri', 200)]
    admin.clear_requests()
    mine = ours(emulator, environ={'ALIBABA_CLOUD_CREDENTIALS_URI': uri, 'ALIBABA_CLOUD_CLI_PROFILE_DISABLED': 'true'})
    assert calls(admin) == [('CredentialsUri', 200)]
    records = issued(admin)
    sdk.assert_identity(records[mine.access_key_id], sdk.SDK_IDENTITIES['credentials_uri'])
    assert identity(records[mine.access_key_id]) == identity(records[official['id']])
    assert mine.source == 'the environment (ALIBABA_CLOUD_CREDENTIALS_URI / ALICLOUD_CREDENTIALS_URI)'
    assert pai_works(mine.access_key_id, mine.access_key_secret, mine.security_token) is True


def test_credentials_uri_option_same_identity(emulator, admin):
    uri = url(emulator) + '/_credentials'
    official = credentials_client.Client(credentials_models.Config(type='credentials_uri',
                                                                   credentials_uri=uri)).get_credential()
    mine = ours(emulator, credentials_uri=uri)
    records = issued(admin)
    assert identity(records[mine.access_key_id]) == identity(records[official.access_key_id])
    sdk.assert_identity(records[mine.access_key_id], sdk.SDK_IDENTITIES['credentials_uri'])


# --- ECS instance RAM role -----------------------------------------------------------------------------------------

@pytest.mark.parametrize('role_name', [None, ECS_ROLE], ids=['discovered', 'named'])
@pytest.mark.parametrize('mode', ['v2', 'v2_required', 'v1_only'])
def test_ecs_role_same_pair(emulator, admin, pai_works, monkeypatch, mode, role_name):
    """The metadata service hands out the same pair until it expires: both sides get the very same one. The official
    provider asks for a token before each read, ours once per resolution."""
    admin.set_behaviours(ecs_metadata=mode)
    official = sdk.ecs_provider(emulator.port, monkeypatch, role_name=role_name).get_credentials()
    official_calls = calls(admin)
    admin.clear_requests()
    mine = ours(emulator, ecs_role=True, ecs_role_name=role_name, ecs_metadata_endpoint=url(emulator))
    token = ('MetadataToken', 404 if mode == 'v1_only' else 200)
    discovery = [] if role_name else [token, ('MetadataRoleName', 200)]
    assert official_calls == discovery + [token, ('MetadataRoleCredentials', 200)]
    assert calls(admin) == [token] + discovery[1:] + [('MetadataRoleCredentials', 200)]
    assert mine.access_key_id == official.get_access_key_id()
    records = issued(admin)
    assert len(records) == 1
    sdk.assert_identity(records[mine.access_key_id], sdk.SDK_IDENTITIES['ecs_ram_role'])
    assert mine.source.startswith('the ECS instance RAM role %s (' % ECS_ROLE)
    assert pai_works(mine.access_key_id, mine.access_key_secret, mine.security_token) is True


def test_ecs_role_refusals_alike(emulator, admin, monkeypatch):
    """Without IMDSv2 and with the v1 fallback off, and with the service unreachable, both sides fail and nothing is
    issued."""
    admin.set_behaviours(ecs_metadata='v1_only')
    with pytest.raises(Exception):
        sdk.ecs_provider(emulator.port, monkeypatch, disable_imds_v1=True).get_credentials()
    with pytest.raises(PaiConfigError, match=r'IMDSv2\) failed: HTTP 404, and the v1 fallback is off'):
        ours(emulator, ecs_role=True, ecs_metadata_endpoint=url(emulator), ecs_metadata_v1_fallback=False)
    with pytest.raises(PaiConfigError, match='the v1 fallback is off'):
        ours(emulator, environ={'ALIBABA_CLOUD_IMDSV1_DISABLED': 'true'}, ecs_role=True,
             ecs_metadata_endpoint=url(emulator))
    assert calls(admin)[-2:] == [('MetadataToken', 404), ('MetadataToken', 404)]
    admin.set_behaviours(ecs_metadata='unreachable')
    with pytest.raises(Exception):
        sdk.ecs_provider(emulator.port, monkeypatch, role_name=ECS_ROLE).get_credentials()
    with pytest.raises(PaiConfigError, match=r'getting an instance metadata token failed: http://127\.0\.0\.1:\d+ is '
                                             r'unreachable \(ConnectionError\)$'):
        ours(emulator, ecs_role_name=ECS_ROLE, ecs_metadata_endpoint=url(emulator))
    assert issued(admin) == {}


# --- our AssumeRole: accepted with our V2 signature, the parameters credentials-python sends --------------------

READ_ONLY = {'Sid': 'read only', 'Effect': 'Allow', 'Action': ['paiworkspace:Get*', 'paiworkspace:List*'],
             'Resource': '*', 'Condition': {'StringLike': {'acs:SourceVpc': 'vpc-*'}}}
PRETTY_NON_ASCII = ('{\n  "Version": "1",\n  "Statement": [{"Effect": "Allow", "Action": "*", '
                    '"Resource": "acs:paiworkspace:*:*:workspace/\u4e2d\u6587"}]\n}')
AWKWARD = [
    pytest.param({}, id='plain'),
    pytest.param({'session_name': 'a.b@c_d-e', 'external_id': 'a:b/c=d+e,f.g@h-i_j'}, id='session-and-external-id'),
    pytest.param({'policy': {'Version': '1', 'Statement': [READ_ONLY]}}, id='policy-with-spaces-in-values'),
    pytest.param({'policy': PRETTY_NON_ASCII}, id='pretty-printed-non-ascii-policy'),
    pytest.param({'duration_seconds': 43200}, id='longest-duration'),
]


@pytest.mark.parametrize('role', AWKWARD)
@pytest.mark.parametrize('signer', ['key', 'sts-pair'])
def test_our_assume_role_is_accepted(emulator, admin, pai_works, role, signer):
    """Our V2-signed GET passes the emulator's signature check with awkward values, also when an STS pair (a token
    with "+", "/" and "=") signs it, and STS records what we asked for."""
    pair = {'access_key_id': ACCESS_KEY_ID, 'access_key_secret': ACCESS_KEY_SECRET}
    if signer == 'sts-pair':
        first = sdk.assume(emulator.port, session='first').credentials
        assert re.search(r'[+/=]', first.security_token)
        pair = {'access_key_id': first.access_key_id, 'access_key_secret': first.access_key_secret,
                'security_token': first.security_token}
    admin.clear_requests()
    mine = ours(emulator, assume_role=dict(role, role_arn=ROLE_ARN), **pair)
    entries = admin.requests()
    assert [(entry['action'], entry['method'], entry['status']) for entry in entries] == [('AssumeRole', 'GET', 200)]
    record = issued(admin)[mine.access_key_id]
    assert record['SignatureVersion'] == 'v2' and record['SourceAccessKeyId'] == pair['access_key_id']
    assert record['RoleSessionName'] == role.get('session_name', record['RoleSessionName'])
    assert record['ExternalId'] == role.get('external_id')
    assert record['DurationSeconds'] == role.get('duration_seconds', 3600)
    policy = role.get('policy')
    if policy is None:
        assert record['Policy'] is None
    else:
        policy = json.loads(policy) if isinstance(policy, str) else policy
        assert json.loads(record['Policy']) == policy
        assert record['Policy'] == json.dumps(policy, separators=(',', ':'))  # sent compact
    assert pai_works(mine.access_key_id, mine.access_key_secret, mine.security_token) is True


@pytest.fixture
def capture():
    stub = sdk.Capture()
    yield stub
    stub.stop()


def test_our_assume_role_sends_what_credentials_python_sends(capture, tmp_path):
    """The same role through both, to a stub STS: the same method and parameters, each signed correctly."""
    stub = 'http://127.0.0.1:%d' % capture.port
    credentials_client.Client(credentials_models.Config(
        type='ram_role_arn', access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET, role_arn=ROLE_ARN,
        role_session_name='ansible-pai', policy=POLICY, external_id=EXTERNAL_ID, role_session_expiration=1800,
        sts_endpoint=stub)).get_credential()
    _credentials.resolve({'access_key_id': ACCESS_KEY_ID, 'access_key_secret': ACCESS_KEY_SECRET, 'endpoint': stub,
                          'sts_endpoint': stub, 'assume_role': {'role_arn': ROLE_ARN, 'session_name': 'ansible-pai',
                                                                'policy': POLICY, 'external_id': EXTERNAL_ID,
                                                                'duration_seconds': 1800}}, {})
    (their_method, theirs), (our_method, mine) = [sdk.captured_query(entry) for entry in capture.requests]
    assert their_method == our_method == 'GET'
    assert sorted(theirs) == sorted(mine)
    for name in ('Signature', 'SignatureNonce', 'Timestamp'):
        assert theirs.pop(name) and mine.pop(name)
    assert mine == theirs
    path, query = urllib.parse.urlsplit(capture.requests[1][1])[2:4]
    assert path == '/' and 'Signature=' in query
