"""Model versions through the official SDK: create/get/list/update/delete, version labels, the errors, the parent
model's LatestVersion, DeleteModel under model_delete_with_versions, and the admin endpoints for versions."""

import json
import re

import pytest

MILLIS_TIMESTAMP = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
URI = 'oss://mybucket.oss-cn-beijing.aliyuncs.com/mypath/'
PIPELINE_RUN = 'region=cn-shanghai,workspaceId=10001,kind=PipelineRun,id=run-sakdbjdf'
SERVICE_JOB = 'region=cn-hangzhou,workspaceId=10001,kind=ServiceJob,id=job-1'
VERSION_ROUTES = ['CreateModelVersion', 'GetModelVersion', 'ListModelVersions', 'UpdateModelVersion',
                  'DeleteModelVersion', 'CreateModelVersionLabels', 'DeleteModelVersionLabels']


@pytest.fixture
def model_id(sdk_client, sdk_models):
    return sdk_client.create_model(sdk_models.CreateModelRequest(model_name='versioned')).body.model_id


@pytest.fixture
def create(sdk_client, sdk_models, model_id):
    """Create a version of the fixture's model (or of model=...) through the SDK; returns the VersionName."""

    def make(name=None, uri=URI, model=None, **fields):
        if 'labels' in fields:
            fields['labels'] = [sdk_models.Label(key=k, value=v) for k, v in fields['labels']]
        request = sdk_models.CreateModelVersionRequest(uri=uri, version_name=name, **fields)
        return sdk_client.create_model_version(model or model_id, request).body.version_name

    return make


@pytest.fixture
def get(sdk_client, sdk_models, model_id):
    def read(name, model=None):
        return sdk_client.get_model_version(model or model_id, name, sdk_models.GetModelVersionRequest()).body

    return read


@pytest.fixture
def versions(sdk_client, sdk_models, model_id):
    """ListModelVersions through the SDK; returns the body."""

    def read(model=None, **query):
        return sdk_client.list_model_versions(model or model_id, sdk_models.ListModelVersionsRequest(**query)).body

    return read


@pytest.fixture
def update(sdk_client, sdk_models, model_id):
    def change(name, **fields):
        return sdk_client.update_model_version(model_id, name, sdk_models.UpdateModelVersionRequest(**fields))

    return change


@pytest.fixture
def add_labels(sdk_client, sdk_models, model_id):
    def add(name, pairs):
        request = sdk_models.CreateModelVersionLabelsRequest(
            labels=[sdk_models.Label(key=k, value=v) for k, v in pairs])
        return sdk_client.create_model_version_labels(model_id, name, request)

    return add


@pytest.fixture
def remove_labels(sdk_client, sdk_models, model_id):
    def remove(name, keys):
        request = sdk_models.DeleteModelVersionLabelsRequest(label_keys=keys)
        return sdk_client.delete_model_version_labels(model_id, name, request)

    return remove


@pytest.fixture
def raw_version(sdk_call, model_id):
    """GetModelVersion as raw JSON (keys the SDK's response model would hide or fill in)."""

    def read(name):
        return sdk_call('GetModelVersion', 'GET', '/api/v1/models/%s/versions/%s' % (model_id, name))

    return read


def labels(body):
    return [(label.key, label.value) for label in body.labels or []]


def names(body):
    return [version.version_name for version in body.versions]


# --- create and get ------------------------------------------------------------------------------------------------

def test_server_assigns_names_by_minor_number(create, versions):
    assert create() == '0.1.0'
    assert create() == '0.2.0'
    assert create('1.0.0') == '1.0.0'
    assert create('0.4.0') == '0.4.0'
    assert create() == '0.3.0'
    assert create() == '0.5.0'  # 0.4.0 is taken: skipped
    assert names(versions(page_size=100)) == ['0.1.0', '0.2.0', '1.0.0', '0.4.0', '0.3.0', '0.5.0']


