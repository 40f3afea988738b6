"""Connections through the official SDK: create/get/list/update/delete/validate, shapes, paging and errors."""

import re

import pytest

CONNECTION_ID = re.compile(r'^conn-[a-z0-9]{20}$')
SECOND_TIMESTAMP = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')


@pytest.fixture
def create(sdk_client, sdk_models):
    """Create a connection with sensible defaults; returns its id."""

    def make(name='conn', **fields):
        fields.setdefault('workspace_id', '10001')
        fields.setdefault('connection_type', 'OpenLLMConnection')
        fields.setdefault('configs', {'base_url': 'http://llm.example.com/v1'})
        request = sdk_models.CreateConnectionRequest(connection_name=name, **fields)
        return sdk_client.create_connection(request).body.connection_id

    return make


def get(sdk_client, sdk_models, connection_id, option=None):
    return sdk_client.get_connection(connection_id, sdk_models.GetConnectionRequest(encrypt_option=option)).body


def list_connections(sdk_client, sdk_models, **query):
    return sdk_client.list_connections(sdk_models.ListConnectionsRequest(**query)).body


def test_create_and_get_round_trip_with_unicode(sdk_client, sdk_models, admin):
    request = sdk_models.CreateConnectionRequest(
        workspace_id='10001',
        connection_name='通义千问连接',
        connection_type='DashScopeConnection',
        description='开源大模型服务连接。',
        configs={'base_url': 'https://dashscope.aliyuncs.com/compatible-mode/v1', 'region': '杭州'},
        secrets={'api_key': 'sk-密钥'},
        resource_meta=sdk_models.CreateConnectionRequestResourceMeta(instance_id='ld-uf69', instance_name='测试实例。',
                                                                     extra='{"vpcId":"vpc-xxxx"}'),
        models=[
            sdk_models.CreateConnectionRequestModels(model='qwen-plus', display_name='通义千问plus', model_type='LLM',
                                                     tool_call=True, max_model_length=131072, support_reasoning=True,
                                                     support_response_schema=False, support_vision=True),
            sdk_models.CreateConnectionRequestModels(model='text-embedding-v3', model_type='Embedding'),
        ],
    )
    response = sdk_client.create_connection(request)
    assert response.status_code == 200
    connection_id = response.body.connection_id
    assert CONNECTION_ID.match(connection_id)
    assert re.match(r'^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$', response.body.request_id)

    body = get(sdk_client, sdk_models, connection_id, 'PlainText')
    assert body.connection_id == connection_id
    assert body.connection_name == '通义千问连接'
    assert body.connection_type == 'DashScopeConnection'
    assert body.workspace_id == '10001'
    assert body.accessibility == 'PRIVATE'
    assert body.description == '开源大模型服务连接。'
    assert body.configs == {'base_url': 'https://dashscope.aliyuncs.com/compatible-mode/v1', 'region': '杭州'}
    assert body.secrets == {'api_key': 'sk-密钥'}
    assert body.creator.isdigit()
    assert SECOND_TIMESTAMP.match(body.gmt_create_time) and body.gmt_modified_time == body.gmt_create_time
    assert (body.resource_meta.instance_id, body.resource_meta.instance_name, body.resource_meta.extra) == (
        'ld-uf69', '测试实例。', '{"vpcId":"vpc-xxxx"}')
    assert [m.to_map() for m in body.models] == [
        {'DisplayName': '通义千问plus', 'Model': 'qwen-plus', 'ModelType': 'LLM', 'ToolCall': True},
        {'Model': 'text-embedding-v3', 'ModelType': 'Embedding', 'ToolCall': False},
    ]
    assert body.models[0].tool_call is True
    # The SDK documents the capability fields for Create only: its response model drops them, the emulator stores them.
    stored = admin.state()['connections'][0]['Models'][0]
    assert stored['MaxModelLength'] == 131072 and stored['SupportReasoning'] is True


def test_secrets_rendering_by_encrypt_option(sdk_client, sdk_models, create):
    connection_id = create(secrets={'api_key': 'sk-123', 'password': 'p@ss'})
    assert get(sdk_client, sdk_models, connection_id).secrets == {'api_key': '******', 'password': '******'}
    assert get(sdk_client, sdk_models, connection_id, 'PlainText').secrets == {'api_key': 'sk-123', 'password': 'p@ss'}
    cipher = get(sdk_client, sdk_models, connection_id, 'Secret').secrets
    assert set(cipher) == {'api_key', 'password'}
    assert all(value not in ('sk-123', 'p@ss', '******') and len(value) > 16 for value in cipher.values())
    listed = list_connections(sdk_client, sdk_models, encrypt_option='PlainText').connections[0]
    assert listed.secrets == {'api_key': 'sk-123', 'password': 'p@ss'}
    assert list_connections(sdk_client, sdk_models).connections[0].secrets['api_key'] == '******'


