"""Behaviour switches (undocumented service behaviours) through the official SDK, and connection model capabilities.

Every switch and every value is driven here: the admin endpoints and start values first, then the effect of each
value on the actions it governs.
"""

import re
import signal
import subprocess
import sys
import threading

import pytest

import pai_emulator  # loaded from tests/emulator by conftest.py

DEFAULTS = {
    'update_fields': 'merge',
    'model_labels_create': 'upsert',
    'plain_text': 'honoured',
    'page_size': 'max100',
    'duplicate_names': 'allowed',
    'model_workspace': 'default',
    'model_delete_with_versions': 'cascade',
    'workspace_transitions': 'instant',
    'sts_assume_role': 'allowed',
    'sts_duration': 'normal',
    'ecs_metadata': 'v2',
}
KMS_CIPHERTEXT = re.compile(r'^KMS-ENC:[A-Za-z0-9+/=]+$')


def create_connection(sdk_client, sdk_models, name='conn', **fields):
    fields.setdefault('configs', {'base_url': 'http://llm.example.com/v1'})
    request = sdk_models.CreateConnectionRequest(connection_name=name, **fields)
    return sdk_client.create_connection(request).body.connection_id


def get_connection(sdk_client, sdk_models, connection_id, option=None):
    return sdk_client.get_connection(connection_id, sdk_models.GetConnectionRequest(encrypt_option=option)).body


def create_model(sdk_client, sdk_models, name='model', **fields):
    if 'labels' in fields:
        fields['labels'] = [sdk_models.Label(key=k, value=v) for k, v in fields['labels']]
    return sdk_client.create_model(sdk_models.CreateModelRequest(model_name=name, **fields)).body.model_id


def get_model(sdk_client, sdk_models, model_id):
    return sdk_client.get_model(model_id, sdk_models.GetModelRequest()).body


def add_labels(sdk_client, sdk_models, model_id, pairs):
    request = sdk_models.CreateModelLabelsRequest(labels=[sdk_models.Label(key=k, value=v) for k, v in pairs])
    return sdk_client.create_model_labels(model_id, request)


def label_pairs(body):
    return [(label.key, label.value) for label in body.labels or []]


# --- the switches: admin endpoints, start values, flags ----------------------------------------------------------

def test_default_map(admin):
    assert admin.behaviours() == DEFAULTS
    assert pai_emulator.DEFAULT_BEHAVIOURS == DEFAULTS
    assert {name: values[0] for name, values in pai_emulator.BEHAVIOURS.items()} == DEFAULTS


def test_set_returns_whole_map_and_reset_restores_start_values(admin):
    changed = admin.set_behaviours(page_size='capped50', plain_text='ignored')
    assert changed == dict(DEFAULTS, page_size='capped50', plain_text='ignored')
    assert admin.behaviours() == changed
    assert admin.set_behaviours() == changed  # an empty body changes nothing
    assert admin.set_behaviours(page_size='max100') == dict(DEFAULTS, plain_text='ignored')
    admin.reset()
    assert admin.behaviours() == DEFAULTS


@pytest.mark.parametrize('body, named, allowed', [
    ({'no_such_switch': 'on'}, '"no_such_switch"', 'page_size (max100, capped50, reject_above50)'),
    ({'page_size': 'huge'}, '"page_size"', 'max100, capped50, reject_above50'),
    ({'page_size': 50}, '"page_size"', 'max100, capped50, reject_above50'),
    ({'update_fields': 'replace', 'plain_text': 'maybe'}, '"plain_text"', 'honoured, ignored'),
    ({'model_labels_create': None}, '"model_labels_create"', 'upsert, replace, reject_existing'),
    ({'model_delete_with_versions': 'orphan'}, '"model_delete_with_versions"', 'cascade, refuse'),
    ({'workspace_transitions': 'fast'}, '"workspace_transitions"', 'instant, slow, failing'),
])
def test_invalid_name_or_value_is_400_and_changes_nothing(admin, body, named, allowed):
    admin.set_behaviours(duplicate_names='rejected')
    before = admin.behaviours()
    status, error = admin.call('POST', 'behaviours', body)
    assert (status, error['Code']) == (400, 'InvalidParameter')
    assert named in error['Message'] and allowed in error['Message'], error['Message']
    assert admin.behaviours() == before