def test_create_and_get_every_field(create, get, raw_version, sdk_client, sdk_models, model_id):
    fields = dict(
        version_description='第一版 first', format_type='SavedModel', framework_type='TensorFlow',
        source_type='PAIFlow', source_id=PIPELINE_RUN, approval_status='Approved',
        labels=[('stage', 'prod'), ('team', '数据'), ('stage', 'canary')], options='{"a": 1, "b": [true]}',
        extra_info={'CoverUris': ['oss://b/c.png'], 'TrainedWords': ['cat']},
        inference_spec={'processor': 'tensorflow_gpu_1.12'}, training_spec={'lr': 0.001},
        evaluation_spec={}, compression_spec={'bits': 4}, distillation_spec={'teacher': 'qwen-max'},
        metrics={'Results': [{'Dataset': {'DatasetId': 'd-1'}, 'Metrics': {'cer': 0.175}}]})
    assert create('2.3.4_beta', **fields) == '2.3.4_beta'
    body = get('2.3.4_beta')
    assert (body.version_name, body.uri, body.version_description) == ('2.3.4_beta', URI, '第一版 first')
    assert (body.format_type, body.framework_type, body.source_type, body.source_id, body.approval_status) == (
        'SavedModel', 'TensorFlow', 'PAIFlow', PIPELINE_RUN, 'Approved')
    assert labels(body) == [('stage', 'canary'), ('team', '数据')]  # a repeated key: the later value, first place
    assert body.options == '{"a": 1, "b": [true]}' and isinstance(body.options, str)
    assert body.extra_info == fields['extra_info'] and body.inference_spec == fields['inference_spec']
    assert (body.training_spec, body.evaluation_spec, body.compression_spec, body.distillation_spec) == (
        {'lr': 0.001}, {}, {'bits': 4}, {'teacher': 'qwen-max'})
    assert body.metrics == fields['metrics']
    model = sdk_client.get_model(model_id, sdk_models.GetModelRequest()).body
    assert body.owner_id == model.owner_id and body.user_id == body.owner_id and body.owner_id.isdigit()
    assert MILLIS_TIMESTAMP.match(body.gmt_create_time) and body.gmt_modified_time == body.gmt_create_time
    raw = raw_version('2.3.4_beta')
    assert 'ModelId' not in raw  # the caller adds it (pai-python-sdk does)
    assert sorted(raw) == sorted(['RequestId', 'VersionName', 'VersionDescription', 'Uri', 'FormatType',
                                  'FrameworkType', 'SourceType', 'SourceId', 'ApprovalStatus', 'Labels', 'Options',
                                  'ExtraInfo', 'InferenceSpec', 'TrainingSpec', 'EvaluationSpec', 'CompressionSpec',
                                  'DistillationSpec', 'Metrics', 'OwnerId', 'UserId', 'GmtCreateTime',
                                  'GmtModifiedTime'])


def test_minimal_version_defaults(create, get, raw_version):
    assert create() == '0.1.0'
    body = get('0.1.0')
    assert (body.uri, body.source_type, body.labels, body.approval_status, body.options) == (
        URI, 'Custom', [], None, None)
    assert sorted(raw_version('0.1.0')) == ['GmtCreateTime', 'GmtModifiedTime', 'Labels', 'OwnerId', 'RequestId',
                                            'SourceType', 'Uri', 'UserId', 'VersionName']


@pytest.mark.parametrize('format_type, framework_type', [
    ('Keras H5', 'PyTorch'), ('TorchScript', 'Pytorch'), ('OfflineModel', 'Alink'), ('safetensors', 'vLLM')])
def test_format_and_framework_types_are_not_enforced(create, get, format_type, framework_type):
    name = create(format_type=format_type, framework_type=framework_type)
    assert (get(name).format_type, get(name).framework_type) == (format_type, framework_type)


@pytest.mark.parametrize('name', ['1.0.0', '2.3.4_beta', '10.20.30', '0.0.0_rc_1', '1.2.3_B2'])
def test_valid_version_names(create, name):
    assert create(name) == name


@pytest.mark.parametrize('source_type, source_id', [
    ('PAIFlow', PIPELINE_RUN), ('TrainingService', SERVICE_JOB), ('PAIFlow', SERVICE_JOB),
    ('Custom', 'anything, really = free-form'), ('TrainingService', None)])
def test_valid_sources(create, get, source_type, source_id):
    name = create(source_type=source_type, source_id=source_id)
    assert (get(name).source_type, get(name).source_id) == (source_type, source_id)


def test_metrics_limit_counts_compact_utf8_bytes(create, get):
    padding = 8192 - len(json.dumps({'k': ''}, separators=(',', ':')))
    exact = {'k': 'x' * padding}
    assert get(create(metrics=exact)).metrics == exact
    wide = {'k': '中' * (padding // 3 + 1)}  # fewer characters than bytes: over the limit in UTF-8 bytes
    assert len(json.dumps(wide, separators=(',', ':'), ensure_ascii=False)) <= 8192
    with pytest.raises(Exception, match='8192'):
        create(metrics=wide)


# --- create errors -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('fields, code, named', [
    ({'uri': None}, 'MissingParameter', '"Uri"'),
    ({'uri': ''}, 'MissingParameter', '"Uri"'),
    ({'name': '1.0'}, 'InvalidParameter', '"VersionName"'),
    ({'name': 'v1.0.0'}, 'InvalidParameter', '"VersionName"'),
    ({'name': '1.0.0-beta'}, 'InvalidParameter', '"VersionName"'),
    ({'name': '1.0.0_'}, 'InvalidParameter', '"VersionName"'),
    ({'name': '1.0.0_beta.1'}, 'InvalidParameter', '"VersionName"'),
    ({'name': '1.0.0\n'}, 'InvalidParameter', '"VersionName"'),
    ({'name': '\uff11.0.0'}, 'InvalidParameter', '"VersionName"'),
    ({'approval_status': 'Done'}, 'InvalidParameter', 'Pending, Approved, Rejected'),
    ({'source_type': 'Manual'}, 'InvalidParameter', 'Custom, PAIFlow, TrainingService'),
    ({'source_type': 'PAIFlow', 'source_id': 'run-sakdbjdf'}, 'InvalidParameter', '"SourceId"'),
    ({'source_type': 'TrainingService', 'source_id': 'region=r,workspaceId=w,kind=Job,id=1'}, 'InvalidParameter',
     '"SourceId"'),
    ({'source_type': 'PAIFlow', 'source_id': PIPELINE_RUN + ',extra=1'}, 'InvalidParameter', '"SourceId"'),
    ({'options': '{not json'}, 'InvalidParameter', '"Options"'),
    ({'options': ''}, 'InvalidParameter', '"Options"'),
    ({'metrics': {'k': 'x' * 8192}}, 'InvalidParameter', '"Metrics"'),
    ({'labels': [('a=b', 'v')]}, 'InvalidParameter', '"Labels.1.Key"'),
])
def test_create_errors_change_nothing(create, admin, sdk_error, fields, code, named):
    create('1.0.0')
    before = admin.state()
    error = sdk_error(create, **fields)
    assert (error.status_code, error.code) == (400, code)
    assert named in error.data['Message'], error.data['Message']
    assert admin.state() == before and admin.requests()[-1]['mutated'] is False


