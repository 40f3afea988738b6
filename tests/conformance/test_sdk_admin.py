"""Admin endpoints (faults, request log, reset, seed, state) and running the emulator as a script."""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest

import pai_emulator  # loaded from tests/emulator by conftest.py


def create_connection(client, sdk_models, name='c', **fields):
    request = sdk_models.CreateConnectionRequest(connection_name=name, configs=fields.pop('configs', {'k': 'v'}),
                                                 **fields)
    return client.create_connection(request).body.connection_id


# --- faults -------------------------------------------------------------------------------------------------

def test_throttling_fault_with_retry_after(sdk_client, sdk_models, admin, raw_api):
    exceptions = pytest.importorskip('alibabacloud_tea_openapi.exceptions')
    queued = admin.fault(action='CreateConnection', type='throttling', retry_after=3)
    assert queued == [{'action': 'CreateConnection', 'count': 1, 'type': 'throttling', 'status': None, 'code': None,
                       'message': None, 'seconds': 1.0, 'retry_after': 3}]
    with pytest.raises(exceptions.ThrottlingException) as info:
        create_connection(sdk_client, sdk_models)
    assert (info.value.status_code, info.value.code, info.value.retry_after) == (400, 'Throttling.User', 3)
    assert info.value.data['Message'] == 'Request was denied due to user flow control.'
    assert admin.state()['connections'] == [] and admin.faults() == []
    entry = admin.requests()[-1]
    assert (entry['status'], entry['code'], entry['fault'], entry['mutated']) == (400, 'Throttling.User',
                                                                                  'throttling', False)
    admin.fault(type='throttling', retry_after=7)  # action defaults to '*'
    response = raw_api.v3('GET', '/api/v1/workspaces')
    assert (response.status, response.code, response.headers['x-acs-retry-after']) == (400, 'Throttling.User', '7')
    assert create_connection(sdk_client, sdk_models).startswith('conn-')


@pytest.mark.parametrize('fault, status, code, kind', [
    ({'type': 'error'}, 500, 'InternalError', 'ServerException'),
    ({'type': 'error', 'status': 502, 'code': 'BadGateway', 'message': 'upstream'}, 502, 'BadGateway',
     'ServerException'),
    ({'type': 'error', 'status': 403, 'code': 'Forbidden.RAM', 'message': 'denied'}, 403, 'Forbidden.RAM',
     'ClientException'),
    ({'type': 'unavailable'}, 503, 'ServiceUnavailable', 'ServerException'),
])
def test_error_faults(sdk_client, sdk_models, admin, sdk_error, fault, status, code, kind):
    admin.fault(action='ListWorkspaces', **fault)
    error = sdk_error(sdk_client.list_workspaces, sdk_models.ListWorkspacesRequest())
    assert (error.status_code, error.code, type(error).__name__) == (status, code, kind)
    if 'message' in fault:
        assert error.data['Message'] == fault['message']
    assert sdk_client.list_workspaces(sdk_models.ListWorkspacesRequest()).status_code == 200


def test_drop_fault_applies_nothing(sdk_client, sdk_models, admin):
    exceptions = pytest.importorskip('alibabacloud_tea_openapi.exceptions')
    admin.fault(action='CreateConnection', type='drop')
    with pytest.raises(Exception) as info:
        create_connection(sdk_client, sdk_models)
    assert not isinstance(info.value, exceptions.AlibabaCloudException)  # a transport error, not an API error
    assert admin.state()['connections'] == []
    entry = admin.requests()[-1]
    assert (entry['action'], entry['status'], entry['fault'], entry['mutated']) == ('CreateConnection', None,
                                                                                    'drop', False)
    assert create_connection(sdk_client, sdk_models).startswith('conn-')  # the client recovers


