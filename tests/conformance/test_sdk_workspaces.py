"""Workspaces through the official SDK: create, get, list, update, change resource group, delete (with their
asynchronous status under the switch workspace_transitions), the default workspace, and the name reservation."""

import re
import time

import pytest

import pai_emulator  # loaded from tests/emulator by conftest.py

MILLIS_TIMESTAMP = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
ACCOUNT = pai_emulator.account_id_for(pai_emulator.DEFAULT_ACCESS_KEY_ID)
CHANGE_GROUP_PATH = '/resourcegroups/action/changeresourcegroup'


class Clock:
    """A settable emulator clock (state.clock): transitions are computed from it, no real waiting."""

    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(emulator):
    emulator.state.clock = Clock()  # the emulator fixture puts the real clock back afterwards
    return emulator.state.clock


def create(sdk_client, sdk_models, name, description='made by the SDK', env_types=('prod',), **fields):
    request = sdk_models.CreateWorkspaceRequest(workspace_name=name, description=description,
                                                env_types=None if env_types is None else list(env_types), **fields)
    return sdk_client.create_workspace(request).body.workspace_id


def get(sdk_client, sdk_models, workspace_id, verbose=None):
    return sdk_client.get_workspace(workspace_id, sdk_models.GetWorkspaceRequest(verbose=verbose)).body


def delete(sdk_client, sdk_models, workspace_id):
    return sdk_client.delete_workspace(workspace_id, sdk_models.DeleteWorkspaceRequest()).body


def update(sdk_client, sdk_models, workspace_id, **fields):
    return sdk_client.update_workspace(workspace_id, sdk_models.UpdateWorkspaceRequest(**fields)).body


def change_group(sdk_client, sdk_models, workspace_id, group, resource_type='workspace'):
    request = sdk_models.ChangeResourceGroupRequest(resource_type=resource_type, resource_id=workspace_id,
                                                    new_resource_group_id=group)
    return sdk_client.change_resource_group(request).body


def set_default(sdk_client, sdk_models, workspace_id):
    request = sdk_models.UpdateDefaultWorkspaceRequest(workspace_id=workspace_id)
    return sdk_client.update_default_workspace(request).body


def status_of(sdk_client, sdk_models, workspace_id):
    return get(sdk_client, sdk_models, workspace_id).status


def not_found(sdk_error, call, *args, **kwargs):
    error = sdk_error(call, *args, **kwargs)
    return (error.status_code, error.code, error.data['Message']) == (404, '100400027', 'Workspace not exists')


def list_workspaces(sdk_client, sdk_models, **query):
    return sdk_client.list_workspaces(sdk_models.ListWorkspacesRequest(**query)).body


def test_start_state_has_the_default_workspace(sdk_client, sdk_models):
    body = sdk_client.get_workspace('10001', sdk_models.GetWorkspaceRequest(verbose=True)).body
    assert (body.workspace_id, body.workspace_name, body.is_default, body.status) == ('10001', 'ansible_demo', True,
                                                                                      'ENABLED')
    assert body.env_types == ['prod'] and isinstance(body.admin_names, list)
    assert body.creator.isdigit() and body.extra_infos['TenantId'] == body.creator
    assert body.resource_group_id.startswith('rg-')
    assert MILLIS_TIMESTAMP.match(body.gmt_create_time) and MILLIS_TIMESTAMP.match(body.gmt_modified_time)
    assert body.owner.user_id == body.creator and body.owner.user_name
    plain = sdk_client.get_workspace('10001', sdk_models.GetWorkspaceRequest(verbose=False)).body
    assert plain.owner is None and 'Owner' not in plain.to_map()


def test_get_default_workspace(sdk_client, sdk_models, admin):
    body = sdk_client.get_default_workspace(sdk_models.GetDefaultWorkspaceRequest(verbose=True)).body
    assert (body.workspace_id, body.workspace_name, body.status) == ('10001', 'ansible_demo', 'ENABLED')
    assert body.owner.user_id == body.creator and body.conditions == [] and body.request_id
    assert sdk_client.get_default_workspace(sdk_models.GetDefaultWorkspaceRequest()).body.owner is None
    new_default = admin.seed(workspaces=[{'WorkspaceName': 'new_default', 'IsDefault': True}])['workspaces'][0]
    assert sdk_client.get_default_workspace(sdk_models.GetDefaultWorkspaceRequest()).body.workspace_id == new_default
    assert sdk_client.get_workspace('10001', sdk_models.GetWorkspaceRequest()).body.is_default is False