@pytest.mark.parametrize('field, value', [
    ('Options', {'a': 1}), ('Metrics', [1]), ('InferenceSpec', 'processor'), ('ExtraInfo', 'x'),
    ('TrainingSpec', 3), ('EvaluationSpec', []), ('CompressionSpec', True), ('DistillationSpec', '{}'),
    ('Labels', {'Key': 'a'}), ('VersionDescription', 5)])
def test_create_rejects_wrong_json_types(sdk_call, sdk_error, admin, model_id, field, value):
    before = admin.state()
    error = sdk_error(sdk_call, 'CreateModelVersion', 'POST', '/api/v1/models/%s/versions' % model_id,
                      body={'Uri': URI, field: value})
    assert (error.status_code, error.code) == (400, 'InvalidParameter')
    assert '"%s' % field in error.data['Message']
    assert admin.state() == before


def test_existing_version_name(create, admin, sdk_error, model_id, sdk_client, sdk_models):
    create('1.0.0')
    other = sdk_client.create_model(sdk_models.CreateModelRequest(model_name='other')).body.model_id
    assert create('1.0.0', model=other) == '1.0.0'  # names are unique per model only
    before = admin.state()
    error = sdk_error(create, '1.0.0', uri='oss://other/')
    assert (error.status_code, error.code) == (400, 'ModelVersionAlreadyExists')
    assert 'already exists' in error.data['Message'] and model_id in error.data['Message']
    assert admin.state() == before


# --- list ----------------------------------------------------------------------------------------------------------

@pytest.fixture
def catalogue(create):
    """Five versions that the ListModelVersions filters tell apart."""
    create('1.0.0', approval_status='Approved', format_type='SavedModel', framework_type='TensorFlow',
           labels=[('stage', 'prod')])
    create('1.1.0_beta', approval_status='Pending', format_type='TorchScript', framework_type='Pytorch',
           source_type='PAIFlow', source_id=PIPELINE_RUN, labels=[('stage', 'staging'), ('owner', 'alice')])
    create('2.0.0', approval_status='Approved', format_type='ONNX', framework_type='PyTorch',
           source_type='TrainingService', source_id=SERVICE_JOB)
    create('2.1.0_RC1', approval_status='Rejected', format_type='SavedModel', source_id='run-sakdbjdf',
           labels=[('Product', 'Search')])
    create('10.0.0')


@pytest.mark.parametrize('query, expected', [
    ({}, ['1.0.0', '1.1.0_beta', '2.0.0', '2.1.0_RC1', '10.0.0']),
    ({'version_name': '_'}, ['1.1.0_beta', '2.1.0_RC1']),
    ({'version_name': 'BETA'}, ['1.1.0_beta']),  # a case-insensitive part of the name
    ({'version_name': '0.0'}, ['1.0.0', '2.0.0', '10.0.0']),
    ({'version_name': '10.0.0'}, ['10.0.0']),
    ({'version_name': '3.0.0'}, []),
    ({'approval_status': 'Approved'}, ['1.0.0', '2.0.0']),
    ({'approval_status': 'Rejected'}, ['2.1.0_RC1']),
    ({'format_type': 'SavedModel'}, ['1.0.0', '2.1.0_RC1']),
    ({'format_type': 'Saved'}, []),  # exact
    ({'framework_type': 'Pytorch'}, ['1.1.0_beta']),  # exact, case included
    ({'framework_type': 'PyTorch'}, ['2.0.0']),
    ({'source_type': 'Custom'}, ['1.0.0', '2.1.0_RC1', '10.0.0']),
    ({'source_type': 'PAIFlow'}, ['1.1.0_beta']),
    ({'source_id': SERVICE_JOB}, ['2.0.0']),
    ({'source_id': 'run-sakdbjdf'}, ['2.1.0_RC1']),  # exact: not the PAIFlow one that contains it
    ({'label': 'taging'}, ['1.1.0_beta']),  # a label key or value contains it
    ({'label': 'stage'}, ['1.0.0', '1.1.0_beta']),
    ({'label': 'prod'}, ['1.0.0', '2.1.0_RC1']),  # value "prod", key "Product"
    ({'label': 'ALICE'}, ['1.1.0_beta']),
    ({'label': 'owner'}, ['1.1.0_beta']),
    ({'approval_status': 'Approved', 'label': 'prod'}, ['1.0.0']),  # all filters hold
])
def test_list_filters(catalogue, versions, query, expected):
    body = versions(**query)
    assert names(body) == expected
    assert body.total_count == len(expected)