def test_apply_then_drop_changes_state(sdk_client, sdk_models, admin):
    exceptions = pytest.importorskip('alibabacloud_tea_openapi.exceptions')
    admin.fault(action='CreateConnection', type='apply_then_drop')
    with pytest.raises(Exception) as info:
        create_connection(sdk_client, sdk_models, name='applied')
    assert not isinstance(info.value, exceptions.AlibabaCloudException)
    assert [c['ConnectionName'] for c in admin.state()['connections']] == ['applied']
    entry = admin.requests()[-1]
    assert (entry['status'], entry['fault'], entry['mutated']) == (None, 'apply_then_drop', True)


def test_delay_fault(sdk_client, sdk_models, admin):
    admin.fault(action='GetWorkspace', type='delay', seconds=0.3)
    started = time.monotonic()
    body = sdk_client.get_workspace('10001', sdk_models.GetWorkspaceRequest()).body
    assert time.monotonic() - started >= 0.3 and body.workspace_id == '10001'
    assert admin.requests()[-1]['fault'] == 'delay' and admin.requests()[-1]['status'] == 200


def test_fault_count_action_matching_and_clear(sdk_client, sdk_models, admin, sdk_error):
    admin.fault(action='GetDefaultWorkspace', type='unavailable', count=2)
    admin.fault(type='error', count=5)
    assert [(f['action'], f['count']) for f in admin.faults()] == [('GetDefaultWorkspace', 2), ('*', 5)]
    request = sdk_models.GetDefaultWorkspaceRequest()
    assert sdk_error(sdk_client.get_default_workspace, request).code == 'ServiceUnavailable'
    assert sdk_error(sdk_client.list_workspaces, sdk_models.ListWorkspacesRequest()).code == 'InternalError'
    assert sdk_error(sdk_client.get_default_workspace, request).code == 'ServiceUnavailable'
    assert sdk_error(sdk_client.get_default_workspace, request).code == 'InternalError'
    assert admin.faults() == [dict(admin.faults()[0], action='*', count=3)]
    assert admin.clear_faults() == [] and admin.faults() == []
    assert sdk_client.get_default_workspace(request).status_code == 200


def test_fault_validation(admin):
    status, body = admin.call('POST', 'faults', {'type': 'explode'})
    assert (status, body['Code']) == (400, 'InvalidParameter') and 'throttling' in body['Message']
    assert admin.call('POST', 'faults', {'type': 'delay', 'seconds': -1})[0] == 400
    assert admin.call('POST', 'faults', {'type': 'error', 'count': 0})[0] == 400
    assert admin.call('POST', 'faults', {})[0] == 400
    assert admin.faults() == []


def test_faults_apply_only_after_authentication(make_sdk_client, sdk_models, admin, sdk_error):
    admin.fault(type='unavailable')
    error = sdk_error(make_sdk_client(access_key_secret='bad').list_workspaces, sdk_models.ListWorkspacesRequest())
    assert error.code == 'SignatureDoesNotMatch' and len(admin.faults()) == 1


# --- request log ----------------------------------------------------------------------------------------------

def test_request_log_fields_and_secret_masking(sdk_client, sdk_models, make_sdk_client, admin, sdk_error):
    connection_id = create_connection(sdk_client, sdk_models, name='logged conn', secrets={'api_key': 'sk-live'},
                                      configs={'base_url': 'http://x'})
    sdk_client.list_connections(sdk_models.ListConnectionsRequest(connection_name='logged conn',
                                                                  connection_types=['A', 'B'], tool_call=True))
    sdk_client.get_connection(connection_id, sdk_models.GetConnectionRequest(encrypt_option='PlainText'))
    sdk_error(sdk_client.get_model, 'model-none', sdk_models.GetModelRequest())
    sdk_error(make_sdk_client(access_key_id='nobody').list_workspaces, sdk_models.ListWorkspacesRequest())
    log = admin.requests()
    assert [entry['seq'] for entry in log] == [1, 2, 3, 4, 5]
    assert set(log[0]) == {'seq', 'method', 'path', 'query', 'action', 'status', 'code', 'mutated', 'fault', 'body'}
    assert log[0] == {'seq': 1, 'method': 'POST', 'path': '/api/v1/connections', 'query': {},
                      'action': 'CreateConnection', 'status': 200, 'code': None, 'mutated': True, 'fault': None,
                      'body': {'ConnectionName': 'logged conn', 'Configs': {'base_url': 'http://x'},
                               'Secrets': {'api_key': '***'}}}
    assert log[1]['query'] == {'ConnectionName': 'logged conn', 'ConnectionTypes': 'A,B', 'ToolCall': 'True'}
    assert (log[1]['method'], log[1]['mutated'], log[1]['body']) == ('GET', False, None)
    assert (log[2]['path'], log[2]['action']) == ('/api/v1/connections/' + connection_id, 'GetConnection')
    assert (log[3]['status'], log[3]['code']) == (404, '201900002')
    assert (log[4]['status'], log[4]['code'], log[4]['action']) == (404, 'InvalidAccessKeyId.NotFound',
                                                                    'ListWorkspaces')
    assert 'sk-live' not in repr(log)

    admin.call('GET', 'state')  # admin calls are not logged
    assert len(admin.requests()) == 5
    assert admin.clear_requests() == {'cleared': True} and admin.requests() == []
    assert len(admin.state()['connections']) == 1  # clearing the log keeps the state