def test_body_must_be_an_object(admin):
    status, error = admin.call('POST', 'behaviours', ['page_size'])
    assert (status, error['Code']) == (400, 'InvalidParameter')
    assert admin.behaviours() == DEFAULTS


def test_serve_in_thread_start_values_survive_reset(make_admin):
    start = {'page_size': 'capped50', 'update_fields': 'replace', 'model_delete_with_versions': 'refuse',
             'workspace_transitions': 'slow', 'sts_duration': 'expired', 'ecs_metadata': 'unreachable'}
    with pai_emulator.serve_in_thread(host='127.0.0.1', port=0, behaviours=start) as server:
        admin = make_admin(server.port)
        assert admin.behaviours() == dict(DEFAULTS, **start)
        assert server.state.behaviour('page_size') == 'capped50'
        admin.set_behaviours(page_size='reject_above50', plain_text='ignored', model_delete_with_versions='cascade',
                             workspace_transitions='failing', sts_assume_role='denied', sts_duration='normal',
                             ecs_metadata='v1_only')
        admin.reset()
        assert admin.behaviours() == dict(DEFAULTS, **start)


@pytest.mark.parametrize('behaviours, message', [
    ({'page_size': 'capped40'}, 'Allowed values: max100, capped50, reject_above50.'),
    ({'pagesize': 'capped50'}, 'Unknown behaviour "pagesize". Known behaviours: update_fields (merge, replace)'),
    ({'ecs_metadata': 'v3'}, 'Allowed values: v2, v2_required, v1_only, unreachable.'),
    ({'sts_duration': 'short'}, 'Allowed values: normal, expired.'),
])
def test_serve_in_thread_rejects_invalid_start_values(behaviours, message):
    with pytest.raises(ValueError) as info:
        pai_emulator.serve_in_thread(host='127.0.0.1', port=0, behaviours=behaviours)
    assert message in str(info.value)


def test_parse_args_behaviour_flags():
    assert pai_emulator.parse_args([]).behaviours == {}
    args = pai_emulator.parse_args(['--port', '0', '--behaviour', 'page_size=capped50',
                                    '--behaviour', 'update_fields=replace', '--behaviour', 'page_size=reject_above50'])
    assert args.behaviours == {'page_size': 'reject_above50', 'update_fields': 'replace'}  # the last one wins
    assert args.port == 0


@pytest.mark.parametrize('flag, expected', [
    ('page_size=huge', 'argument --behaviour: The behaviour "page_size" does not accept the value "huge". '
                       'Allowed values: max100, capped50, reject_above50.'),
    ('colour=red', 'argument --behaviour: Unknown behaviour "colour". Known behaviours: update_fields (merge, '
                   'replace), model_labels_create (upsert, replace, reject_existing), plain_text (honoured, '
                   'ignored), page_size (max100, capped50, reject_above50), duplicate_names (allowed, rejected), '
                   'model_workspace (default, required), model_delete_with_versions (cascade, refuse), '
                   'workspace_transitions (instant, slow, failing), sts_assume_role (allowed, denied), sts_duration '
                   '(normal, expired), ecs_metadata (v2, v2_required, v1_only, unreachable).'),
    ('plain_text', 'argument --behaviour: expected NAME=VALUE, got "plain_text". Known behaviours: update_fields'),
])
def test_invalid_flag_fails_with_the_allowed_values(capsys, flag, expected):
    with pytest.raises(SystemExit) as info:
        pai_emulator.main(['--port', '0', '--behaviour', flag])  # fails while parsing: nothing is served
    assert info.value.code == 2
    assert expected in ' '.join(capsys.readouterr().err.split())