def test_get_workspace_not_found(sdk_client, sdk_models, sdk_error):
    error = sdk_error(sdk_client.get_workspace, '99999', sdk_models.GetWorkspaceRequest())
    assert (error.status_code, error.code, error.data['Message']) == (404, '100400027', 'Workspace not exists')


def test_list_workspaces(sdk_client, sdk_models, admin):
    seeded = admin.seed(workspaces=[
        {'WorkspaceName': 'team_alpha', 'Status': 'ENABLED', 'EnvTypes': ['dev', 'prod'], 'ResourceGroupId': 'rg-a'},
        {'WorkspaceName': 'team_beta', 'Status': 'DISABLED', 'WorkspaceId': '20002'},
        {'WorkspaceName': 'Alpha_archive', 'DisplayName': '归档', 'Description': '旧的'},
    ])['workspaces']
    assert seeded[1] == '20002' and all(w.isdigit() for w in seeded)

    body = list_workspaces(sdk_client, sdk_models)
    assert body.total_count == 4
    assert [w.workspace_id for w in body.workspaces] == ['10001'] + seeded  # default: ASC by creation time
    alpha = body.workspaces[1]
    assert (alpha.workspace_name, alpha.env_types, alpha.resource_group_id) == ('team_alpha', ['dev', 'prod'], 'rg-a')
    assert 'resourceGroupId' in alpha.to_map() and 'ResourceGroupId' not in alpha.to_map()
    assert body.workspaces[3].display_name == '归档'

    def names(**query):
        return [w.workspace_name for w in list_workspaces(sdk_client, sdk_models, **query).workspaces]

    assert names(workspace_name='ALPHA') == ['team_alpha', 'Alpha_archive']
    assert names(workspace_ids='20002,10001') == ['ansible_demo', 'team_beta']
    assert names(status='DISABLED') == ['team_beta']
    assert names(resource_group_id='rg-a') == ['team_alpha']
    assert names(order='DESC', sort_by='GmtCreateTime') == ['Alpha_archive', 'team_beta', 'team_alpha', 'ansible_demo']
    assert names(sort_by='GmtModifiedTime', page_size=2, page_number=2) == ['team_beta', 'Alpha_archive']
    assert names(option='CheckWorkspaceExists', workspace_name='team_alpha') == ['team_alpha']
    assert names(option='CheckWorkspaceExists', workspace_name='team') == []
    paged = list_workspaces(sdk_client, sdk_models, page_size=3, page_number=2, verbose=True)
    assert paged.total_count == 4 and len(paged.workspaces) == 1
    limits = list_workspaces(sdk_client, sdk_models, option='GetResourceLimits')
    assert sorted(limits.resource_limits) == sorted(['MaxCompute_share', 'MaxCompute_isolate', 'DLC_share',
                                                     'PAI_isolate', 'PAI_share', 'DataWorks_isolate',
                                                     'DataWorks_share'])
    assert limits.workspaces == [] and limits.total_count is None


def test_list_workspaces_parameter_errors(sdk_client, sdk_models, sdk_error):
    for query, needle in (({'option': 'Everything'}, 'GetWorkspaces'), ({'order': 'Desc'}, 'ASC, DESC'),
                          ({'sort_by': 'Name'}, 'GmtModifiedTime'), ({'page_size': 101}, 'PageSize'),
                          ({'page_number': 0}, 'PageNumber')):
        error = sdk_error(list_workspaces, sdk_client, sdk_models, **query)
        assert (error.status_code, error.code) == (400, 'InvalidParameter') and needle in error.data['Message']


# --- CreateWorkspace ----------------------------------------------------------------------------------------------

def test_create_workspace_and_read_it_back(sdk_client, sdk_models, admin):
    workspace_id = create(sdk_client, sdk_models, 'team_a', description='Team A')
    assert workspace_id == '10002'
    body = get(sdk_client, sdk_models, workspace_id)
    assert (body.workspace_name, body.display_name, body.description, body.status, body.env_types) == (
        'team_a', 'team_a', 'Team A', 'ENABLED', ['prod'])
    assert (body.is_default, body.creator, body.admin_names, body.extra_infos) == (False, ACCOUNT, [],
                                                                                   {'TenantId': ACCOUNT})
    default_group = get(sdk_client, sdk_models, '10001').resource_group_id
    assert body.resource_group_id == default_group and re.match(r'^rg-acfm[0-9a-f]{11}$', default_group)
    assert body.gmt_create_time == body.gmt_modified_time and MILLIS_TIMESTAMP.match(body.gmt_create_time)
    assert body.owner is None

    full = create(sdk_client, sdk_models, 'Team_A', env_types=['prod', 'dev'], display_name='Team A (standard)',
                  resource_group_id='rg-team')  # names compare case-sensitively
    body = get(sdk_client, sdk_models, full, verbose=True)
    assert (full, body.display_name, body.env_types, body.resource_group_id) == (
        '10003', 'Team A (standard)', ['dev', 'prod'], 'rg-team')
    assert (body.owner.user_id, body.owner.user_kp, body.owner.user_name) == (ACCOUNT, ACCOUNT, 'emulator-user')
    entries = [(e['action'], e['method'], e['path'], e['mutated']) for e in admin.requests()]
    assert entries[0] == ('CreateWorkspace', 'POST', '/api/v1/workspaces', True)
    assert ('GetWorkspace', 'GET', '/api/v1/workspaces/10002', False) in entries