# --- reset, seed, state -----------------------------------------------------------------------------------

def test_reset_restores_start_state(sdk_client, sdk_models, admin, raw_api):
    admin.seed(workspaces=[{'WorkspaceName': 'extra'}], credentials=[{'access_key_id': 'x', 'access_key_secret': 'y'}])
    create_connection(sdk_client, sdk_models)
    admin.fault(type='error', count=9)
    nonce = uuid.uuid4().hex
    assert raw_api.v3('GET', '/api/v1/workspaces', nonce=nonce, action='ListWorkspaces').status == 500
    assert admin.reset() == {'reset': True}
    state = admin.state()
    assert [(w['WorkspaceId'], w['WorkspaceName'], w['IsDefault']) for w in state['workspaces']] == [
        ('10001', 'ansible_demo', True)]
    assert state['connections'] == [] and state['models'] == []
    assert admin.requests() == [] and admin.faults() == []
    assert raw_api.v3('GET', '/api/v1/workspaces', nonce=nonce).status == 200  # nonces were cleared
    assert raw_api.v3('GET', '/api/v1/workspaces', access_key_id='x', access_key_secret='y').status == 404


def test_seed_everything(sdk_client, sdk_models, admin):
    created = admin.seed(
        workspaces=[{'WorkspaceName': 'seeded_ws', 'WorkspaceId': '777'}, {'WorkspaceName': 'auto_id'}],
        connections=[
            {'WorkspaceId': '777', 'ConnectionName': 'milvus', 'ConnectionType': 'MilvusConnection',
             'Configs': {'uri': 'http://m:19530'}, 'Secrets': {'password': 'pw'}, 'Accessibility': 'PUBLIC',
             'Models': [{'Model': 'qwen', 'ModelType': 'LLM', 'ToolCall': True}]},
            {'ConnectionId': 'conn-fixed', 'ConnectionName': 'milvus', 'Configs': {}},
        ],
        models=[{'ModelName': 'seeded', 'Labels': [{'Key': 'a', 'Value': 'b'}], 'OrderNumber': 2},
                {'ModelId': 'model-fixed', 'ModelName': 'seeded', 'Provider': 'pai', 'Collections': ['AI4D']}],
    )
    assert created['workspaces'] == ['777', '10002']
    assert re.match(r'^conn-[a-z0-9]{20}$', created['connections'][0]) and created['connections'][1] == 'conn-fixed'
    assert re.match(r'^model-[a-z0-9]{20}$', created['models'][0]) and created['models'][1] == 'model-fixed'
    body = sdk_client.get_connection(created['connections'][0], sdk_models.GetConnectionRequest()).body
    assert (body.workspace_id, body.accessibility, body.secrets, body.models[0].tool_call) == (
        '777', 'PUBLIC', {'password': '******'}, True)
    model = sdk_client.get_model('model-fixed', sdk_models.GetModelRequest()).body
    assert (model.provider, model.model_name) == ('pai', 'seeded')
    assert admin.requests()[-1]['action'] == 'GetModel'