def test_list_items_have_every_field_but_no_model_id(catalogue, sdk_call, model_id, get):
    raw = sdk_call('ListModelVersions', 'GET', '/api/v1/models/%s/versions' % model_id, query={'PageSize': '2'})
    assert sorted(raw) == ['RequestId', 'TotalCount', 'Versions'] and raw['TotalCount'] == 5
    assert all('ModelId' not in item for item in raw['Versions'])
    got = sdk_call('GetModelVersion', 'GET', '/api/v1/models/%s/versions/1.1.0_beta' % model_id)
    got.pop('RequestId')
    assert raw['Versions'][1] == got


def test_list_paging_and_order(create, versions):
    made = [create() for dummy in range(25)]
    assert made[:3] == ['0.1.0', '0.2.0', '0.3.0'] and made[-1] == '0.25.0'
    pages = [versions(page_number=n, page_size=10) for n in (1, 2, 3, 4)]
    assert [len(page.versions) for page in pages] == [10, 10, 5, 0]
    assert all(page.total_count == 25 for page in pages)
    assert [name for page in pages for name in names(page)] == made  # ASC by creation time by default
    assert names(versions()) == made[:10]  # PageSize defaults to 10, PageNumber to 1
    assert names(versions(order='ASC', sort_by='GmtCreateTime', page_size=100)) == made
    descending = versions(order='DESC', sort_by='GmtCreateTime', page_size=7, page_number=2)
    assert names(descending) == list(reversed(made))[7:14] and descending.total_count == 25


@pytest.mark.parametrize('query, named', [
    ({'page_size': 101}, '"PageSize"'), ({'page_size': 0}, '"PageSize"'), ({'page_number': 0}, '"PageNumber"'),
    ({'order': 'UP'}, '"Order"'), ({'sort_by': 'VersionName'}, '"SortBy"'),
    ({'approval_status': 'Maybe'}, '"ApprovalStatus"'), ({'source_type': 'Manual'}, '"SourceType"')])
def test_list_rejects_bad_parameters(versions, sdk_error, query, named):
    error = sdk_error(versions, **query)
    assert (error.status_code, error.code) == (400, 'InvalidParameter')
    assert named in error.data['Message']


# --- update --------------------------------------------------------------------------------------------------------

VERSION_CREATED = {'approval_status': 'Pending', 'version_description': 'created', 'options': '{"a": 1}',
                   'source_type': 'PAIFlow', 'source_id': PIPELINE_RUN, 'extra_info': {'cover': 'a.png'},
                   'inference_spec': {'processor': 'pytorch_gpu'}, 'training_spec': {'epochs': 1},
                   'evaluation_spec': {'dataset': 'd-1'}, 'compression_spec': {'bits': 8},
                   'distillation_spec': {'teacher': 't1'}, 'metrics': {'acc': 0.9}}
VERSION_UPDATED = {'approval_status': 'Approved', 'version_description': 'updated', 'options': '{"b": 2}',
                   'source_type': 'TrainingService', 'source_id': SERVICE_JOB, 'extra_info': {'cover': 'b.png'},
                   'inference_spec': {'processor': 'tensorflow_gpu_1.12'}, 'training_spec': {'epochs': 3},
                   'evaluation_spec': {'dataset': 'd-2'}, 'compression_spec': {'bits': 4},
                   'distillation_spec': {'teacher': 't2'}, 'metrics': {'acc': 0.95}}
VERSION_CLEARED = dict({field: None for field in VERSION_CREATED}, source_type='Custom')
CREATE_ONLY = {'uri': URI, 'format_type': 'SavedModel', 'framework_type': 'TensorFlow'}


def version_fields(body):
    return {field: getattr(body, field) for field in VERSION_CREATED}


@pytest.mark.parametrize('mode', ['merge', 'replace'])
@pytest.mark.parametrize('omitted', sorted(VERSION_CREATED))
def test_update_omitted_field(create, get, update, admin, mode, omitted):
    create('1.0.0', labels=[('team', 'a')], format_type='SavedModel', framework_type='TensorFlow', **VERSION_CREATED)
    assert admin.set_behaviours(update_fields=mode)['update_fields'] == mode
    assert update('1.0.0', **{k: v for k, v in VERSION_UPDATED.items() if k != omitted}).status_code == 200
    body = get('1.0.0')
    expected = dict(VERSION_UPDATED)
    expected[omitted] = VERSION_CREATED[omitted] if mode == 'merge' else VERSION_CLEARED[omitted]
    assert version_fields(body) == expected
    assert {field: getattr(body, field) for field in CREATE_ONLY} == CREATE_ONLY and labels(body) == [('team', 'a')]