def test_create_workspace_creator_is_the_caller(make_sdk_client, sdk_models, admin):
    admin.seed(credentials=[{'access_key_id': 'second-key', 'access_key_secret': 'second-secret'}])
    client = make_sdk_client('second-key', 'second-secret')
    body = get(client, sdk_models, create(client, sdk_models, 'theirs'), verbose=True)
    other = pai_emulator.account_id_for('second-key')
    assert (body.creator, body.owner.user_id, body.extra_infos['TenantId']) == (other, other, other)
    assert body.resource_group_id != get(client, sdk_models, '10001').resource_group_id


@pytest.mark.parametrize('fields, code, named', [
    ({'workspace_name': None}, 'MissingParameter', 'WorkspaceName'),
    ({'workspace_name': ''}, 'MissingParameter', 'WorkspaceName'),
    ({'workspace_name': 'ab'}, 'InvalidParameter', 'WorkspaceName'),
    ({'workspace_name': 'a' * 24}, 'InvalidParameter', 'WorkspaceName'),
    ({'workspace_name': '1abc'}, 'InvalidParameter', 'WorkspaceName'),
    ({'workspace_name': '_abc'}, 'InvalidParameter', 'WorkspaceName'),
    ({'workspace_name': 'team-a'}, 'InvalidParameter', 'WorkspaceName'),
    ({'workspace_name': 'team a'}, 'InvalidParameter', 'WorkspaceName'),
    ({'workspace_name': 'tëam'}, 'InvalidParameter', 'WorkspaceName'),
    ({'description': None}, 'MissingParameter', 'Description'),
    ({'description': ''}, 'MissingParameter', 'Description'),
    ({'description': 'x' * 81}, 'InvalidParameter', 'Description'),
    ({'env_types': None}, 'MissingParameter', 'EnvTypes'),
    ({'env_types': []}, 'MissingParameter', 'EnvTypes'),
    ({'env_types': ['dev']}, 'InvalidParameter', 'EnvTypes'),
    ({'env_types': ['prod', 'prod']}, 'InvalidParameter', 'EnvTypes'),
    ({'env_types': ['dev', 'prod', 'test']}, 'InvalidParameter', 'EnvTypes'),
    ({'env_types': ['PROD']}, 'InvalidParameter', 'EnvTypes'),
    ({'resource_group_id': 'group-1'}, 'InvalidParameter', 'ResourceGroupId'),
])
def test_create_workspace_invalid_input(sdk_client, sdk_models, sdk_error, admin, fields, code, named):
    request = dict({'workspace_name': 'valid_name', 'description': 'd', 'env_types': ['prod']}, **fields)
    error = sdk_error(sdk_client.create_workspace, sdk_models.CreateWorkspaceRequest(**request))
    assert (error.status_code, error.code) == (400, code) and '"%s"' % named in error.data['Message']
    assert [w['WorkspaceId'] for w in admin.state()['workspaces']] == ['10001']


def test_create_workspace_limits_are_inclusive(sdk_client, sdk_models):
    for name in ('abc', 'A' + 'b_9' * 7 + 'x'):  # 3 and 23 characters
        workspace_id = create(sdk_client, sdk_models, name, description='d' * 80)
        assert get(sdk_client, sdk_models, workspace_id).workspace_name == name


