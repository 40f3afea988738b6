"""Workspace look-ups through the official SDK: GetWorkspace, ListWorkspaces, GetDefaultWorkspace."""

import re

MILLIS_TIMESTAMP = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')


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
    assert isinstance(limits.resource_limits, dict) and limits.workspaces == []


def test_list_workspaces_parameter_errors(sdk_client, sdk_models, sdk_error):
    for query, needle in (({'option': 'Everything'}, 'GetWorkspaces'), ({'order': 'Desc'}, 'ASC, DESC'),
                          ({'sort_by': 'Name'}, 'GmtModifiedTime'), ({'page_size': 101}, 'PageSize'),
                          ({'page_number': 0}, 'PageNumber')):
        error = sdk_error(list_workspaces, sdk_client, sdk_models, **query)
        assert (error.status_code, error.code) == (400, 'InvalidParameter') and needle in error.data['Message']