def test_list_pages_with_next_token(sdk_client, sdk_models, create):
    ids = [create('page-%02d' % index) for index in range(23)]
    seen, token, sizes = [], None, []
    while True:
        body = list_connections(sdk_client, sdk_models, workspace_id='10001', max_results=10, next_token=token)
        assert body.total_count == 23 and body.max_results == 10
        sizes.append(len(body.connections))
        seen.extend(c.connection_id for c in body.connections)
        token = body.next_token
        if token is None:
            break
    assert sizes == [10, 10, 3]
    assert seen == list(reversed(ids))  # default order: newest first
    ascending = list_connections(sdk_client, sdk_models, max_results=100, order='ASC', sort_by='GmtCreateTime')
    assert [c.connection_id for c in ascending.connections] == ids and ascending.next_token is None


def test_list_exact_last_page_has_no_next_token(sdk_client, sdk_models, create):
    for index in range(20):
        create('exact-%d' % index)
    first = list_connections(sdk_client, sdk_models, max_results=10)
    assert first.next_token == '10'
    second = list_connections(sdk_client, sdk_models, max_results=10, next_token=first.next_token)
    assert len(second.connections) == 10 and second.next_token is None and second.total_count == 20
    assert 'NextToken' not in second.to_map()
    default = list_connections(sdk_client, sdk_models)
    assert default.max_results == 10 and len(default.connections) == 10


def test_list_filters(sdk_client, sdk_models, create, admin, make_sdk_client):
    other_ws = admin.seed(workspaces=[{'WorkspaceName': 'other_ws'}])['workspaces'][0]
    llm = create('Prod-LLM', models=[sdk_models.CreateConnectionRequestModels(model='qwen-max', model_type='LLM',
                                                                              tool_call=True)])
    embed = create('prod-embedding', accessibility='PUBLIC',
                   models=[sdk_models.CreateConnectionRequestModels(model='text-embedding-v3',
                                                                    model_type='Embedding')])
    milvus = create('vector store', connection_type='MilvusConnection', configs={'uri': 'http://milvus:19530'},
                    workspace_id=other_ws)
    admin.seed(credentials=[{'access_key_id': 'other-ak', 'access_key_secret': 'other-secret'}])
    other_request = sdk_models.CreateConnectionRequest(connection_name='prod-other', configs={'a': 'b'},
                                                       connection_type='CustomConnection', workspace_id='10001')
    other = make_sdk_client('other-ak', 'other-secret').create_connection(other_request).body.connection_id

    def ids(**query):
        return sorted(c.connection_id for c in list_connections(sdk_client, sdk_models, max_results=100,
                                                                **query).connections)

    assert ids(connection_name='PROD') == sorted([llm, embed, other])
    assert ids(workspace_id=other_ws) == [milvus]
    assert ids(connection_ids=[llm, milvus]) == sorted([llm, milvus])
    assert ids(connection_types=['MilvusConnection', 'CustomConnection']) == sorted([milvus, other])
    assert ids(model_types=['Embedding']) == [embed]
    assert ids(model='qwen-max') == [llm]
    assert ids(tool_call=True) == [llm]
    assert ids(tool_call=False) == [embed]
    assert ids(model='qwen-max', tool_call=False) == []
    assert ids(accessibility='PUBLIC') == [embed]
    creator = get(sdk_client, sdk_models, other).creator
    assert creator != get(sdk_client, sdk_models, llm).creator
    assert ids(creator=creator) == [other]
    assert ids(connection_name='no-such') == []


def test_lower_case_booleans_in_query(raw_api, create, sdk_models):
    create('tool', models=[sdk_models.CreateConnectionRequestModels(model='m', model_type='LLM', tool_call=True)])
    create('no-tool')
    for value, expected in (('true', 1), ('True', 1), ('false', 0), ('False', 0)):
        response = raw_api.v3('GET', '/api/v1/connections', {'ToolCall': value}, action='ListConnections')
        assert response.status == 200 and response.json['TotalCount'] == expected
    response = raw_api.v3('GET', '/api/v1/connections', {'ToolCall': 'yes'})
    assert response.status == 400 and response.code == 'InvalidParameter'