def test_workspace_names_are_unique_and_reserved_after_delete(sdk_client, sdk_models, sdk_error, admin):
    def exists_error(name):
        error = sdk_error(create, sdk_client, sdk_models, name)
        return error.status_code, error.code, error.data['Message']

    taken = (400, '100400009', 'Workspace exist error')
    workspace_id = create(sdk_client, sdk_models, 'team_a')
    assert exists_error('team_a') == taken and exists_error('ansible_demo') == taken
    delete(sdk_client, sdk_models, workspace_id)
    assert list_workspaces(sdk_client, sdk_models, workspace_name='team_a').workspaces == []
    assert exists_error('team_a') == taken  # in the recycle bin: invisible, but the name is reserved
    assert admin.state()['deleted_workspaces'] == [
        {'WorkspaceId': '10002', 'WorkspaceName': 'team_a', 'GmtDeleteTime': admin.state()['deleted_workspaces'][0][
            'GmtDeleteTime']}]
    assert create(sdk_client, sdk_models, 'team_b') == '10003'  # ids of deleted workspaces are not reused
    admin.reset()
    assert admin.state()['deleted_workspaces'] == []
    assert create(sdk_client, sdk_models, 'team_a') == '10002'


# --- GetWorkspace / ListWorkspaces on created workspaces ---------------------------------------------------------

def test_list_created_workspaces(sdk_client, sdk_models, clock, sdk_call):
    ids = []
    for name, group in (('proj_red', 'rg-red'), ('proj_blue', None), ('other', 'rg-red')):
        clock.advance(1)
        ids.append(create(sdk_client, sdk_models, name, resource_group_id=group))
    clock.advance(1)
    update(sdk_client, sdk_models, ids[0], description='touched last')

    def names(**query):
        return [w.workspace_name for w in list_workspaces(sdk_client, sdk_models, **query).workspaces]

    assert names() == ['ansible_demo', 'proj_red', 'proj_blue', 'other']
    assert names(workspace_name='PROJ') == ['proj_red', 'proj_blue']
    assert names(workspace_name='roj_b') == ['proj_blue']
    assert names(workspace_ids=','.join(ids[1:])) == ['proj_blue', 'other']
    assert names(workspace_ids=ids[2] + ', 99999') == ['other']
    assert names(resource_group_id='rg-red') == ['proj_red', 'other']
    assert names(status='ENABLED') == names() and names(status='INITIALIZING') == []
    assert names(user_id=ACCOUNT) == names() and names(user_id='1') == []
    assert names(sort_by='GmtModifiedTime') == ['ansible_demo', 'proj_blue', 'other', 'proj_red']
    assert names(sort_by='GmtModifiedTime', order='DESC') == ['proj_red', 'other', 'proj_blue', 'ansible_demo']
    assert names(order='DESC') == ['other', 'proj_blue', 'proj_red', 'ansible_demo']
    assert names(page_size=3) == ['ansible_demo', 'proj_red', 'proj_blue']
    assert names(page_size=3, page_number=2) == ['other'] and names(page_size=3, page_number=3) == []
    body = list_workspaces(sdk_client, sdk_models, page_size=1, verbose=True)
    assert body.total_count == 4 and len(body.workspaces) == 1
    item = list_workspaces(sdk_client, sdk_models, workspace_ids=ids[0]).workspaces[0]
    assert item.resource_group_id == 'rg-red'
    raw = sdk_call('ListWorkspaces', 'GET', '/api/v1/workspaces', query={'WorkspaceIds': ids[0]})['Workspaces'][0]
    assert raw['resourceGroupId'] == 'rg-red' and 'ResourceGroupId' not in raw and 'Owner' not in raw
    assert sorted(raw) == sorted(['WorkspaceId', 'WorkspaceName', 'DisplayName', 'Description', 'Status',
                                  'EnvTypes', 'IsDefault', 'Creator', 'AdminNames', 'ExtraInfos', 'resourceGroupId',
                                  'GmtCreateTime', 'GmtModifiedTime'])
    got = sdk_call('GetWorkspace', 'GET', '/api/v1/workspaces/' + ids[0])
    assert got['ResourceGroupId'] == 'rg-red' and 'resourceGroupId' not in got and 'Owner' not in got
    assert 'Owner' in sdk_call('GetWorkspace', 'GET', '/api/v1/workspaces/' + ids[0], query={'Verbose': 'true'})


# --- UpdateWorkspace ----------------------------------------------------------------------------------------------

