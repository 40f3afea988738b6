"""Authentication: SDK credentials (AK, STS), raw signed requests, the pai-api.md section 4 vectors, concurrency."""

import calendar
import threading
import time
import uuid

import pytest

VECTOR_AK = 'LTAI5tTestAccessKeyId01'
VECTOR_SECRET = 'TestAccessKeySecret0123456789abc'
VECTOR_TIME = calendar.timegm((2025, 1, 15, 8, 30, 0))
E0 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
V3_MINIMAL = 'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version'
V3_MINIMAL_BODY = 'content-type;' + V3_MINIMAL
SDK_UA = 'AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2'


def list_workspaces(client, sdk_models):
    return client.list_workspaces(sdk_models.ListWorkspacesRequest())


# --- through the SDK ----------------------------------------------------------------------------------------

def test_wrong_secret_is_signature_does_not_match(make_sdk_client, sdk_models, sdk_error):
    error = sdk_error(list_workspaces, make_sdk_client(access_key_secret='wrong'), sdk_models)
    assert (error.status_code, error.code) == (400, 'SignatureDoesNotMatch')
    assert 'server string to sign is:ACS3-HMAC-SHA256\n' in error.data['Message']
    assert error.data['Recommend'].startswith('https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch&')


def test_unknown_access_key(make_sdk_client, sdk_models, sdk_error):
    error = sdk_error(list_workspaces, make_sdk_client(access_key_id='LTAI-nobody'), sdk_models)
    assert (error.status_code, error.code) == (404, 'InvalidAccessKeyId.NotFound')
    assert error.data['Message'] == 'Specified access key is not found.'


def test_custom_key_pair_from_seed(make_sdk_client, sdk_models, admin):
    admin.seed(credentials=[{'access_key_id': 'LTAI-extra', 'access_key_secret': 'extra-secret'}])
    assert list_workspaces(make_sdk_client('LTAI-extra', 'extra-secret'), sdk_models).body.total_count == 1


def test_sts_credentials(make_sdk_client, sdk_models, sdk_error, admin):
    admin.seed(credentials=[
        {'access_key_id': 'STS.emulator', 'access_key_secret': 'sts-secret', 'security_token': 'CAIS.token==',
         'expires_in': 3600},
        {'access_key_id': 'STS.expired', 'access_key_secret': 'sts-secret', 'security_token': 'CAIS.old==',
         'expires_in': -1},
    ])
    client = make_sdk_client('STS.emulator', 'sts-secret', security_token='CAIS.token==')
    request = sdk_models.CreateConnectionRequest(connection_name='via-sts', configs={'a': 'b'})
    assert client.create_connection(request).body.connection_id.startswith('conn-')
    signed = admin.requests()[-1]
    assert signed['status'] == 200

    cases = [
        (make_sdk_client('STS.emulator', 'sts-secret', security_token='CAIS.wrong=='), 'InvalidSecurityToken.MisMatch'),
        (make_sdk_client('STS.emulator', 'sts-secret'), 'InvalidSecurityToken.Missing'),
        (make_sdk_client('STS.expired', 'sts-secret', security_token='CAIS.old=='), 'InvalidSecurityToken.Expired'),
        (make_sdk_client(security_token='CAIS.unexpected=='), 'InvalidSecurityToken.MisMatch'),
    ]
    for bad_client, code in cases:
        error = sdk_error(list_workspaces, bad_client, sdk_models)
        assert (error.status_code, error.code) == (400, code)


def test_concurrent_sdk_clients(make_sdk_client, sdk_models, sdk_client):
    results, errors = [], []

    def worker(index):
        client = make_sdk_client()
        try:
            for item in range(10):
                request = sdk_models.CreateConnectionRequest(connection_name='t%d-%d' % (index, item),
                                                             configs={'n': str(item)})
                results.append(client.create_connection(request).body.connection_id)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 80 and len(set(results)) == 80
    body = sdk_client.list_connections(sdk_models.ListConnectionsRequest(max_results=100)).body
    assert body.total_count == 80 and {c.connection_id for c in body.connections} == set(results)