def test_update_replace_with_an_empty_body_clears_every_updatable_field(create, get, update, admin, raw_version):
    create('1.0.0', labels=[('team', 'a')], **dict(CREATE_ONLY, **VERSION_CREATED))
    admin.set_behaviours(update_fields='replace')
    update('1.0.0')
    assert version_fields(get('1.0.0')) == VERSION_CLEARED
    assert sorted(raw_version('1.0.0')) == ['FormatType', 'FrameworkType', 'GmtCreateTime', 'GmtModifiedTime',
                                            'Labels', 'OwnerId', 'RequestId', 'SourceType', 'Uri', 'UserId',
                                            'VersionName']


def test_update_merge_with_an_empty_body_keeps_everything(create, get, update):
    create('1.0.0', **VERSION_CREATED)
    update('1.0.0')
    assert version_fields(get('1.0.0')) == VERSION_CREATED


def test_update_ignores_create_only_and_unknown_fields(create, get, sdk_call, model_id, emulator):
    create('1.0.0', labels=[('k', 'v')], **CREATE_ONLY)
    created = get('1.0.0')
    real_clock = emulator.state.clock
    emulator.state.clock = lambda: real_clock() + 2
    sdk_call('UpdateModelVersion', 'PUT', '/api/v1/models/%s/versions/1.0.0' % model_id,
             body={'Uri': 'oss://elsewhere/', 'VersionName': '9.9.9', 'FormatType': 'ONNX', 'FrameworkType': 'Keras',
                   'Labels': [{'Key': 'x', 'Value': 'y'}], 'ModelId': 'model-other', 'Unknown': 1,
                   'VersionDescription': 'changed'})
    body = get('1.0.0')
    assert (body.uri, body.version_name, body.format_type, body.framework_type, labels(body)) == (
        URI, '1.0.0', 'SavedModel', 'TensorFlow', [('k', 'v')])
    assert body.version_description == 'changed'
    assert body.gmt_modified_time > created.gmt_modified_time and body.gmt_create_time == created.gmt_create_time


@pytest.mark.parametrize('mode', ['merge', 'replace'])
@pytest.mark.parametrize('fields, named', [
    ({'approval_status': 'Done'}, '"ApprovalStatus"'),
    ({'source_type': 'PAIFlow', 'source_id': 'run-1'}, '"SourceId"'),
    ({'options': 'nope'}, '"Options"'),
    ({'metrics': {'k': '中' * 2731}}, '"Metrics"'),
])
def test_update_errors_change_nothing(create, update, admin, sdk_error, mode, fields, named):
    create('1.0.0', source_id='free-form')
    admin.set_behaviours(update_fields=mode)
    before = admin.state()
    error = sdk_error(update, '1.0.0', **fields)
    assert (error.status_code, error.code) == (400, 'InvalidParameter') and named in error.data['Message']
    assert admin.state() == before and admin.requests()[-1]['mutated'] is False


def test_update_source_type_checks_the_kept_source_id(create, update, get, sdk_error):
    create('1.0.0', source_id='free-form')
    assert sdk_error(update, '1.0.0', source_type='TrainingService').code == 'InvalidParameter'  # merge keeps it
    update('1.0.0', source_type='TrainingService', source_id=SERVICE_JOB)
    assert (get('1.0.0').source_type, get('1.0.0').source_id) == ('TrainingService', SERVICE_JOB)


# --- labels --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('mode, expected', [
    ('upsert', [('a', '1'), ('b', '3'), ('c', '4')]),
    ('replace', [('b', '3'), ('c', '4')]),
])
def test_create_labels_modes(create, get, add_labels, admin, emulator, mode, expected):
    create('1.0.0', labels=[('a', '1'), ('b', '2')])
    created = get('1.0.0')
    admin.set_behaviours(model_labels_create=mode)
    real_clock = emulator.state.clock
    emulator.state.clock = lambda: real_clock() + 2
    assert add_labels('1.0.0', [('b', '3'), ('c', '4')]).status_code == 200
    body = get('1.0.0')
    assert labels(body) == expected and body.gmt_modified_time > created.gmt_modified_time


def test_create_labels_replace_with_an_empty_list_removes_all(create, get, add_labels, admin):
    create('1.0.0', labels=[('a', '1')])
    admin.set_behaviours(model_labels_create='replace')
    add_labels('1.0.0', [])
    assert labels(get('1.0.0')) == []


def test_create_labels_reject_existing(create, get, add_labels, admin, sdk_error, model_id):
    create('1.0.0', labels=[('a', '1'), ('b', '2')])
    admin.set_behaviours(model_labels_create='reject_existing')
    before = admin.state()
    error = sdk_error(add_labels, '1.0.0', [('c', '3'), ('b', '9'), ('a', '0')])
    assert (error.status_code, error.code) == (400, 'LabelKeyAlreadyExists')
    assert error.data['Message'] == 'The model version 1.0.0 of model %s already has the label key(s): b, a.' % model_id
    assert admin.state() == before and admin.requests()[-1]['mutated'] is False
    add_labels('1.0.0', [('c', '3'), ('d', '4')])
    assert labels(get('1.0.0')) == [('a', '1'), ('b', '2'), ('c', '3'), ('d', '4')]