def test_update_workspace_merge(sdk_client, sdk_models, admin, clock):
    workspace_id = create(sdk_client, sdk_models, 'team_a', description='first', display_name='Team A')
    created = get(sdk_client, sdk_models, workspace_id)
    clock.advance(2)
    assert update(sdk_client, sdk_models, workspace_id, description='second').request_id
    body = get(sdk_client, sdk_models, workspace_id)
    assert (body.description, body.display_name) == ('second', 'Team A')
    assert body.gmt_modified_time > created.gmt_modified_time and body.gmt_create_time == created.gmt_create_time
    update(sdk_client, sdk_models, workspace_id, display_name='Team A, renamed')
    assert (get(sdk_client, sdk_models, workspace_id).description,
            get(sdk_client, sdk_models, workspace_id).display_name) == ('second', 'Team A, renamed')
    update(sdk_client, sdk_models, workspace_id, display_name='', description='')
    body = get(sdk_client, sdk_models, workspace_id)
    assert (body.description, body.display_name) == ('', 'team_a')  # "" display name: back to the name
    assert admin.requests()[-2]['action'] == 'UpdateWorkspace' and admin.requests()[-2]['mutated'] is True


def test_update_workspace_replace_and_ignored_fields(sdk_client, sdk_models, sdk_call, admin):
    workspace_id = create(sdk_client, sdk_models, 'team_a', description='first', display_name='Team A',
                          resource_group_id='rg-a')
    admin.set_behaviours(update_fields='replace')
    update(sdk_client, sdk_models, workspace_id, description='only this')
    body = get(sdk_client, sdk_models, workspace_id)
    assert (body.description, body.display_name) == ('only this', 'team_a')
    update(sdk_client, sdk_models, workspace_id, display_name='Shown')
    body = get(sdk_client, sdk_models, workspace_id)
    assert (body.description, body.display_name) == ('', 'Shown')
    sdk_call('UpdateWorkspace', 'PUT', '/api/v1/workspaces/' + workspace_id,
             body={'Description': 'd', 'DisplayName': 'x', 'WorkspaceName': 'renamed', 'EnvTypes': ['dev', 'prod'],
                   'ResourceGroupId': 'rg-other'})
    body = get(sdk_client, sdk_models, workspace_id)
    assert (body.workspace_name, body.env_types, body.resource_group_id) == ('team_a', ['prod'], 'rg-a')


def test_update_workspace_errors(sdk_client, sdk_models, sdk_error):
    assert not_found(sdk_error, update, sdk_client, sdk_models, '99999', description='x')
    error = sdk_error(update, sdk_client, sdk_models, '10001', description='x' * 81)
    assert (error.status_code, error.code) == (400, 'InvalidParameter') and '"Description"' in error.data['Message']


# --- ChangeResourceGroup ------------------------------------------------------------------------------------------

def test_change_resource_group(sdk_client, sdk_models, admin, sdk_call, clock):
    workspace_id = create(sdk_client, sdk_models, 'team_a', resource_group_id='rg-old')
    before = get(sdk_client, sdk_models, workspace_id)
    clock.advance(1)
    body = change_group(sdk_client, sdk_models, workspace_id, 'rg-new')
    assert re.match(r'^[0-9A-F-]{36}$', body.request_id)  # parsed from the lower-case requestId key
    after = get(sdk_client, sdk_models, workspace_id)
    assert after.resource_group_id == 'rg-new' and after.gmt_modified_time > before.gmt_modified_time
    assert [w.workspace_id for w in list_workspaces(sdk_client, sdk_models, resource_group_id='rg-new').workspaces] \
        == [workspace_id]
    entry = admin.requests()[-3]
    assert (entry['action'], entry['method'], entry['path'], entry['mutated']) == (
        'ChangeResourceGroup', 'PUT', CHANGE_GROUP_PATH, True)
    assert entry['body'] == {'ResourceType': 'workspace', 'ResourceId': workspace_id, 'NewResourceGroupId': 'rg-new'}
    raw = sdk_call('ChangeResourceGroup', 'PUT', CHANGE_GROUP_PATH,
                   body={'ResourceType': 'workspace', 'ResourceId': workspace_id, 'NewResourceGroupId': 'rg-new'})
    assert sorted(raw) == ['requestId']
    assert admin.requests()[-1]['mutated'] is False  # already in that group