def test_update_connection_semantics(sdk_client, sdk_models, create, emulator):
    connection_id = create(description='before', configs={'base_url': 'http://a', 'keep': 'x'},
                           secrets={'api_key': 'old'},
                           models=[sdk_models.CreateConnectionRequestModels(model='m1', model_type='LLM'),
                                   sdk_models.CreateConnectionRequestModels(model='m2', model_type='LLM')])
    created = get(sdk_client, sdk_models, connection_id)
    real_clock = emulator.state.clock
    emulator.state.clock = lambda: real_clock() + 5

    update = sdk_models.UpdateConnectionRequest(configs={'base_url': 'http://b'}, description='after',
                                                models=[sdk_models.UpdateConnectionRequestModels(
                                                    model='m3', model_type='ReRank', display_name='重排',
                                                    tool_call=True)])
    assert sdk_client.update_connection(connection_id, update).status_code == 200
    body = get(sdk_client, sdk_models, connection_id, 'PlainText')
    assert body.configs == {'base_url': 'http://b'}  # the whole map is replaced
    assert body.secrets == {'api_key': 'old'}  # absent -> untouched
    assert body.description == 'after'
    assert [m.to_map() for m in body.models] == [
        {'DisplayName': '重排', 'Model': 'm3', 'ModelType': 'ReRank', 'ToolCall': True}]
    assert body.gmt_modified_time > created.gmt_modified_time and body.gmt_create_time == created.gmt_create_time

    sdk_client.update_connection(connection_id, sdk_models.UpdateConnectionRequest(secrets={'token': 'new'},
                                                                                   models=[]))
    body = get(sdk_client, sdk_models, connection_id, 'PlainText')
    assert body.secrets == {'token': 'new'} and body.models == [] and body.description == 'after'
    assert (body.connection_name, body.connection_type, body.accessibility) == ('conn', 'OpenLLMConnection',
                                                                                'PRIVATE')


def test_update_ignores_unknown_and_immutable_keys(raw_api, sdk_client, sdk_models, create):
    connection_id = create()
    response = raw_api.v3('PUT', '/api/v1/connections/' + connection_id,
                          body={'ConnectionName': 'renamed', 'Accessibility': 'PUBLIC', 'Whatever': 1,
                                'Description': 'd'}, action='UpdateConnection')
    assert response.status == 200 and set(response.json) == {'RequestId'}
    body = get(sdk_client, sdk_models, connection_id)
    assert (body.connection_name, body.accessibility, body.description) == ('conn', 'PRIVATE', 'd')


def test_delete_connection_and_not_found(sdk_client, sdk_models, create, sdk_error, emulator):
    connection_id = create()
    assert sdk_client.delete_connection(connection_id, sdk_models.DeleteConnectionRequest()).status_code == 200
    for call in (lambda: get(sdk_client, sdk_models, connection_id),
                 lambda: sdk_client.delete_connection(connection_id, sdk_models.DeleteConnectionRequest()),
                 lambda: sdk_client.update_connection(connection_id, sdk_models.UpdateConnectionRequest())):
        error = sdk_error(call)
        assert (error.status_code, error.code) == (404, 'RequestFailedErrorProblem')
        assert error.data['HostId'] == '127.0.0.1:%d' % emulator.port
        assert error.data['Recommend'].endswith('q=RequestFailedErrorProblem&product=AIWorkSpace&requestId='
                                                + error.request_id)


def test_duplicate_names_are_allowed(sdk_client, sdk_models, create):
    first, second = create('same-name'), create('same-name')
    assert first != second
    assert list_connections(sdk_client, sdk_models, connection_name='same-name').total_count == 2


def test_path_parameters_are_decoded_per_segment(sdk_client, sdk_models, admin, sdk_error):
    admin.seed(connections=[{'ConnectionId': 'conn/with space', 'ConnectionName': 'odd', 'Configs': {'a': 'b'}}])
    assert get(sdk_client, sdk_models, 'conn/with space').connection_id == 'conn/with space'
    assert admin.requests()[-1]['path'] == '/api/v1/connections/conn%2Fwith%20space'
    error = sdk_error(get, sdk_client, sdk_models, 'conn/missing')
    assert error.code == 'RequestFailedErrorProblem' and 'conn/missing' in error.data['Message']


@pytest.mark.parametrize('fields, code, needle', [
    ({'connection_name': None}, 'MissingParameter', 'ConnectionName'),
    ({'configs': None}, 'MissingParameter', 'Configs'),
    ({'accessibility': 'public'}, 'InvalidParameter', 'PUBLIC, PRIVATE'),
    ({'connection_type': 'RedisConnection'}, 'InvalidParameter', 'ConnectionType'),
    ({'configs': {'port': 6379}}, 'InvalidParameter', 'Configs.port'),
    ({'secrets': {'password': None}}, 'InvalidParameter', 'Secrets.password'),
])
def test_create_validation_errors(sdk_client, sdk_models, sdk_error, fields, code, needle):
    values = {'connection_name': 'bad', 'configs': {'base_url': 'http://x'}, 'connection_type': 'OpenLLMConnection',
              'workspace_id': '10001'}
    values.update(fields)
    error = sdk_error(sdk_client.create_connection, sdk_models.CreateConnectionRequest(**values))
    assert (error.status_code, error.code) == (400, code)
    assert needle in error.data['Message']