@pytest.mark.parametrize('mode', ['upsert', 'replace', 'reject_existing'])
def test_version_labels_do_not_touch_the_model_labels(sdk_client, sdk_models, create, add_labels, admin, mode):
    model = sdk_client.create_model(sdk_models.CreateModelRequest(
        model_name='labelled', labels=[sdk_models.Label(key='a', value='model')])).body.model_id
    create('1.0.0', model=model, labels=[('x', '1')])
    admin.set_behaviours(model_labels_create=mode)
    request = sdk_models.CreateModelVersionLabelsRequest(labels=[sdk_models.Label(key='a', value='version')])
    sdk_client.create_model_version_labels(model, '1.0.0', request)
    assert labels(sdk_client.get_model(model, sdk_models.GetModelRequest()).body) == [('a', 'model')]


def test_create_labels_validation(create, add_labels, sdk_error, sdk_call, model_id):
    create('1.0.0')
    error = sdk_error(add_labels, '1.0.0', [('k', 'a,b')])
    assert (error.code, '"Labels.1.Value"' in error.data['Message']) == ('InvalidParameter', True)
    error = sdk_error(sdk_call, 'CreateModelVersionLabels', 'POST', '/api/v1/models/%s/versions/1.0.0/labels'
                      % model_id, body={})
    assert (error.code, '"Labels"' in error.data['Message']) == ('MissingParameter', True)


def test_delete_labels(create, get, remove_labels, admin, sdk_error, emulator):
    create('1.0.0', labels=[('a', '1'), ('b', '2'), ('c', '3')])
    created = get('1.0.0')
    real_clock = emulator.state.clock
    emulator.state.clock = lambda: real_clock() + 2
    assert remove_labels('1.0.0', 'a,zz, c').status_code == 200
    body = get('1.0.0')
    assert labels(body) == [('b', '2')] and body.gmt_modified_time > created.gmt_modified_time
    assert admin.requests()[-2]['mutated'] is True
    before = admin.state()
    remove_labels('1.0.0', 'zz')  # nothing to remove: nothing changes
    assert admin.state() == before and admin.requests()[-1]['mutated'] is False
    error = sdk_error(remove_labels, '1.0.0', None)
    assert (error.status_code, error.code) == (400, 'MissingParameter') and '"LabelKeys"' in error.data['Message']


# --- delete and not found ------------------------------------------------------------------------------------------

def test_delete_version(create, get, versions, sdk_client, sdk_models, model_id, admin, sdk_error):
    create('1.0.0')
    create('2.0.0')
    assert sdk_client.delete_model_version(model_id, '1.0.0', sdk_models.DeleteModelVersionRequest()).status_code == 200
    assert admin.requests()[-1]['mutated'] is True
    assert names(versions()) == ['2.0.0']
    error = sdk_error(get, '1.0.0')
    assert (error.status_code, error.code) == (404, '201900003')
    error = sdk_error(sdk_client.delete_model_version, model_id, '1.0.0', sdk_models.DeleteModelVersionRequest())
    assert (error.status_code, error.code) == (404, '201900003')
    assert create('1.0.0') == '1.0.0'  # the name is free again


def version_calls(sdk_client, sdk_models, model_id, name):
    """Every version action through the SDK, by action name."""
    label = [sdk_models.Label(key='k', value='v')]
    return {
        'CreateModelVersion': lambda: sdk_client.create_model_version(
            model_id, sdk_models.CreateModelVersionRequest(uri=URI)),
        'GetModelVersion': lambda: sdk_client.get_model_version(model_id, name, sdk_models.GetModelVersionRequest()),
        'ListModelVersions': lambda: sdk_client.list_model_versions(model_id, sdk_models.ListModelVersionsRequest()),
        'UpdateModelVersion': lambda: sdk_client.update_model_version(
            model_id, name, sdk_models.UpdateModelVersionRequest(version_description='d')),
        'DeleteModelVersion': lambda: sdk_client.delete_model_version(
            model_id, name, sdk_models.DeleteModelVersionRequest()),
        'CreateModelVersionLabels': lambda: sdk_client.create_model_version_labels(
            model_id, name, sdk_models.CreateModelVersionLabelsRequest(labels=label)),
        'DeleteModelVersionLabels': lambda: sdk_client.delete_model_version_labels(
            model_id, name, sdk_models.DeleteModelVersionLabelsRequest(label_keys='k')),
    }


@pytest.mark.parametrize('action', VERSION_ROUTES)
def test_unknown_model_is_201900002_on_every_route(sdk_client, sdk_models, sdk_error, admin, action):
    error = sdk_error(version_calls(sdk_client, sdk_models, 'model-doesnotexist0000', '1.0.0')[action])
    assert (error.status_code, error.code) == (404, '201900002')
    assert error.data['Message'] == 'Model not exists: model-doesnotexist0000'
    assert admin.requests()[-1]['action'] == action