@pytest.mark.parametrize('body, status, code, named', [
    ({'ResourceId': '10001', 'NewResourceGroupId': 'rg-x'}, 400, 'MissingParameter', 'ResourceType'),
    ({'ResourceType': 'model', 'ResourceId': '10001', 'NewResourceGroupId': 'rg-x'}, 400, 'InvalidParameter',
     'ResourceType'),
    ({'ResourceType': 'Workspace', 'ResourceId': '10001', 'NewResourceGroupId': 'rg-x'}, 400, 'InvalidParameter',
     'ResourceType'),
    ({'ResourceType': 'workspace', 'NewResourceGroupId': 'rg-x'}, 400, 'MissingParameter', 'ResourceId'),
    ({'ResourceType': 'workspace', 'ResourceId': '10001'}, 400, 'MissingParameter', 'NewResourceGroupId'),
    ({'ResourceType': 'workspace', 'ResourceId': '10001', 'NewResourceGroupId': 'group'}, 400, 'InvalidParameter',
     'NewResourceGroupId'),
    ({'ResourceType': 'workspace', 'ResourceId': '99999', 'NewResourceGroupId': 'rg-x'}, 404, '100400027', None),
])
def test_change_resource_group_errors(sdk_client, sdk_models, sdk_error, body, status, code, named):
    request = sdk_models.ChangeResourceGroupRequest().from_map(body)
    error = sdk_error(sdk_client.change_resource_group, request)
    assert (error.status_code, error.code) == (status, code)
    assert named is None or '"%s"' % named in error.data['Message']
    assert get(sdk_client, sdk_models, '10001').resource_group_id != 'rg-x'


# --- DeleteWorkspace ----------------------------------------------------------------------------------------------

def test_delete_workspace_instant(sdk_client, sdk_models, sdk_error, admin):
    workspace_id = create(sdk_client, sdk_models, 'team_a')
    admin.seed(connections=[{'WorkspaceId': workspace_id, 'ConnectionId': 'conn-kept', 'ConnectionName': 'c',
                             'Configs': {}}],
               models=[{'WorkspaceId': workspace_id, 'ModelId': 'model-kept', 'ModelName': 'm'}])
    body = delete(sdk_client, sdk_models, workspace_id)
    assert re.match(r'^[0-9A-F-]{36}$', body.request_id)
    entry = admin.requests()[-1]
    assert (entry['action'], entry['method'], entry['path'], entry['mutated']) == (
        'DeleteWorkspace', 'DELETE', '/api/v1/workspaces/' + workspace_id, True)
    assert not_found(sdk_error, get, sdk_client, sdk_models, workspace_id)
    assert not_found(sdk_error, delete, sdk_client, sdk_models, workspace_id)
    assert [w.workspace_id for w in list_workspaces(sdk_client, sdk_models).workspaces] == ['10001']
    assert list_workspaces(sdk_client, sdk_models, workspace_ids=workspace_id).total_count == 0
    # what the workspace held stays stored and readable by id; the workspace-scoped lists answer not found
    assert sdk_client.get_model('model-kept', sdk_models.GetModelRequest()).body.workspace_id == workspace_id
    assert sdk_client.get_connection('conn-kept', sdk_models.GetConnectionRequest()).body.connection_name == 'c'
    assert not_found(sdk_error, sdk_client.list_models, sdk_models.ListModelsRequest(workspace_id=workspace_id))
    assert not_found(sdk_error, sdk_client.list_connections,
                     sdk_models.ListConnectionsRequest(workspace_id=workspace_id))
    assert not_found(sdk_error, sdk_client.create_model,
                     sdk_models.CreateModelRequest(model_name='late', workspace_id=workspace_id))


def test_the_default_workspace_cannot_be_deleted(sdk_client, sdk_models, sdk_error, admin):
    error = sdk_error(delete, sdk_client, sdk_models, '10001')
    assert (error.status_code, error.code) == (400, 'OperationDenied.DefaultWorkspace')
    assert 'UpdateDefaultWorkspace' in error.data['Message']
    assert get(sdk_client, sdk_models, '10001').status == 'ENABLED' and admin.state()['deleted_workspaces'] == []
    other = create(sdk_client, sdk_models, 'next_default')
    set_default(sdk_client, sdk_models, other)
    delete(sdk_client, sdk_models, '10001')
    assert not_found(sdk_error, get, sdk_client, sdk_models, '10001')
    created = sdk_client.create_model(sdk_models.CreateModelRequest(model_name='m')).body.model_id
    assert sdk_client.get_model(created, sdk_models.GetModelRequest()).body.workspace_id == other


# --- workspace_transitions ----------------------------------------------------------------------------------------