def test_script_flag_sets_start_values(make_admin):
    process = subprocess.Popen([sys.executable, pai_emulator.__file__, '--port', '0',
                                '--behaviour', 'plain_text=ignored', '--behaviour', 'model_workspace=required',
                                '--behaviour', 'model_delete_with_versions=refuse',
                                '--behaviour', 'workspace_transitions=failing',
                                '--behaviour', 'sts_assume_role=denied', '--behaviour', 'ecs_metadata=v2_required'],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(15)
        match = re.match(r'^PAI emulator listening on http://127\.0\.0\.1:(\d+)\n$', lines[0] if lines else '')
        assert match, lines
        admin = make_admin(int(match.group(1)))
        start = dict(DEFAULTS, plain_text='ignored', model_workspace='required', model_delete_with_versions='refuse',
                     workspace_transitions='failing', sts_assume_role='denied', ecs_metadata='v2_required')
        assert admin.behaviours() == start
        admin.set_behaviours(plain_text='honoured', model_delete_with_versions='cascade', sts_assume_role='allowed',
                             ecs_metadata='v2')
        admin.reset()
        assert admin.behaviours() == start
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
        process.stdout.close()
        process.stderr.close()


# --- update_fields ------------------------------------------------------------------------------------------------

CONNECTION_CREATED = {'description': 'created', 'configs': {'base_url': 'http://a'}, 'secrets': {'api_key': 'k1'},
                      'models': [{'Model': 'qwen-max', 'ModelType': 'LLM', 'ToolCall': True}]}
CONNECTION_UPDATED = {'description': 'updated', 'configs': {'base_url': 'http://b'}, 'secrets': {'token': 'k2'},
                      'models': [{'Model': 'qwen-plus', 'ToolCall': False}]}
CONNECTION_CLEARED = {'description': '', 'configs': {}, 'secrets': {}, 'models': []}


def connection_fields(body):
    return {'description': body.description, 'configs': body.configs, 'secrets': body.secrets,
            'models': [model.to_map() for model in body.models]}


def sdk_connection_models(model_class, models):
    return [model_class().from_map(model) for model in models]


@pytest.mark.parametrize('mode', ['merge', 'replace'])
@pytest.mark.parametrize('omitted', sorted(CONNECTION_CREATED))
def test_update_connection_omitted_field(sdk_client, sdk_models, admin, mode, omitted):
    created = dict(CONNECTION_CREATED)
    created['models'] = sdk_connection_models(sdk_models.CreateConnectionRequestModels, CONNECTION_CREATED['models'])
    connection_id = create_connection(sdk_client, sdk_models, **created)
    assert admin.set_behaviours(update_fields=mode)['update_fields'] == mode
    sent = {field: value for field, value in CONNECTION_UPDATED.items() if field != omitted}
    if 'models' in sent:
        sent['models'] = sdk_connection_models(sdk_models.UpdateConnectionRequestModels, sent['models'])
    sdk_client.update_connection(connection_id, sdk_models.UpdateConnectionRequest(**sent))
    expected = dict(CONNECTION_UPDATED)
    expected[omitted] = CONNECTION_CREATED[omitted] if mode == 'merge' else CONNECTION_CLEARED[omitted]
    assert connection_fields(get_connection(sdk_client, sdk_models, connection_id, 'PlainText')) == expected


def test_update_connection_replace_with_an_empty_body_clears_everything(sdk_client, sdk_models, admin):
    created = dict(CONNECTION_CREATED)
    created['models'] = sdk_connection_models(sdk_models.CreateConnectionRequestModels, CONNECTION_CREATED['models'])
    connection_id = create_connection(sdk_client, sdk_models, 'kept-name', **created)
    admin.set_behaviours(update_fields='replace')
    sdk_client.update_connection(connection_id, sdk_models.UpdateConnectionRequest())
    body = get_connection(sdk_client, sdk_models, connection_id, 'PlainText')
    assert connection_fields(body) == CONNECTION_CLEARED
    assert (body.connection_name, body.workspace_id) == ('kept-name', '10001')  # not updatable: kept


@pytest.mark.parametrize('mode, expected', [('merge', 'created'), ('replace', '')])
def test_update_connection_null_counts_as_omitted(raw_api, sdk_client, sdk_models, admin, mode, expected):
    connection_id = create_connection(sdk_client, sdk_models, description='created')
    admin.set_behaviours(update_fields=mode)
    response = raw_api.v3('PUT', '/api/v1/connections/' + connection_id, body={'Description': None, 'Configs': {}},
                          action='UpdateConnection')
    assert response.status == 200, response.json
    assert get_connection(sdk_client, sdk_models, connection_id).description == expected


MODEL_CREATED = {'model_description': 'd1', 'model_doc': 'https://doc/1', 'model_type': 'Checkpoint',
                 'origin': 'Civitai', 'domain': 'aigc', 'task': 'text-to-image-synthesis', 'order_number': 1,
                 'parameter_size': 860, 'extra_info': {'resolution': 512}, 'accessibility': 'PUBLIC'}
MODEL_UPDATED = {'model_description': 'd2', 'model_doc': 'https://doc/2', 'model_type': 'LoRA',
                 'origin': 'HuggingFace', 'domain': 'nlp', 'task': 'text-generation', 'order_number': 2,
                 'parameter_size': 7000, 'extra_info': {'context': 8192}, 'accessibility': 'PUBLIC'}


def model_fields(body):
    return {field: getattr(body, field) for field in MODEL_CREATED}


@pytest.mark.parametrize('mode', ['merge', 'replace'])
@pytest.mark.parametrize('omitted', sorted(MODEL_CREATED))
def test_update_model_omitted_field(sdk_client, sdk_models, admin, mode, omitted):
    model_id = create_model(sdk_client, sdk_models, 'm1', labels=[('team', 'a')], **MODEL_CREATED)
    admin.set_behaviours(update_fields=mode)
    sent = {field: value for field, value in MODEL_UPDATED.items() if field != omitted}
    sdk_client.update_model(model_id, sdk_models.UpdateModelRequest(model_name='m2', **sent))
    body = get_model(sdk_client, sdk_models, model_id)
    expected = dict(MODEL_UPDATED)
    if mode == 'merge':
        expected[omitted] = MODEL_CREATED[omitted]
    else:
        expected[omitted] = 'PRIVATE' if omitted == 'accessibility' else None
    assert model_fields(body) == expected
    assert body.model_name == 'm2' and label_pairs(body) == [('team', 'a')]  # labels are not updatable
    if mode == 'replace' and omitted != 'accessibility':
        raw_key = ''.join(part.capitalize() for part in omitted.split('_'))
        assert raw_key not in body.to_map()  # removed, not returned as null or ""


def test_update_model_replace_with_only_the_name_clears_every_field(sdk_client, sdk_models, admin):
    model_id = create_model(sdk_client, sdk_models, 'm1', **MODEL_CREATED)
    admin.set_behaviours(update_fields='replace')
    sdk_client.update_model(model_id, sdk_models.UpdateModelRequest(model_name='m1'))
    body = get_model(sdk_client, sdk_models, model_id)
    assert model_fields(body) == dict({field: None for field in MODEL_CREATED}, accessibility='PRIVATE')
    assert sorted(body.to_map()) == ['Accessibility', 'GmtCreateTime', 'GmtModifiedTime', 'Labels', 'ModelId',
                                     'ModelName', 'OwnerId', 'RequestId', 'UserId', 'WorkspaceId']


def test_update_model_name_required_in_replace_mode_only(sdk_client, sdk_models, admin, sdk_error):
    model_id = create_model(sdk_client, sdk_models, 'm1', **MODEL_CREATED)
    sdk_client.update_model(model_id, sdk_models.UpdateModelRequest(task='merged'))  # merge: the name may be omitted
    assert get_model(sdk_client, sdk_models, model_id).task == 'merged'
    admin.set_behaviours(update_fields='replace')
    before = admin.state()
    error = sdk_error(sdk_client.update_model, model_id, sdk_models.UpdateModelRequest(task='replaced'))
    assert (error.status_code, error.code) == (400, 'MissingParameter')
    assert '"ModelName"' in error.data['Message']
    assert admin.state() == before


# --- model_labels_create ------------------------------------------------------------------------------------------

@pytest.mark.parametrize('mode, expected', [
    ('upsert', [('a', '1'), ('b', '3'), ('c', '4')]),
    ('replace', [('b', '3'), ('c', '4')]),
])
def test_create_model_labels_modes(sdk_client, sdk_models, admin, mode, expected):
    model_id = create_model(sdk_client, sdk_models, labels=[('a', '1'), ('b', '2')])
    assert admin.set_behaviours(model_labels_create=mode)['model_labels_create'] == mode
    assert add_labels(sdk_client, sdk_models, model_id, [('b', '3'), ('c', '4')]).status_code == 200
    assert label_pairs(get_model(sdk_client, sdk_models, model_id)) == expected


def test_create_model_labels_replace_with_an_empty_list_removes_all(sdk_client, sdk_models, admin):
    model_id = create_model(sdk_client, sdk_models, labels=[('a', '1')])
    admin.set_behaviours(model_labels_create='replace')
    add_labels(sdk_client, sdk_models, model_id, [])
    assert label_pairs(get_model(sdk_client, sdk_models, model_id)) == []


def test_create_model_labels_reject_existing(sdk_client, sdk_models, admin, sdk_error):
    model_id = create_model(sdk_client, sdk_models, labels=[('a', '1'), ('b', '2')])
    admin.set_behaviours(model_labels_create='reject_existing')
    before = admin.state()
    error = sdk_error(add_labels, sdk_client, sdk_models, model_id, [('c', '3'), ('b', '9')])
    assert (error.status_code, error.code) == (400, 'LabelKeyAlreadyExists')
    assert error.data['Message'] == 'The model %s already has the label key(s): b.' % model_id
    error = sdk_error(add_labels, sdk_client, sdk_models, model_id, [('b', '9'), ('x', '0'), ('a', '9')])
    assert error.data['Message'].endswith('label key(s): b, a.')
    assert admin.state() == before  # nothing changed, not even GmtModifiedTime
    assert [entry['mutated'] for entry in admin.requests()[-2:]] == [False, False]
    add_labels(sdk_client, sdk_models, model_id, [('c', '3'), ('d', '4')])
    assert label_pairs(get_model(sdk_client, sdk_models, model_id)) == [('a', '1'), ('b', '2'), ('c', '3'), ('d', '4')]


# --- plain_text ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('mode', ['honoured', 'ignored'])
def test_plain_text_modes(sdk_client, sdk_models, admin, mode):
    connection_id = create_connection(sdk_client, sdk_models, secrets={'api_key': 'sk-1', 'password': 'p'})
    admin.set_behaviours(plain_text=mode)
    plain = {'api_key': 'sk-1', 'password': 'p'}
    masked = {'api_key': pai_emulator.SECRET_MASK, 'password': pai_emulator.SECRET_MASK}
    expected = plain if mode == 'honoured' else masked
    assert get_connection(sdk_client, sdk_models, connection_id, 'PlainText').secrets == expected
    listed = sdk_client.list_connections(sdk_models.ListConnectionsRequest(encrypt_option='PlainText')).body
    assert listed.connections[0].secrets == expected
    assert get_connection(sdk_client, sdk_models, connection_id).secrets == masked
    ciphertexts = [get_connection(sdk_client, sdk_models, connection_id, 'Secret').secrets,
                   sdk_client.list_connections(sdk_models.ListConnectionsRequest(encrypt_option='Secret')).body
                   .connections[0].secrets]
    for secrets in ciphertexts:
        assert sorted(secrets) == ['api_key', 'password']
        assert all(KMS_CIPHERTEXT.match(value) for value in secrets.values()), secrets


# --- page_size ----------------------------------------------------------------------------------------------------

PAGE_PARAMETER = {'connections': 'MaxResults', 'models': 'PageSize', 'model_versions': 'PageSize',
                  'workspaces': 'PageSize'}
PAGED_MODEL = 'model-paged'


def seed_120(admin, kind):
    """120 objects of a kind in all (the default workspace counts); returns their ids."""
    if kind == 'connections':
        return set(admin.seed(connections=[{'ConnectionName': 'c%03d' % i, 'Configs': {}}
                                           for i in range(120)])['connections'])
    if kind == 'models':
        return set(admin.seed(models=[{'ModelName': 'm%03d' % i} for i in range(120)])['models'])
    if kind == 'model_versions':
        created = admin.seed(models=[{'ModelId': PAGED_MODEL, 'ModelName': 'paged'}],
                             model_versions=[{'ModelId': PAGED_MODEL, 'Uri': 'oss://b/m%03d/' % i} for i in range(120)])
        return {version['VersionName'] for version in created['model_versions']}
    return set(admin.seed(workspaces=[{'WorkspaceName': 'w%03d' % i} for i in range(119)])['workspaces']) | {'10001'}


def list_page(sdk_client, sdk_models, kind, size, page=None):
    """One page of a list action through the SDK; returns (ids, body)."""
    if kind == 'connections':
        body = sdk_client.list_connections(sdk_models.ListConnectionsRequest(max_results=size, next_token=page)).body
        return [c.connection_id for c in body.connections], body
    if kind == 'models':
        body = sdk_client.list_models(sdk_models.ListModelsRequest(page_size=size, page_number=page)).body
        return [m.model_id for m in body.models], body
    if kind == 'model_versions':
        request = sdk_models.ListModelVersionsRequest(page_size=size, page_number=page)
        body = sdk_client.list_model_versions(PAGED_MODEL, request).body
        return [v.version_name for v in body.versions], body
    body = sdk_client.list_workspaces(sdk_models.ListWorkspacesRequest(page_size=size, page_number=page)).body
    return [w.workspace_id for w in body.workspaces], body


@pytest.mark.parametrize('kind', sorted(PAGE_PARAMETER))
def test_page_size_max100(sdk_client, sdk_models, admin, sdk_error, kind):
    seed_120(admin, kind)
    ids, body = list_page(sdk_client, sdk_models, kind, 100)
    assert len(ids) == 100 and body.total_count == 120
    error = sdk_error(list_page, sdk_client, sdk_models, kind, 101)
    assert (error.status_code, error.code) == (400, 'InvalidParameter')
    assert error.data['Message'] == 'The parameter "%s" is invalid: must be between 1 and 100' % PAGE_PARAMETER[kind]


@pytest.mark.parametrize('kind', sorted(PAGE_PARAMETER))
def test_page_size_capped50_pages_through_everything(sdk_client, sdk_models, admin, kind):
    seeded = seed_120(admin, kind)
    admin.set_behaviours(page_size='capped50')
    pages, tokens, page = [], [], 1 if kind != 'connections' else None
    while True:
        ids, body = list_page(sdk_client, sdk_models, kind, 100, page)
        assert body.total_count == 120
        if kind == 'connections':
            assert body.max_results == 50
        if not ids:
            break
        pages.append(ids)
        if kind == 'connections':
            tokens.append(body.next_token)
            if body.next_token is None:
                break
            page = body.next_token
        else:
            page += 1
    assert [len(ids) for ids in pages] == [50, 50, 20]
    assert set(sum(pages, [])) == seeded and len(sum(pages, [])) == 120
    if kind == 'connections':
        assert tokens == ['50', '100', None]
    for size, expected in ((500, 50), (51, 50), (50, 50), (30, 30), (None, 10 if kind != 'workspaces' else 20)):
        assert len(list_page(sdk_client, sdk_models, kind, size)[0]) == expected


@pytest.mark.parametrize('kind', sorted(PAGE_PARAMETER))
def test_page_size_reject_above50(sdk_client, sdk_models, admin, sdk_error, kind):
    seed_120(admin, kind)
    admin.set_behaviours(page_size='reject_above50')
    for size in (51, 100, 500):
        error = sdk_error(list_page, sdk_client, sdk_models, kind, size)
        assert (error.status_code, error.code) == (400, 'InvalidParameter')
        assert error.data['Message'] == 'The parameter %s must be at most 50.' % PAGE_PARAMETER[kind]
    ids, body = list_page(sdk_client, sdk_models, kind, 50)
    assert len(ids) == 50 and body.total_count == 120
    assert sdk_error(list_page, sdk_client, sdk_models, kind, 0).code == 'InvalidParameter'


# --- duplicate_names ----------------------------------------------------------------------------------------------

def test_duplicate_names_allowed(sdk_client, sdk_models, admin):
    assert admin.behaviours()['duplicate_names'] == 'allowed'
    first, second = (create_connection(sdk_client, sdk_models, 'twin') for dummy in range(2))
    assert first != second
    first, second = (create_model(sdk_client, sdk_models, 'twin') for dummy in range(2))
    assert first != second
    state = admin.state()
    assert len(state['connections']) == 2 and len(state['models']) == 2


def test_duplicate_connection_names_rejected(sdk_client, sdk_models, admin, sdk_error):
    admin.seed(workspaces=[{'WorkspaceId': '10002', 'WorkspaceName': 'other'}])
    admin.set_behaviours(duplicate_names='rejected')
    create_connection(sdk_client, sdk_models, 'x', workspace_id='10001')
    before = admin.state()
    error = sdk_error(create_connection, sdk_client, sdk_models, 'x')  # the default workspace is 10001
    assert (error.status_code, error.code) == (400, 'NameAlreadyExists')
    assert error.data['Message'] == "A connection named 'x' already exists in workspace 10001."
    assert admin.state() == before and admin.requests()[-1]['mutated'] is False
    create_connection(sdk_client, sdk_models, 'x', workspace_id='10002')  # another workspace
    create_connection(sdk_client, sdk_models, 'X')  # names are compared case-sensitively
    create_model(sdk_client, sdk_models, 'x')  # models and connections do not clash
    assert len(admin.state()['connections']) == 3


def test_duplicate_model_names_rejected(sdk_client, sdk_models, admin, sdk_error):
    admin.seed(workspaces=[{'WorkspaceId': '10002', 'WorkspaceName': 'other'}])
    admin.set_behaviours(duplicate_names='rejected')
    first = create_model(sdk_client, sdk_models, 'x', workspace_id='10001')
    second = create_model(sdk_client, sdk_models, 'y')
    before = admin.state()
    error = sdk_error(create_model, sdk_client, sdk_models, 'x', workspace_id='10001')
    assert (error.status_code, error.code) == (400, 'NameAlreadyExists')
    assert error.data['Message'] == "A model named 'x' already exists in workspace 10001."
    error = sdk_error(sdk_client.update_model, second, sdk_models.UpdateModelRequest(model_name='x', task='t'))
    assert (error.code, error.data['Message']) == ('NameAlreadyExists',
                                                   "A model named 'x' already exists in workspace 10001.")
    assert admin.state() == before
    sdk_client.update_model(first, sdk_models.UpdateModelRequest(model_name='x', task='same name'))  # not a rename
    sdk_client.update_model(second, sdk_models.UpdateModelRequest(model_name='z'))  # a free name
    create_model(sdk_client, sdk_models, 'x', workspace_id='10002')
    create_model(sdk_client, sdk_models, 'X')
    assert sorted(m['ModelName'] for m in admin.state()['models']) == ['X', 'x', 'x', 'z']


def test_duplicate_names_rejected_does_not_affect_seeding(admin):
    admin.set_behaviours(duplicate_names='rejected')
    created = admin.seed(connections=[{'ConnectionName': 'x', 'Configs': {}}] * 2,
                         models=[{'ModelName': 'x'}] * 2)
    assert len(created['connections']) == 2 and len(created['models']) == 2


# --- model_workspace ----------------------------------------------------------------------------------------------

def test_model_workspace_default(sdk_client, sdk_models, admin):
    assert admin.behaviours()['model_workspace'] == 'default'
    model_id = create_model(sdk_client, sdk_models)
    assert get_model(sdk_client, sdk_models, model_id).workspace_id == '10001'


def test_model_workspace_required(sdk_client, sdk_models, admin, sdk_error):
    admin.set_behaviours(model_workspace='required')
    error = sdk_error(create_model, sdk_client, sdk_models)
    assert (error.status_code, error.code) == (400, 'MissingParameter')
    assert '"WorkspaceId"' in error.data['Message']
    assert admin.state()['models'] == []
    model_id = create_model(sdk_client, sdk_models, workspace_id='10001')
    assert get_model(sdk_client, sdk_models, model_id).workspace_id == '10001'
    connection_id = create_connection(sdk_client, sdk_models)  # connections keep the default workspace
    assert get_connection(sdk_client, sdk_models, connection_id).workspace_id == '10001'


# --- model_delete_with_versions -----------------------------------------------------------------------------------
# (update_fields and model_labels_create on model versions: test_sdk_model_versions.py)

def add_version(sdk_client, sdk_models, model_id, name):
    request = sdk_models.CreateModelVersionRequest(uri='oss://bucket/%s/' % name, version_name=name)
    return sdk_client.create_model_version(model_id, request).body.version_name


@pytest.mark.parametrize('mode', ['cascade', 'refuse'])
def test_model_delete_with_versions(sdk_client, sdk_models, admin, sdk_error, mode):
    assert admin.set_behaviours(model_delete_with_versions=mode)['model_delete_with_versions'] == mode
    model_id = create_model(sdk_client, sdk_models, 'versioned')
    for name in ('1.0.0', '1.1.0', '2.0.0'):
        add_version(sdk_client, sdk_models, model_id, name)
    delete = sdk_models.DeleteModelRequest()
    if mode == 'cascade':
        assert sdk_client.delete_model(model_id, delete).status_code == 200
        assert admin.state()['models'] == [] and admin.state()['model_versions'] == []
    else:
        before = admin.state()
        error = sdk_error(sdk_client.delete_model, model_id, delete)
        assert (error.status_code, error.code) == (400, 'ModelHasVersions')
        assert error.data['Message'] == 'The model %s still has 3 version(s); delete them first.' % model_id
        assert admin.state() == before and admin.requests()[-1]['mutated'] is False
    plain = create_model(sdk_client, sdk_models, 'no versions')
    assert sdk_client.delete_model(plain, delete).status_code == 200  # the same under both values


# --- connection model capabilities (no switch) --------------------------------------------------------------------

def raw_models(sdk_call, connection_id):
    """The Models of a connection as GetConnection and ListConnections return them (raw JSON through the SDK)."""
    got = sdk_call('GetConnection', 'GET', '/api/v1/connections/' + connection_id)['Models']
    listed = sdk_call('ListConnections', 'GET', '/api/v1/connections',
                      query={'ConnectionIds': connection_id})['Connections'][0]['Models']
    assert got == listed
    return got


def test_capabilities_returned_after_create(sdk_client, sdk_models, sdk_call):
    connection_id = create_connection(sdk_client, sdk_models, models=[
        sdk_models.CreateConnectionRequestModels(model='qwen-plus', display_name='Qwen', model_type='LLM',
                                                 tool_call=True, support_vision=True, max_model_length=131072,
                                                 support_reasoning=False, support_response_schema=True),
        sdk_models.CreateConnectionRequestModels(model='qwen-vl', support_vision=False),
        sdk_models.CreateConnectionRequestModels(model='text-embedding-v3', model_type='Embedding'),
    ])
    models = raw_models(sdk_call, connection_id)
    assert models == [
        {'DisplayName': 'Qwen', 'Model': 'qwen-plus', 'ModelType': 'LLM', 'ToolCall': True, 'MaxModelLength': 131072,
         'SupportReasoning': False, 'SupportResponseSchema': True, 'SupportVision': True},
        {'Model': 'qwen-vl', 'ToolCall': False, 'SupportVision': False},
        {'Model': 'text-embedding-v3', 'ModelType': 'Embedding', 'ToolCall': False},
    ]
    assert list(models[0]) == ['DisplayName', 'Model', 'ModelType', 'ToolCall', 'MaxModelLength', 'SupportReasoning',
                               'SupportResponseSchema', 'SupportVision']
    # The SDK's response model does not list the capabilities; it still parses the answer.
    body = get_connection(sdk_client, sdk_models, connection_id)
    assert body.models[0].to_map() == {'DisplayName': 'Qwen', 'Model': 'qwen-plus', 'ModelType': 'LLM',
                                       'ToolCall': True}
    listed = sdk_client.list_connections(sdk_models.ListConnectionsRequest()).body
    assert [m.model for m in listed.connections[0].models] == ['qwen-plus', 'qwen-vl', 'text-embedding-v3']


def test_capabilities_updated_and_dropped(sdk_client, sdk_models, sdk_call, sdk_error):
    connection_id = create_connection(sdk_client, sdk_models, models=[
        sdk_models.CreateConnectionRequestModels(model='qwen-plus', max_model_length=8192, support_vision=True)])
    sdk_call('UpdateConnection', 'PUT', '/api/v1/connections/' + connection_id, body={'Models': [
        {'Model': 'qwen-max', 'ModelType': 'LLM', 'SupportReasoning': True, 'MaxModelLength': '32768'}]})
    assert raw_models(sdk_call, connection_id) == [
        {'Model': 'qwen-max', 'ModelType': 'LLM', 'ToolCall': False, 'MaxModelLength': 32768,
         'SupportReasoning': True}]
    error = sdk_error(sdk_call, 'UpdateConnection', 'PUT', '/api/v1/connections/' + connection_id,
                      body={'Models': [{'Model': 'qwen-max', 'SupportVision': 'yes'}]})
    assert (error.code, error.data['Message']) == ('InvalidParameter',
                                                   'The parameter "Models.1.SupportVision" is invalid: must be a '
                                                   'boolean')
    # An update through the SDK's own request model cannot carry them: the entry is replaced without them.
    sdk_client.update_connection(connection_id, sdk_models.UpdateConnectionRequest(models=[
        sdk_models.UpdateConnectionRequestModels(model='qwen-max', model_type='LLM', tool_call=True)]))
    assert raw_models(sdk_call, connection_id) == [{'Model': 'qwen-max', 'ModelType': 'LLM', 'ToolCall': True}]