# --- raw V3 requests ----------------------------------------------------------------------------------------

def test_raw_signer_baseline_and_routing_without_action(raw_api):
    assert raw_api.v3('GET', '/api/v1/workspaces', action='ListWorkspaces').status == 200
    response = raw_api.v3('GET', '/api/v1/workspaces/10001')  # no x-acs-action: routed by method + path
    assert response.status == 200 and response.json['WorkspaceName'] == 'ansible_demo'
    assert response.headers['x-acs-request-id'] == response.json['RequestId']


def test_stale_and_future_dates_are_rejected(raw_api):
    for offset in (-16 * 60, 16 * 60):
        date = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() + offset))
        response = raw_api.v3('GET', '/api/v1/workspaces', date=date)
        assert (response.status, response.code) == (400, 'InvalidTimeStamp.Expired')
    date = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() - 10 * 60))
    assert raw_api.v3('GET', '/api/v1/workspaces', date=date).status == 200
    response = raw_api.v3('GET', '/api/v1/workspaces', date='2025-01-15 08:30:00')
    assert (response.status, response.code) == (400, 'InvalidTimeStamp.Format')
    response = raw_api.v3('GET', '/api/v1/workspaces', drop_headers=['x-acs-date'])
    assert (response.status, response.code) == (400, 'MissingParameter') and 'x-acs-date' in response.json['Message']


def test_reused_nonce_is_rejected(raw_api, admin):
    nonce = uuid.uuid4().hex
    assert raw_api.v3('GET', '/api/v1/workspaces', nonce=nonce).status == 200
    response = raw_api.v3('GET', '/api/v1/workspaces', nonce=nonce)
    assert (response.status, response.code) == (400, 'SignatureNonceUsed')
    # Nonces are tracked per access key; a failed signature does not consume a nonce.
    admin.seed(credentials=[{'access_key_id': 'other', 'access_key_secret': 's'}])
    fresh = uuid.uuid4().hex
    assert raw_api.v3('GET', '/api/v1/workspaces', nonce=fresh, access_key_secret='bad').status == 400
    assert raw_api.v3('GET', '/api/v1/workspaces', nonce=fresh).status == 200
    assert raw_api.v3('GET', '/api/v1/workspaces', nonce=nonce, access_key_id='other', access_key_secret='s').status == 200


def test_signature_failures(raw_api):
    response = raw_api.send('GET', '/api/v1/workspaces')
    assert (response.status, response.code) == (400, 'MissingAuthorization')
    for garbled in ('Bearer abc', 'ACS3-HMAC-SHA256 nonsense', 'ACS3-HMAC-SM3 Credential=a,SignedHeaders=b,Signature=c',
                    'acs no-colon'):
        response = raw_api.send('GET', '/api/v1/workspaces', headers={'authorization': garbled})
        assert (response.status, response.code) == (400, 'IncompleteSignature'), garbled
    body = b'{"ConnectionName":"x","Configs":{}}'
    response = raw_api.v3('POST', '/api/v1/connections', body=body,
                          extra_headers={'x-acs-content-sha256': '0' * 64})
    assert (response.status, response.code) == (400, 'SignatureDoesNotMatch')
    assert 'x-acs-content-sha256' in response.json['Message']
    # A signed query value changed on the wire.
    assert raw_api.v3('GET', '/api/v1/connections', {'MaxResults': '5'}).status == 200
    response = raw_api.v3('GET', '/api/v1/connections', {'MaxResults': '5'}, wire_query='MaxResults=6')
    assert (response.status, response.code) == (400, 'SignatureDoesNotMatch')
    assert response.json['Message'].startswith('Specified signature is not matched with our calculation. '
                                               'server string to sign is:ACS3-HMAC-SHA256\n')
    # Security-relevant headers must be signed.
    response = raw_api.v3('GET', '/api/v1/workspaces', drop_headers=['x-acs-signature-nonce'],
                          unsigned_headers={'x-acs-signature-nonce': uuid.uuid4().hex})
    assert (response.status, response.code) == (400, 'IncompleteSignature')