def test_slow_creation_and_deletion(sdk_client, sdk_models, sdk_error, admin, clock):
    admin.set_behaviours(workspace_transitions='slow')
    workspace_id = create(sdk_client, sdk_models, 'slow_ws')
    created = get(sdk_client, sdk_models, workspace_id)
    assert created.status == 'INITIALIZING'
    assert [w.workspace_id for w in list_workspaces(sdk_client, sdk_models, status='INITIALIZING').workspaces] \
        == [workspace_id]
    clock.advance(2.9)
    assert status_of(sdk_client, sdk_models, workspace_id) == 'INITIALIZING'
    clock.advance(0.1)
    enabled = get(sdk_client, sdk_models, workspace_id)
    assert enabled.status == 'ENABLED' and enabled.gmt_create_time == created.gmt_create_time
    assert enabled.gmt_modified_time > created.gmt_modified_time  # the status change is a modification

    delete(sdk_client, sdk_models, workspace_id)
    assert status_of(sdk_client, sdk_models, workspace_id) == 'ENABLED'  # still readable, status unchanged
    assert [w['Deleting'] for w in admin.state()['workspaces']] == [False, True]
    assert sdk_error(create, sdk_client, sdk_models, 'slow_ws').code == '100400009'
    clock.advance(2)
    delete(sdk_client, sdk_models, workspace_id)  # a second delete while one is under way is accepted ...
    assert admin.requests()[-1]['mutated'] is False
    assert workspace_id in [w.workspace_id for w in list_workspaces(sdk_client, sdk_models).workspaces]
    clock.advance(1)  # ... and does not restart the clock
    assert not_found(sdk_error, get, sdk_client, sdk_models, workspace_id)
    assert [w.workspace_id for w in list_workspaces(sdk_client, sdk_models).workspaces] == ['10001']
    assert [d['WorkspaceName'] for d in admin.state()['deleted_workspaces']] == ['slow_ws']


def test_slow_transitions_with_the_real_clock(sdk_client, sdk_models, emulator, sdk_error, admin):
    admin.set_behaviours(workspace_transitions='slow')
    workspace_id = create(sdk_client, sdk_models, 'real_time')
    assert status_of(sdk_client, sdk_models, workspace_id) == 'INITIALIZING'
    emulator.state.workspaces[workspace_id]['_transition']['at'] -= 2.8  # shorten the 3 s wait to 0.2 s
    time.sleep(0.3)
    assert status_of(sdk_client, sdk_models, workspace_id) == 'ENABLED'
    delete(sdk_client, sdk_models, workspace_id)
    emulator.state.workspaces[workspace_id]['_gone_at'] -= 2.8
    assert status_of(sdk_client, sdk_models, workspace_id) == 'ENABLED'
    time.sleep(0.3)
    assert not_found(sdk_error, get, sdk_client, sdk_models, workspace_id)


def test_slow_deletion_of_a_workspace_still_initializing(sdk_client, sdk_models, sdk_error, admin, clock):
    admin.set_behaviours(workspace_transitions='slow')
    workspace_id = create(sdk_client, sdk_models, 'short_lived')
    clock.advance(1)
    delete(sdk_client, sdk_models, workspace_id)
    clock.advance(2)
    assert status_of(sdk_client, sdk_models, workspace_id) == 'ENABLED'
    clock.advance(1)
    assert not_found(sdk_error, get, sdk_client, sdk_models, workspace_id)


def test_a_switch_change_does_not_change_a_transition_under_way(sdk_client, sdk_models, admin, clock):
    admin.set_behaviours(workspace_transitions='slow')
    workspace_id = create(sdk_client, sdk_models, 'started_slow')
    admin.set_behaviours(workspace_transitions='instant')
    assert status_of(sdk_client, sdk_models, workspace_id) == 'INITIALIZING'
    assert status_of(sdk_client, sdk_models, create(sdk_client, sdk_models, 'instant_one')) == 'ENABLED'
    clock.advance(3)
    assert status_of(sdk_client, sdk_models, workspace_id) == 'ENABLED'


def test_failing_creation(sdk_client, sdk_models, sdk_error, admin, clock):
    admin.set_behaviours(workspace_transitions='failing')
    workspace_id = create(sdk_client, sdk_models, 'doomed')
    assert status_of(sdk_client, sdk_models, workspace_id) == 'INITIALIZING'
    clock.advance(1)
    assert status_of(sdk_client, sdk_models, workspace_id) == 'FAILURE'
    clock.advance(600)
    assert status_of(sdk_client, sdk_models, workspace_id) == 'FAILURE'
    assert [w.workspace_name for w in list_workspaces(sdk_client, sdk_models, status='FAILURE').workspaces] \
        == ['doomed']
    error = sdk_error(set_default, sdk_client, sdk_models, workspace_id)
    assert (error.status_code, error.code) == (400, 'InvalidParameter') and 'FAILURE' in error.data['Message']
    delete(sdk_client, sdk_models, workspace_id)  # deletion is instant under failing
    assert not_found(sdk_error, get, sdk_client, sdk_models, workspace_id)
    assert sdk_error(create, sdk_client, sdk_models, 'doomed').code == '100400009'