@pytest.mark.parametrize('action', [a for a in VERSION_ROUTES if a not in ('CreateModelVersion', 'ListModelVersions')])
def test_unknown_version_is_201900003(sdk_client, sdk_models, sdk_error, create, model_id, action):
    create('1.0.0')
    error = sdk_error(version_calls(sdk_client, sdk_models, model_id, '1.0.1')[action])
    assert (error.status_code, error.code) == (404, '201900003')
    assert error.data['Message'] == 'Model version not exists: 1.0.1'


def test_every_action_routes_logs_and_takes_faults(sdk_client, sdk_models, create, model_id, admin, sdk_error):
    create('1.0.0')
    admin.clear_requests()
    calls = version_calls(sdk_client, sdk_models, model_id, '1.0.0')
    order = ['GetModelVersion', 'ListModelVersions', 'UpdateModelVersion', 'CreateModelVersionLabels',
             'DeleteModelVersionLabels', 'DeleteModelVersion', 'CreateModelVersion']
    for action in order:
        assert calls[action]().status_code == 200
    log = admin.requests()
    assert [entry['action'] for entry in log] == order
    assert [entry['mutated'] for entry in log] == [False, False, True, True, True, True, True]
    for action in order:
        admin.fault(action=action, type='throttling')
        assert sdk_error(calls[action]).code == 'Throttling.User'
        assert admin.requests()[-1]['fault'] == 'throttling'


def test_apply_then_drop_on_create_model_version(sdk_client, sdk_models, create, model_id, admin):
    exceptions = pytest.importorskip('alibabacloud_tea_openapi.exceptions')
    admin.fault(action='CreateModelVersion', type='apply_then_drop')
    with pytest.raises(Exception) as info:
        create('3.0.0')
    assert not isinstance(info.value, exceptions.AlibabaCloudException)
    assert [(v['ModelId'], v['VersionName']) for v in admin.state()['model_versions']] == [(model_id, '3.0.0')]
    entry = admin.requests()[-1]
    assert (entry['action'], entry['status'], entry['fault'], entry['mutated']) == ('CreateModelVersion', None,
                                                                                    'apply_then_drop', True)


# --- the parent model: LatestVersion, DeleteModel --------------------------------------------------------------------

def test_model_latest_version(sdk_client, sdk_models, sdk_call, create, update, model_id, emulator):
    def model():
        return sdk_client.get_model(model_id, sdk_models.GetModelRequest()).body

    def listed():
        return sdk_client.list_models(sdk_models.ListModelsRequest(model_name='versioned')).body.models[0]

    raw = sdk_call('GetModel', 'GET', '/api/v1/models/' + model_id)
    assert 'LatestVersion' not in raw and 'GmtLatestVersionModifiedTime' not in raw
    assert model().latest_version is None and listed().latest_version is None
    create('1.0.0', labels=[('stage', 'prod')])
    create('0.5.0', version_description='newest')  # the newest created, not the highest number
    latest = model().latest_version
    assert (latest.version_name, latest.version_description, latest.uri) == ('0.5.0', 'newest', URI)
    assert model().gmt_latest_version_modified_time == latest.gmt_modified_time
    raw = sdk_call('GetModel', 'GET', '/api/v1/models/' + model_id)
    got = sdk_call('GetModelVersion', 'GET', '/api/v1/models/%s/versions/0.5.0' % model_id)
    got.pop('RequestId')
    assert raw['LatestVersion'] == got and 'ModelId' not in raw['LatestVersion']
    assert listed().latest_version.to_map() == model().latest_version.to_map()
    assert listed().gmt_latest_version_modified_time == model().gmt_latest_version_modified_time
    real_clock = emulator.state.clock
    emulator.state.clock = lambda: real_clock() + 2
    update('1.0.0', version_description='older, changed')  # not the latest: nothing moves
    assert model().latest_version.version_name == '0.5.0'
    assert model().gmt_latest_version_modified_time == latest.gmt_modified_time
    update('0.5.0', approval_status='Approved')
    assert model().gmt_latest_version_modified_time > latest.gmt_modified_time
    assert model().latest_version.approval_status == 'Approved'
    sdk_client.delete_model_version(model_id, '0.5.0', sdk_models.DeleteModelVersionRequest())
    assert model().latest_version.version_name == '1.0.0'
    sdk_client.delete_model_version(model_id, '1.0.0', sdk_models.DeleteModelVersionRequest())
    assert 'LatestVersion' not in sdk_call('GetModel', 'GET', '/api/v1/models/' + model_id)


def test_versions_do_not_change_the_model(sdk_client, sdk_models, create, model_id, emulator):
    before = sdk_client.get_model(model_id, sdk_models.GetModelRequest()).body
    real_clock = emulator.state.clock
    emulator.state.clock = lambda: real_clock() + 2
    create('1.0.0')
    after = sdk_client.get_model(model_id, sdk_models.GetModelRequest()).body
    assert after.gmt_modified_time == before.gmt_modified_time