def test_action_header_and_unknown_routes(raw_api):
    response = raw_api.v3('GET', '/api/v1/workspaces', action='ListModels')
    assert (response.status, response.code) == (400, 'InvalidAction.Mismatch')
    response = raw_api.v3('GET', '/api/v1/nothing-here', action='Nothing')
    assert (response.status, response.code) == (404, 'InvalidAction.NotFound')
    response = raw_api.v3('PATCH', '/api/v1/models/model-x')
    assert (response.status, response.code) == (404, 'InvalidAction.NotFound')
    response = raw_api.v3('POST', '/api/v1/models', body=b'[1, 2]')
    assert (response.status, response.code) == (400, 'InvalidParameter')


# --- pai-api.md section 4 vectors, verified by the emulator at the vectors' date -------------------------------

@pytest.fixture
def vector_emulator(emulator, admin):
    admin.seed(
        credentials=[{'access_key_id': VECTOR_AK, 'access_key_secret': VECTOR_SECRET}],
        workspaces=[{'WorkspaceId': '12345', 'WorkspaceName': 'vectors'}],
        models=[{'ModelId': 'model-abc123', 'ModelName': 'vector model', 'WorkspaceId': '12345',
                 'Labels': [{'Key': 'k1', 'Value': 'a'}, {'Key': 'k2', 'Value': 'b'}, {'Key': 'k3', 'Value': 'c'}]}],
        connections=[{'ConnectionId': 'conn-xyz789', 'ConnectionName': 'vector', 'Configs': {'a': 'b'},
                      'WorkspaceId': '12345'}],
    )
    emulator.state.clock = lambda: VECTOR_TIME
    return emulator


def v3_headers(host, action, nonce, authorization, sha=E0, content_type=False, **extra):
    headers = {'host': host, 'x-acs-action': action, 'x-acs-version': '2021-02-04',
               'x-acs-date': '2025-01-15T08:30:00Z', 'x-acs-signature-nonce': nonce, 'x-acs-content-sha256': sha,
               'authorization': authorization}
    if content_type:
        headers['content-type'] = 'application/json; charset=utf-8'
    headers.update(extra)
    return headers


def v3_auth(signed_headers, signature):
    return 'ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s' % (VECTOR_AK, signed_headers, signature)


def test_vectors_m1_m2_m4(vector_emulator, raw_api, admin):
    m1 = raw_api.send('GET', '/api/v1/models', {
        'WorkspaceId': '12345', 'ModelName': 'my model', 'PageNumber': '1', 'PageSize': '50',
        'Tag': '[{"Key":"env","Value":"prod"}]'}, v3_headers(
        'aiworkspace.cn-hangzhou.aliyuncs.com', 'ListModels', '6a1f0c9e2b8d4e7fa3c5b1d9e0f27a46',
        v3_auth(V3_MINIMAL, 'dd51b1ebeae02512ab702d7953c12ba990f36664ad86fb0402b97cf0aa931043')))
    assert (m1.status, m1.json['TotalCount']) == (200, 0)

    m2_body = b'{"ModelDescription":"updated desc","Accessibility":"PUBLIC"}'
    m2 = raw_api.send('PUT', '/api/v1/models/model-abc123', headers=v3_headers(
        'aiworkspace.cn-shanghai.aliyuncs.com', 'UpdateModel', 'd41d8cd98f00b204e9800998ecf8427e',
        v3_auth(V3_MINIMAL_BODY, '9c33251f611550ba7598799faa35f3b5fb5dc894a07c8f1d703afb38b46e1d39'),
        sha='f693a93007fb1ba154a20709d51efccd6ee4674243d6be51942074c4fea4711d', content_type=True), body=m2_body)
    assert m2.status == 200, m2.json

    m4_body = '{"Labels":[{"Key":"team","Value":"数据"}]}'.encode('utf-8')
    m4 = raw_api.send('POST', '/api/v1/models/model-abc123/labels', headers=v3_headers(
        'aiworkspace.cn-hangzhou.aliyuncs.com', 'CreateModelLabels', 'ffffffffffffffffffffffffffffffff',
        v3_auth(V3_MINIMAL_BODY, '259dfe71281d175ab1431164abb18301d9e5aa48b2200acf22d989a02325751c'),
        sha='439ef48d631384c41bdd39067ab1563085c2977a707c0aef5d49fe502d6af634', content_type=True), body=m4_body)
    assert m4.status == 200, m4.json
    model = admin.state()['models'][0]
    assert (model['ModelDescription'], model['Accessibility']) == ('updated desc', 'PUBLIC')
    assert model['Labels'][-1] == {'Key': 'team', 'Value': '数据'}