def test_create_model_type_must_be_known(sdk_client, sdk_models, sdk_error):
    request = sdk_models.CreateConnectionRequest(
        connection_name='bad', configs={}, models=[sdk_models.CreateConnectionRequestModels(model='m',
                                                                                            model_type='Chat')])
    error = sdk_error(sdk_client.create_connection, request)
    assert error.code == 'InvalidParameter' and 'LLM, Embedding, ReRank' in error.data['Message']


def test_extra_connection_types_and_defaults(sdk_client, sdk_models, create):
    for connection_type in ('DeepSeekConnection', 'FunctionAIMCPConnection', 'CustomMCPConnection'):
        assert CONNECTION_ID.match(create(connection_type=connection_type))
    request = sdk_models.CreateConnectionRequest(connection_name='defaults', configs={'k': 'v'})
    body = get(sdk_client, sdk_models, sdk_client.create_connection(request).body.connection_id)
    assert (body.workspace_id, body.accessibility, body.secrets, body.models) == ('10001', 'PRIVATE', {}, [])


def test_unknown_workspace_and_list_parameter_errors(sdk_client, sdk_models, create, sdk_error):
    error = sdk_error(create, workspace_id='99999')
    assert (error.status_code, error.code, error.data['Message']) == (404, '100400027', 'Workspace not exists')
    error = sdk_error(list_connections, sdk_client, sdk_models, workspace_id='99999')
    assert (error.status_code, error.code) == (404, '100400027')
    for query, needle in (({'max_results': 101}, 'MaxResults'), ({'order': 'UP'}, 'ASC, DESC'),
                          ({'sort_by': 'Name'}, 'GmtCreateTime'), ({'encrypt_option': 'Plain'}, 'PlainText, Secret'),
                          ({'next_token': 'abc'}, 'NextToken'), ({'model_types': ['Chat']}, 'ModelTypes')):
        error = sdk_error(list_connections, sdk_client, sdk_models, **query)
        assert (error.status_code, error.code) == (400, 'InvalidParameter') and needle in error.data['Message']
    error = sdk_error(get, sdk_client, sdk_models, create(), 'Cipher')
    assert error.code == 'InvalidParameter'


def validate(sdk_client, sdk_models, **fields):
    fields.setdefault('workspace_id', '10001')
    return sdk_client.validate_connection(sdk_models.ValidateConnectionRequest(**fields)).body


def test_validate_connection(sdk_client, sdk_models, create, admin, sdk_error):
    ok = validate(sdk_client, sdk_models, connection_type='DashScopeConnection', validate_type='Connectivity',
                  configs={'base_url': 'https://dashscope.aliyuncs.com/compatible-mode/v1'},
                  secrets={'api_key': 'sk'})
    assert ok.status == 'success' and isinstance(ok.details, dict) and ok.request_id
    failed = validate(sdk_client, sdk_models, connection_type='DeepSeekConnection', configs={'uri': 'x'})
    assert (failed.status, failed.code) == ('failed', 'ConnectivityCheckFailed') and 'base_url' in failed.message
    failed = validate(sdk_client, sdk_models, connection_type='CustomMCPConnection',
                      configs={'base_url': 'http://unreachable.example'})
    assert failed.status == 'failed' and failed.message
    failed = validate(sdk_client, sdk_models, connection_type='FunctionAIMCPConnection',
                      configs={'base_url': 'http://ok'}, secrets={'api_key': ''})
    assert failed.status == 'failed' and 'api_key' in failed.message

    stored = create(connection_type='DashScopeConnection', secrets={'api_key': 'sk'})
    assert validate(sdk_client, sdk_models, connection_id=stored).status == 'success'
    merged = validate(sdk_client, sdk_models, connection_id=stored, secrets={'api_key': ''})
    assert merged.status == 'failed'

    error = sdk_error(validate, sdk_client, sdk_models, connection_type='MilvusConnection', configs={})
    assert (error.status_code, error.code) == (400, 'InvalidParameter')
    error = sdk_error(validate, sdk_client, sdk_models, connection_id=create())  # OpenLLMConnection
    assert error.code == 'InvalidParameter'
    error = sdk_error(sdk_client.validate_connection,
                      sdk_models.ValidateConnectionRequest(connection_type='DashScopeConnection'))
    assert (error.code, 'WorkspaceId' in error.data['Message']) == ('MissingParameter', True)
    error = sdk_error(validate, sdk_client, sdk_models, connection_id='conn-missing')
    assert (error.status_code, error.code) == (404, 'RequestFailedErrorProblem')
    validations = [r for r in admin.requests() if r['action'] == 'ValidateConnection']
    assert validations and not any(r['mutated'] for r in validations)
    assert admin.state(plain=True)['connections'][0]['Secrets'] == {'api_key': 'sk'}
