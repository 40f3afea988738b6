"""Models through the official SDK: create/get/list/update/delete, labels, ListModels filters and errors."""

import re

import pytest

MODEL_ID = re.compile(r'^model-[a-z0-9]{20}$')
MILLIS_TIMESTAMP = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')


@pytest.fixture
def create(sdk_client, sdk_models):
    def make(name='model', **fields):
        for key in ('labels', 'tag'):
            if key in fields:
                fields[key] = [sdk_models.Label(key=k, value=v) for k, v in fields[key]]
        request = sdk_models.CreateModelRequest(model_name=name, **fields)
        return sdk_client.create_model(request).body.model_id

    return make


def get(sdk_client, sdk_models, model_id):
    return sdk_client.get_model(model_id, sdk_models.GetModelRequest()).body


def list_models(sdk_client, sdk_models, **query):
    if 'tag' in query:
        query['tag'] = [sdk_models.ListModelsRequestTag(key=k, value=v) for k, v in query['tag']]
    if 'conditions' in query:
        query['conditions'] = [sdk_models.ListModelsRequestConditions(column=c, operator=o, value=v)
                               for c, o, v in query['conditions']]
    return sdk_client.list_models(sdk_models.ListModelsRequest(**query)).body


def labels(body):
    return [(label.key, label.value) for label in body.labels]


def test_create_and_get_every_field(sdk_client, sdk_models, create):
    model_id = create(
        'sd-1.5-checkpoint', workspace_id='10001', accessibility='PUBLIC', model_description='ModelDescription.',
        model_doc='https://eas-example.oss-cn-hangzhou.aliyuncs.com/s.safetensors', model_type='Checkpoint',
        origin='Civitai', domain='aigc', task='text-to-image-synthesis', order_number=1, parameter_size=860,
        extra_info={'resolution': 512, 'nested': {'ok': True}, 'name': '中文'},
        labels=[('base_model', 'SD 1.5'), ('team', '数据')], tag=[('env', 'prod')])
    assert MODEL_ID.match(model_id)
    body = get(sdk_client, sdk_models, model_id)
    assert body.model_id == model_id and body.model_name == 'sd-1.5-checkpoint'
    assert (body.workspace_id, body.accessibility, body.model_type, body.origin, body.domain, body.task) == (
        '10001', 'PUBLIC', 'Checkpoint', 'Civitai', 'aigc', 'text-to-image-synthesis')
    assert body.model_description == 'ModelDescription.'
    assert body.model_doc.endswith('.safetensors')
    assert body.order_number == 1 and isinstance(body.order_number, int)
    assert body.parameter_size == 860 and isinstance(body.parameter_size, int)
    assert body.extra_info == {'resolution': 512, 'nested': {'ok': True}, 'name': '中文'}
    assert labels(body) == [('base_model', 'SD 1.5'), ('team', '数据')]
    assert 'Tags' not in body.to_map() and not hasattr(body, 'tags')
    assert body.owner_id.isdigit() and body.user_id == body.owner_id
    assert MILLIS_TIMESTAMP.match(body.gmt_create_time) and body.gmt_modified_time == body.gmt_create_time
    assert body.provider is None and body.latest_version is None
    listed = list_models(sdk_client, sdk_models).models[0]
    assert [(t.key, t.value) for t in listed.tags] == [('env', 'prod')]
    assert labels(listed) == labels(body) and listed.extra_info == body.extra_info


def test_minimal_model_defaults(sdk_client, sdk_models, create):
    body = get(sdk_client, sdk_models, create('only-a-name'))
    assert (body.workspace_id, body.accessibility, body.labels) == ('10001', 'PRIVATE', [])


def test_list_pages_and_order(sdk_client, sdk_models, create):
    ids = [create('m-%02d' % index) for index in range(25)]
    pages = [list_models(sdk_client, sdk_models, workspace_id='10001', page_number=n, page_size=10)
             for n in (1, 2, 3, 4)]
    assert [len(p.models) for p in pages] == [10, 10, 5, 0]
    assert all(p.total_count == 25 for p in pages)
    assert [m.model_id for p in pages for m in p.models] == ids  # default ASC by creation time
    assert len(list_models(sdk_client, sdk_models).models) == 10  # default PageSize
    descending = list_models(sdk_client, sdk_models, order='DESC', sort_by='GmtCreateTime', page_size=100)
    assert [m.model_id for m in descending.models] == list(reversed(ids))