def test_vector_m3_with_sts_token(vector_emulator, raw_api, admin):
    admin.seed(credentials=[{'access_key_id': VECTOR_AK, 'access_key_secret': VECTOR_SECRET,
                             'security_token': 'CAIS.exampleStsToken=='}])
    signed = 'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version'
    m3 = raw_api.send('DELETE', '/api/v1/connections/conn-xyz789', headers=v3_headers(
        'aiworkspace.cn-beijing.aliyuncs.com', 'DeleteConnection', '0123456789abcdef0123456789abcdef',
        v3_auth(signed, '1400af1130f4e0cfd24f1fd9b4caaa74104161fadfd11013c4533b8d1dec4d2e'),
        **{'x-acs-security-token': 'CAIS.exampleStsToken=='}))
    assert m3.status == 200, m3.json
    assert admin.state()['connections'] == []


def test_vectors_s1_s2_full_sdk_header_set(vector_emulator, raw_api):
    signed = ('accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;'
              'x-acs-signature-nonce;x-acs-version')
    common = {'accept': 'application/json', 'user-agent': SDK_UA, 'x-acs-credentials-provider': 'static_ak'}
    s1 = raw_api.send('GET', '/api/v1/connections', headers=v3_headers(
        'aiworkspace.cn-hangzhou.aliyuncs.com', 'ListConnections', '3b9f2c1e8d7a4f60b5e4c3d2a1f09e8d',
        v3_auth(signed, '8a96c8a6b97a756e339047f278de2e79eb2e8398067379fdf0a378de6d2d1657'), **common),
        wire_query='ConnectionName=my+conn%2A&ConnectionTypes=OpenLLMConnection%2CMilvusConnection&MaxResults=10'
                   '&WorkspaceId=12345')
    assert (s1.status, s1.json['MaxResults']) == (200, 10), s1.json

    s2_body = ('{"Accessibility":"PRIVATE","Configs":{"baseUrl":"http://example.com/v1"},"ConnectionName":"llm-conn",'
               '"ConnectionType":"OpenLLMConnection","Models":[{"DisplayName":"Qwen Max","Model":"qwen-max",'
               '"ModelType":"LLM","ToolCall":true}],"Secrets":{"apiKey":"sk-xyz"},"WorkspaceId":"12345"}').encode()
    s2 = raw_api.send('POST', '/api/v1/connections', headers=v3_headers(
        'aiworkspace.cn-hangzhou.aliyuncs.com', 'CreateConnection', '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
        v3_auth('accept;content-type;' + signed[len('accept;'):],
                '3b0125881a6feab3290e1fc897c1a3017c98ca9cb9dbf24fb800f8aef3fef9f4'),
        sha='82280e2f06c4b96ecc0b9589740017ab9795ad6555fc4847d67b0cb40192ed3d', content_type=True, **common),
        body=s2_body)
    assert s2.status == 200 and s2.json['ConnectionId'].startswith('conn-'), s2.json