def test_delete_model_cascade(sdk_client, sdk_models, create, model_id, admin, sdk_error):
    assert admin.behaviours()['model_delete_with_versions'] == 'cascade'
    other = sdk_client.create_model(sdk_models.CreateModelRequest(model_name='other')).body.model_id
    create('1.0.0')
    create('2.0.0')
    create('1.0.0', model=other)
    assert sdk_client.delete_model(model_id, sdk_models.DeleteModelRequest()).status_code == 200
    assert [(v['ModelId'], v['VersionName']) for v in admin.state()['model_versions']] == [(other, '1.0.0')]
    error = sdk_error(sdk_client.get_model_version, model_id, '1.0.0', sdk_models.GetModelVersionRequest())
    assert (error.status_code, error.code) == (404, '201900002')


def test_delete_model_refuse(sdk_client, sdk_models, create, model_id, admin, sdk_error):
    admin.set_behaviours(model_delete_with_versions='refuse')
    create('1.0.0')
    create('2.0.0')
    before = admin.state()
    error = sdk_error(sdk_client.delete_model, model_id, sdk_models.DeleteModelRequest())
    assert (error.status_code, error.code) == (400, 'ModelHasVersions')
    assert error.data['Message'] == 'The model %s still has 2 version(s); delete them first.' % model_id
    assert admin.state() == before and admin.requests()[-1]['mutated'] is False
    sdk_client.delete_model_version(model_id, '1.0.0', sdk_models.DeleteModelVersionRequest())
    error = sdk_error(sdk_client.delete_model, model_id, sdk_models.DeleteModelRequest())
    assert '1 version(s)' in error.data['Message']
    sdk_client.delete_model_version(model_id, '2.0.0', sdk_models.DeleteModelVersionRequest())
    assert sdk_client.delete_model(model_id, sdk_models.DeleteModelRequest()).status_code == 200
    assert admin.state()['models'] == [] and admin.state()['model_versions'] == []
    unversioned = sdk_client.create_model(sdk_models.CreateModelRequest(model_name='plain')).body.model_id
    # a model without versions: no difference
    assert sdk_client.delete_model(unversioned, sdk_models.DeleteModelRequest()).status_code == 200


# --- admin: seed, state, reset ---------------------------------------------------------------------------------------

def test_seed_state_and_reset(admin, sdk_client, sdk_models):
    created = admin.seed(
        models=[{'ModelId': 'model-seeded', 'ModelName': 'seeded'}],
        model_versions=[
            {'ModelId': 'model-seeded', 'VersionName': '1.0.0', 'Uri': URI, 'Labels': [{'Key': 'a', 'Value': 'b'}],
             'ApprovalStatus': 'Approved', 'Metrics': {'acc': 0.9}, 'Options': '{}', 'OwnerId': '1234567890123456'},
            {'ModelId': 'model-seeded', 'Uri': URI, 'SourceType': 'PAIFlow', 'SourceId': PIPELINE_RUN},
        ])
    assert created['models'] == ['model-seeded']
    assert created['model_versions'] == [{'ModelId': 'model-seeded', 'VersionName': '1.0.0'},
                                         {'ModelId': 'model-seeded', 'VersionName': '0.1.0'}]
    body = sdk_client.get_model_version('model-seeded', '1.0.0', sdk_models.GetModelVersionRequest()).body
    assert (labels(body), body.approval_status, body.metrics, body.owner_id) == (
        [('a', 'b')], 'Approved', {'acc': 0.9}, '1234567890123456')
    assert admin.requests()[-1]['action'] == 'GetModelVersion'
    state = admin.state()['model_versions']
    assert [(v['ModelId'], v['VersionName'], v['SourceType']) for v in state] == [
        ('model-seeded', '1.0.0', 'Custom'), ('model-seeded', '0.1.0', 'PAIFlow')]
    assert all(not key.startswith('_') for item in state for key in item)
    assert state[1]['OwnerId'].isdigit() and state[1]['Uri'] == URI
    admin.reset()
    assert admin.state()['model_versions'] == [] and admin.state()['models'] == []


@pytest.mark.parametrize('version, status, code', [
    ({'ModelId': 'model-unknown', 'Uri': URI}, 404, '201900002'),
    ({'Uri': URI}, 400, 'MissingParameter'),
    ({'ModelId': 'model-seeded'}, 400, 'MissingParameter'),
    ({'ModelId': 'model-seeded', 'Uri': URI, 'VersionName': 'one'}, 400, 'InvalidParameter'),
    ({'ModelId': 'model-seeded', 'Uri': URI, 'VersionName': '1.0.0'}, 400, 'ModelVersionAlreadyExists'),
])
def test_seed_versions_is_atomic_and_validated(admin, version, status, code):
    admin.seed(models=[{'ModelId': 'model-seeded', 'ModelName': 'seeded'}],
               model_versions=[{'ModelId': 'model-seeded', 'VersionName': '1.0.0', 'Uri': URI}])
    before = admin.state()
    reply_status, body = admin.call('POST', 'seed', {'models': [{'ModelName': 'kept-out'}],
                                                     'model_versions': [version]})
    assert (reply_status, body['Code']) == (status, code)
    assert admin.state() == before