def test_update_model(sdk_client, sdk_models, create, emulator):
    model_id = create('before', domain='nlp', labels=[('a', '1')], order_number=5)
    created = get(sdk_client, sdk_models, model_id)
    real_clock = emulator.state.clock
    emulator.state.clock = lambda: real_clock() + 2
    update = sdk_models.UpdateModelRequest(model_name='after', model_description='新描述', accessibility='PUBLIC',
                                           order_number=0, parameter_size=7000, extra_info={'k': ['v']},
                                           task='text-generation', origin='ModelScope', model_type='LoRA',
                                           model_doc='https://doc')
    assert sdk_client.update_model(model_id, update).status_code == 200
    body = get(sdk_client, sdk_models, model_id)
    assert (body.model_name, body.model_description, body.accessibility, body.order_number, body.parameter_size) == (
        'after', '新描述', 'PUBLIC', 0, 7000)
    assert (body.extra_info, body.task, body.origin, body.model_type, body.model_doc, body.domain) == (
        {'k': ['v']}, 'text-generation', 'ModelScope', 'LoRA', 'https://doc', 'nlp')
    assert labels(body) == [('a', '1')]
    assert body.gmt_modified_time > created.gmt_modified_time and body.gmt_create_time == created.gmt_create_time
    assert sdk_client.update_model(model_id, sdk_models.UpdateModelRequest()).status_code == 200  # body {}


def test_update_model_ignores_fields_it_does_not_accept(raw_api, sdk_client, sdk_models, create, admin):
    other_ws = admin.seed(workspaces=[{'WorkspaceName': 'w2'}])['workspaces'][0]
    model_id = create('terraform-style', labels=[('k', 'v')])
    response = raw_api.v3('PUT', '/api/v1/models/' + model_id, action='UpdateModel',
                          body={'ModelId': 'model-other', 'ModelName': 'renamed', 'Labels': [{'Key': 'x', 'Value': 'y'}],
                                'WorkspaceId': other_ws, 'Tag': [{'Key': 't', 'Value': 'u'}], 'Unknown': True})
    assert response.status == 200
    body = get(sdk_client, sdk_models, model_id)
    assert (body.model_id, body.model_name, body.workspace_id, labels(body)) == (model_id, 'renamed', '10001',
                                                                                 [('k', 'v')])


def test_labels_upsert_order_and_delete(sdk_client, sdk_models, create, raw_api, admin):
    model_id = create(labels=[('a', '1'), ('b', '2'), ('c', '3')])
    request = sdk_models.CreateModelLabelsRequest(labels=[sdk_models.Label(key='b', value='二'),
                                                          sdk_models.Label(key='d', value='4'),
                                                          sdk_models.Label(key='a', value='one')])
    assert sdk_client.create_model_labels(model_id, request).status_code == 200
    assert labels(get(sdk_client, sdk_models, model_id)) == [('a', 'one'), ('b', '二'), ('c', '3'), ('d', '4')]

    delete = sdk_models.DeleteModelLabelsRequest(label_keys='b,zzz')
    assert sdk_client.delete_model_labels(model_id, delete).status_code == 200
    assert labels(get(sdk_client, sdk_models, model_id)) == [('a', 'one'), ('c', '3'), ('d', '4')]
    assert admin.requests()[-2]['query'] == {'LabelKeys': 'b,zzz'}

    # Terraform sends a JSON body on this DELETE; it is tolerated and ignored.
    response = raw_api.v3('DELETE', '/api/v1/models/%s/labels' % model_id, {'LabelKeys': 'a,d'},
                          body={'ModelId': model_id, 'LabelKeys': 'c'}, action='DeleteModelLabels')
    assert response.status == 200
    assert labels(get(sdk_client, sdk_models, model_id)) == [('c', '3')]
    nothing = sdk_client.delete_model_labels(model_id, sdk_models.DeleteModelLabelsRequest(label_keys='gone'))
    assert nothing.status_code == 200
    log = [entry for entry in admin.requests() if entry['action'] == 'DeleteModelLabels']
    assert [entry['mutated'] for entry in log] == [True, True, False]


def test_list_models_filters(sdk_client, sdk_models, create, admin):
    other_ws = admin.seed(workspaces=[{'WorkspaceName': 'w2'}])['workspaces'][0]
    qwen = create('Qwen2-7B', domain='nlp', task='text-generation', origin='ModelScope', model_type='Checkpoint',
                  parameter_size=7000, order_number=3, labels=[('family', 'qwen'), ('lang', 'zh')],
                  tag=[('env', 'prod'), ('team', 'ai')])
    sd = create('stable-diffusion', domain='aigc', task='text-to-image-synthesis', origin='Civitai',
                model_type='LoRA', parameter_size=860, order_number=1, labels=[('base_model', 'SD 1.5')],
                tag=[('env', 'dev')])
    bert = create('bert-base', domain='nlp', task='text-classification', origin='HuggingFace', parameter_size=110,
                  workspace_id=other_ws)
    public = admin.seed(models=[
        {'ModelName': 'qwen-public', 'Provider': 'pai', 'Domain': 'nlp', 'Collections': ['AI4D', 'QuickStart']},
        {'ModelName': 'llama-public', 'Provider': 'pai', 'Collections': ['Other']},
    ])['models']

    def ids(**query):
        return sorted(m.model_id for m in list_models(sdk_client, sdk_models, page_size=100, **query).models)

    assert ids() == sorted([qwen, sd, bert])  # own models only (no Provider)
    assert ids(workspace_id='10001') == sorted([qwen, sd])
    assert ids(workspace_id=other_ws) == [bert]
    assert ids(model_name='QWEN') == [qwen]
    assert ids(query='nlp') == sorted([qwen, bert])
    assert ids(query='sd 1.5') == [sd]  # matches a label value
    assert ids(query='classification') == [bert]
    assert ids(label='fam') == [qwen]
    assert ids(label='1.5') == [sd]
    assert ids(tag=[('env', 'prod')]) == [qwen]
    assert ids(tag=[('env', 'prod'), ('team', 'ai')]) == [qwen]
    assert ids(tag=[('env', 'prod'), ('team', 'other')]) == []
    assert ids(conditions=[('ParameterSize', 'LessThan', '3000')]) == sorted([sd, bert])
    assert ids(conditions=[('ParameterSize', 'GreaterThan', '500'), ('OrderNumber', 'Equal', '1')]) == [sd]
    assert ids(model_type='LoRA') == [sd]
    assert ids(origin='HuggingFace') == [bert]
    assert ids(domain='nlp', task='text-generation') == [qwen]
    assert ids(provider='pai') == sorted(public)
    assert ids(provider='pai', collections='QuickStart,Missing') == [public[0]]
    assert ids(provider='pai', model_name='llama') == [public[1]]
    listed = list_models(sdk_client, sdk_models, provider='pai', model_name='qwen').models[0]
    assert listed.provider == 'pai' and listed.domain == 'nlp'