def roa_headers(nonce, authorization, content_type=False):
    headers = {'date': 'Wed, 15 Jan 2025 08:30:00 GMT', 'host': 'aiworkspace.cn-hangzhou.aliyuncs.com',
               'accept': 'application/json', 'x-acs-signature-method': 'HMAC-SHA1',
               'x-acs-signature-nonce': nonce, 'x-acs-signature-version': '1.0', 'x-acs-version': '2021-02-04',
               'user-agent': 'test-agent', 'authorization': authorization}
    if content_type:
        headers['content-type'] = 'application/json; charset=utf-8'
    return headers


def test_vectors_r1_r2_legacy_roa(vector_emulator, raw_api, admin):
    r1 = raw_api.send('POST', '/api/v1/models', headers=roa_headers(
        'c0ffee00c0ffee00c0ffee00c0ffee00', 'acs %s:H3l2Zg/N9EXYi6sEQ5SHMXLgnnI=' % VECTOR_AK, content_type=True),
        body=b'{"ModelName":"created by terraform","WorkspaceId":"12345"}')
    assert r1.status == 200 and r1.json['ModelId'].startswith('model-'), r1.json
    r2 = raw_api.send('DELETE', '/api/v1/models/model-abc123/labels', headers=roa_headers(
        'c0ffee00c0ffee00c0ffee00c0ffee01', 'acs %s:3TTKtMBNP0J0iAPK9WO5pwyGZdE=' % VECTOR_AK),
        wire_query='LabelKeys=k1,k2')
    assert r2.status == 200, r2.json
    assert admin.state()['models'][0]['Labels'] == [{'Key': 'k3', 'Value': 'c'}]
    assert [entry['action'] for entry in admin.requests()] == ['CreateModel', 'DeleteModelLabels']

    tampered = raw_api.send('POST', '/api/v1/models', headers=roa_headers(
        'c0ffee00c0ffee00c0ffee00c0ffee02', 'acs %s:H3l2Zg/N9EXYi6sEQ5SHMXLgnnI=' % VECTOR_AK, content_type=True),
        body=b'{"ModelName":"x"}')
    assert (tampered.status, tampered.code) == (400, 'SignatureDoesNotMatch')
    message = tampered.json['Message']
    assert 'x-acs-signature-nonce:c0ffee00c0ffee00c0ffee00c0ffee02\n' in message
    assert message.endswith('\nx-acs-version:2021-02-04\n/api/v1/models')
    replay = raw_api.send('POST', '/api/v1/models', headers=roa_headers(
        'c0ffee00c0ffee00c0ffee00c0ffee00', 'acs %s:H3l2Zg/N9EXYi6sEQ5SHMXLgnnI=' % VECTOR_AK, content_type=True),
        body=b'{"ModelName":"replayed"}')
    assert (replay.status, replay.code) == (400, 'SignatureNonceUsed')


def test_roa_date_checks(vector_emulator, raw_api):
    vector_emulator.state.clock = lambda: VECTOR_TIME + 20 * 60
    stale = raw_api.send('POST', '/api/v1/models', headers=roa_headers(
        'c0ffee00c0ffee00c0ffee00c0ffee00', 'acs %s:H3l2Zg/N9EXYi6sEQ5SHMXLgnnI=' % VECTOR_AK, content_type=True),
        body=b'{"ModelName":"late"}')
    assert (stale.status, stale.code) == (400, 'InvalidTimeStamp.Expired')
    headers = roa_headers('n1', 'acs %s:whatever' % VECTOR_AK)
    del headers['date']
    missing = raw_api.send('GET', '/api/v1/workspaces', headers=headers)
    assert (missing.status, missing.code) == (400, 'MissingParameter')