def test_seed_is_atomic_and_validated(admin):
    status, body = admin.call('POST', 'seed', {
        'workspaces': [{'WorkspaceName': 'kept_out'}],
        'connections': [{'ConnectionName': 'ok', 'Configs': {}}, {'ConnectionName': 'bad', 'Configs': {'n': 1}}],
    })
    assert (status, body['Code']) == (400, 'InvalidParameter')
    state = admin.state()
    assert len(state['workspaces']) == 1 and state['connections'] == []
    status, body = admin.call('POST', 'seed', {'models': [{'ModelName': 'm', 'WorkspaceId': '4040'}]})
    assert (status, body['Code']) == (404, '100400027')
    status, body = admin.call('POST', 'seed', {'workspaces': [{'WorkspaceId': '10001', 'WorkspaceName': 'dup'}]})
    assert status == 400


def test_state_masks_secrets_unless_plain(admin):
    admin.seed(connections=[{'ConnectionName': 'c', 'Configs': {'u': 'x'}, 'Secrets': {'token': 't0k', 'pw': ''}}])
    assert admin.state()['connections'][0]['Secrets'] == {'token': '******', 'pw': '******'}
    assert admin.state(plain=True)['connections'][0]['Secrets'] == {'token': 't0k', 'pw': ''}
    assert all(not key.startswith('_') for key in admin.state()['connections'][0])


def test_unknown_admin_endpoint(admin):
    status, body = admin.call('GET', 'nothing')
    assert (status, body['Code']) == (404, 'NotFound')


# --- loopback-only admin --------------------------------------------------------------------------------------

def test_loopback_detection():
    assert pai_emulator.is_loopback('127.0.0.1') and pai_emulator.is_loopback('::1')
    assert pai_emulator.is_loopback('::ffff:127.0.0.1')
    assert not pai_emulator.is_loopback('192.0.2.10') and not pai_emulator.is_loopback('fd00::2')


def _non_loopback_address():
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(('192.0.2.1', 9))
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith('127.') else address


def test_admin_refuses_non_loopback_clients(make_admin):
    address = _non_loopback_address()
    if address is None:
        pytest.skip('no non-loopback IPv4 address on this machine')
    with pai_emulator.serve_in_thread(host='0.0.0.0', port=0) as server:
        conn = http.client.HTTPConnection(address, server.port, timeout=5)
        conn.request('GET', '/_emulator/state')
        response = conn.getresponse()
        assert response.status == 403 and b'loopback' in response.read()
        conn.close()
        assert make_admin(server.port).state()['workspaces'][0]['WorkspaceId'] == '10001'


# --- the script -----------------------------------------------------------------------------------------------

def _start_script(*args):
    process = subprocess.Popen([sys.executable, pai_emulator.__file__, '--port', '0'] + list(args), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(15)
    if not lines:
        process.kill()
        pytest.fail('the emulator printed nothing within 15 seconds')
    return process, lines[0]


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT])
def test_script_prints_url_serves_and_stops_cleanly(signum, make_sdk_client, sdk_models, make_admin):
    process, line = _start_script('--host', '127.0.0.1', '--access-key-id', 'cli-ak', '--access-key-secret', 'cli-sk')
    try:
        match = re.match(r'^PAI emulator listening on http://127\.0\.0\.1:(\d+)\n$', line)
        assert match, line
        port = int(match.group(1))
        assert port != 0
        client = make_sdk_client('cli-ak', 'cli-sk', port=port)
        body = client.get_default_workspace(sdk_models.GetDefaultWorkspaceRequest()).body
        assert (body.workspace_id, body.workspace_name) == ('10001', 'ansible_demo')
        assert make_admin(port).requests()[0]['action'] == 'GetDefaultWorkspace'
    finally:
        os.kill(process.pid, signum)
        assert process.wait(15) == 0
        process.stdout.close()
        assert process.stderr.read() == ''
        process.stderr.close()