@pytest.mark.parametrize('query, needle', [
    ({'page_size': 101}, 'PageSize'),
    ({'page_number': 0}, 'PageNumber'),
    ({'order': 'asc'}, 'ASC, DESC'),
    ({'sort_by': 'ModelName'}, 'GmtCreateTime'),
    ({'conditions': [('Size', 'LessThan', '1')]}, 'ParameterSize, OrderNumber'),
    ({'conditions': [('ParameterSize', 'Like', '1')]}, 'Operator'),
    ({'conditions': [('ParameterSize', 'LessThan', 'big')]}, 'Value'),
])
def test_list_models_parameter_errors(sdk_client, sdk_models, sdk_error, create, query, needle):
    create()
    error = sdk_error(list_models, sdk_client, sdk_models, **query)
    assert (error.status_code, error.code) == (400, 'InvalidParameter') and needle in error.data['Message']


def test_list_models_in_unknown_workspace(sdk_client, sdk_models, sdk_error):
    error = sdk_error(list_models, sdk_client, sdk_models, workspace_id='424242')
    assert (error.status_code, error.code) == (404, '100400027')


def test_delete_model_and_not_found(sdk_client, sdk_models, create, sdk_error):
    model_id = create()
    assert sdk_client.delete_model(model_id, sdk_models.DeleteModelRequest()).status_code == 200
    calls = [
        lambda: get(sdk_client, sdk_models, model_id),
        lambda: sdk_client.delete_model(model_id, sdk_models.DeleteModelRequest()),
        lambda: sdk_client.update_model(model_id, sdk_models.UpdateModelRequest(model_name='x')),
        lambda: sdk_client.create_model_labels(model_id, sdk_models.CreateModelLabelsRequest(
            labels=[sdk_models.Label(key='k', value='v')])),
        lambda: sdk_client.delete_model_labels(model_id, sdk_models.DeleteModelLabelsRequest(label_keys='k')),
    ]
    for call in calls:
        error = sdk_error(call)
        assert (error.status_code, error.code) == (404, '201900002')


@pytest.mark.parametrize('fields, code, needle', [
    ({'model_name': None}, 'MissingParameter', 'ModelName'),
    ({'model_name': 'x' * 128}, 'InvalidParameter', 'ModelName'),
    ({'accessibility': 'INTERNAL'}, 'InvalidParameter', 'PUBLIC, PRIVATE'),
    ({'workspace_id': '31337'}, '100400027', 'Workspace not exists'),
])
def test_create_model_errors(sdk_client, sdk_models, sdk_error, fields, code, needle):
    values = {'model_name': 'ok'}
    values.update(fields)
    error = sdk_error(sdk_client.create_model, sdk_models.CreateModelRequest(**values))
    assert error.code == code and needle in error.data['Message']


@pytest.mark.parametrize('key, value', [('k=1', 'v'), ('k', 'a,b'), ('k' * 129, 'v'), ('k', '数' * 43), ('', 'v')])
def test_label_constraints(sdk_client, sdk_models, sdk_error, create, key, value):
    model_id = create()
    error = sdk_error(sdk_client.create_model_labels, model_id,
                      sdk_models.CreateModelLabelsRequest(labels=[sdk_models.Label(key=key, value=value)]))
    assert (error.status_code, error.code) == (400, 'InvalidParameter')
    error = sdk_error(create, labels=[(key, value)])
    assert error.code == 'InvalidParameter'


def test_model_name_boundaries(sdk_client, sdk_models, create):
    assert get(sdk_client, sdk_models, create('x' * 127)).model_name == 'x' * 127
    assert get(sdk_client, sdk_models, create('模' * 127)).model_name == '模' * 127
    assert create('dup') != create('dup')