# --- default workspace --------------------------------------------------------------------------------------------

def test_update_default_workspace(sdk_client, sdk_models, sdk_error, admin, clock):
    workspace_id = create(sdk_client, sdk_models, 'next_default', description='the next one')
    body = set_default(sdk_client, sdk_models, workspace_id)
    assert re.match(r'^[0-9A-F-]{36}$', body.request_id)
    entry = admin.requests()[-1]
    assert (entry['action'], entry['method'], entry['path'], entry['body'], entry['mutated']) == (
        'UpdateDefaultWorkspace', 'PUT', '/api/v1/defaultWorkspaces', {'WorkspaceId': workspace_id}, True)
    default = sdk_client.get_default_workspace(sdk_models.GetDefaultWorkspaceRequest(verbose=True)).body
    assert (default.workspace_id, default.workspace_name, default.description) == (
        workspace_id, 'next_default', 'the next one')
    assert get(sdk_client, sdk_models, workspace_id).is_default is True
    assert get(sdk_client, sdk_models, '10001').is_default is False
    set_default(sdk_client, sdk_models, workspace_id)
    assert admin.requests()[-1]['mutated'] is False  # already the default
    assert not_found(sdk_error, set_default, sdk_client, sdk_models, '99999')
    error = sdk_error(set_default, sdk_client, sdk_models, None)
    assert (error.code, '"WorkspaceId"' in error.data['Message']) == ('MissingParameter', True)

    admin.set_behaviours(workspace_transitions='slow')
    initializing = create(sdk_client, sdk_models, 'not_yet')
    error = sdk_error(set_default, sdk_client, sdk_models, initializing)
    assert (error.code, 'INITIALIZING' in error.data['Message']) == ('InvalidParameter', True)
    clock.advance(3)
    set_default(sdk_client, sdk_models, '10001')
    delete(sdk_client, sdk_models, initializing)
    error = sdk_error(set_default, sdk_client, sdk_models, initializing)
    assert (error.code, 'being deleted' in error.data['Message']) == ('InvalidParameter', True)


# --- seed and state -----------------------------------------------------------------------------------------------

def test_seeded_workspaces_and_the_state_dump(sdk_client, sdk_models, admin, clock):
    admin.set_behaviours(workspace_transitions='slow')
    seeded = admin.seed(workspaces=[
        {'WorkspaceName': 'stuck', 'Status': 'INITIALIZING', 'ResourceGroupId': 'rg-s', 'EnvTypes': ['dev', 'prod']},
        {'WorkspaceName': 'stuck', 'Status': 'FROZEN'},  # seeding checks no name rules: duplicates are allowed
    ])['workspaces']
    clock.advance(60)
    body = get(sdk_client, sdk_models, seeded[0])
    assert (body.status, body.resource_group_id, body.env_types) == ('INITIALIZING', 'rg-s', ['dev', 'prod'])
    assert [w.status for w in list_workspaces(sdk_client, sdk_models, workspace_name='stuck').workspaces] == [
        'INITIALIZING', 'FROZEN']
    state = admin.state()
    assert [(w['WorkspaceName'], w['Status'], w['Deleting']) for w in state['workspaces']] == [
        ('ansible_demo', 'ENABLED', False), ('stuck', 'INITIALIZING', False), ('stuck', 'FROZEN', False)]
    assert all(not key.startswith('_') for w in state['workspaces'] for key in w)
    status, error = admin.call('POST', 'seed', {'workspaces': [{'WorkspaceName': 'bad', 'Status': 'CREATING'}]})
    assert (status, error['Code']) == (400, 'InvalidParameter')
    status, error = admin.call('POST', 'seed', {'workspaces': [{'WorkspaceName': 'bad', 'ResourceGroupId': 'g'}]})
    assert (status, error['Code']) == (400, 'InvalidParameter')
    delete(sdk_client, sdk_models, seeded[1])
    clock.advance(3)
    status, error = admin.call('POST', 'seed', {'workspaces': [{'WorkspaceName': 'again', 'WorkspaceId': seeded[1]}]})
    assert (status, error['Code']) == (400, 'InvalidParameter') and 'not reused' in error['Message']
    state = admin.state()
    assert [d['WorkspaceId'] for d in state['deleted_workspaces']] == [seeded[1]]
    assert MILLIS_TIMESTAMP.match(state['deleted_workspaces'][0]['GmtDeleteTime'])
