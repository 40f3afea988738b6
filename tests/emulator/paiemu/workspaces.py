# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Workspaces: GetWorkspace, ListWorkspaces, GetDefaultWorkspace, and the look-ups other resources use."""

import copy

from paiemu.core import (
    ORDERS,
    ApiError,
    Route,
    account_id_for,
    as_bool,
    as_csv,
    as_enum,
    as_str,
    as_str_list,
    format_time,
    invalid_parameter,
    missing_parameter,
    one_page,
    page_number_and_size,
    public_fields,
    sha256_hex,
)

WORKSPACE_OPTIONS = ('GetWorkspaces', 'GetResourceLimits', 'CheckWorkspaceExists')
WORKSPACE_STATUSES = ('ENABLED', 'INITIALIZING', 'FAILURE', 'DISABLED', 'FROZEN', 'UPDATING')
WORKSPACE_RESPONSE_FIELDS = (
    'WorkspaceId', 'WorkspaceName', 'DisplayName', 'Description', 'Status', 'EnvTypes', 'IsDefault',
    'Creator', 'AdminNames', 'ExtraInfos', 'ResourceGroupId', 'GmtCreateTime', 'GmtModifiedTime',
)


def workspace_not_found():
    return ApiError(404, '100400027', 'Workspace not exists')


# --------------------------------------------------------------------------------------------------
# Store

def find_workspace(state, workspace_id):
    workspace = state.workspaces.get(str(workspace_id))
    if workspace is None:
        raise workspace_not_found()
    return workspace


def default_workspace(state):
    for workspace in state.workspaces.values():
        if workspace['IsDefault']:
            return workspace
    raise workspace_not_found()


def workspace_id_or_default(state, value):
    """The WorkspaceId of a create: the default workspace when omitted, else an existing workspace's id."""
    if value is None or value == '':
        return default_workspace(state)['WorkspaceId']
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise invalid_parameter('WorkspaceId', 'must be a string')
    return find_workspace(state, value)['WorkspaceId']


def add_workspace(state, spec):
    """Validate and store a workspace (the start state and POST /_emulator/seed); returns its id."""
    name = as_str(spec.get('WorkspaceName'), 'WorkspaceName', required=True)
    workspace_id = as_str(None if spec.get('WorkspaceId') is None else str(spec['WorkspaceId']), 'WorkspaceId')
    if workspace_id is None:
        workspace_id = str(max([int(w) for w in state.workspaces if w.isdigit()] + [10000]) + 1)
    elif workspace_id in state.workspaces:
        raise invalid_parameter('WorkspaceId', 'workspace %s already exists' % workspace_id)
    is_default = as_bool(spec.get('IsDefault'), 'IsDefault') or False
    if is_default:
        for other in state.workspaces.values():
            other['IsDefault'] = False
    creator = account_id_for(state.default_access_key_id)
    stamp = format_time(state.now(), millis=True)
    state.workspaces[workspace_id] = {
        'WorkspaceId': workspace_id,
        'WorkspaceName': name,
        'DisplayName': as_str(spec.get('DisplayName'), 'DisplayName') or name,
        'Description': as_str(spec.get('Description'), 'Description') or '',
        'Status': as_enum(spec.get('Status'), 'Status', WORKSPACE_STATUSES, 'ENABLED'),
        'EnvTypes': as_str_list(spec.get('EnvTypes'), 'EnvTypes') or ['prod'],
        'IsDefault': is_default,
        'Creator': creator,
        'AdminNames': as_str_list(spec.get('AdminNames'), 'AdminNames'),
        'ExtraInfos': {'TenantId': creator},
        'ResourceGroupId': as_str(spec.get('ResourceGroupId'), 'ResourceGroupId')
        or 'rg-acfm' + sha256_hex(workspace_id.encode())[:11],
        'GmtCreateTime': stamp,
        'GmtModifiedTime': stamp,
        '_seq': state.next_seq(),
    }
    return workspace_id


def dump(state):
    return [public_fields(w) for w in state.workspaces.values()]


# --------------------------------------------------------------------------------------------------
# Actions

def render_workspace(workspace, verbose, group_key='ResourceGroupId'):
    result = {field: copy.deepcopy(workspace[field]) for field in WORKSPACE_RESPONSE_FIELDS}
    result[group_key] = result.pop('ResourceGroupId')
    if verbose:
        result['Owner'] = {'UserId': workspace['Creator'], 'UserKp': workspace['Creator'],
                           'UserName': 'emulator-user', 'DisplayName': 'emulator-user'}
    return result


def get_workspace(call):
    workspace = find_workspace(call.state, call.params['WorkspaceId'])
    return render_workspace(workspace, as_bool(call.query.get('Verbose'), 'Verbose'))


def list_workspaces(call):
    query = call.query
    option = as_enum(query.get('Option'), 'Option', WORKSPACE_OPTIONS, 'GetWorkspaces')
    page_number, size = page_number_and_size(call, 20)
    sort_by = as_enum(query.get('SortBy'), 'SortBy', ('GmtCreateTime', 'GmtModifiedTime'), 'GmtCreateTime')
    order = as_enum(query.get('Order'), 'Order', ORDERS, 'ASC')
    as_bool(query.get('Verbose'), 'Verbose')
    workspaces = list(call.state.workspaces.values())
    if option == 'GetResourceLimits':
        return {'ResourceLimits': {'MaxWorkspaceCount': 100, 'WorkspaceCount': len(workspaces)}}
    name = query.get('WorkspaceName') or ''
    if option == 'CheckWorkspaceExists':
        if not name:
            raise missing_parameter('WorkspaceName')
        matches = [w for w in workspaces if w['WorkspaceName'] == name]
    else:
        ids = as_csv(query.get('WorkspaceIds'))
        matches = [w for w in workspaces
                   if name.lower() in w['WorkspaceName'].lower()
                   and (not ids or w['WorkspaceId'] in ids)
                   and (not query.get('Status') or w['Status'] == query['Status'])
                   and (not query.get('ResourceGroupId') or w['ResourceGroupId'] == query['ResourceGroupId'])]
    matches.sort(key=lambda w: (w[sort_by], w['_seq']), reverse=(order == 'DESC'))
    return {'Workspaces': [render_workspace(w, False, 'resourceGroupId') for w in one_page(matches, page_number, size)],
            'TotalCount': len(matches)}


def get_default_workspace(call):
    workspace = render_workspace(default_workspace(call.state), as_bool(call.query.get('Verbose'), 'Verbose'))
    for field in ('IsDefault', 'AdminNames', 'ExtraInfos', 'ResourceGroupId'):
        workspace.pop(field)
    workspace['Conditions'] = []
    return workspace


ROUTES = [
    Route('GET', '/api/v1/workspaces', 'ListWorkspaces', list_workspaces),
    Route('GET', '/api/v1/workspaces/{WorkspaceId}', 'GetWorkspace', get_workspace),
    Route('GET', '/api/v1/defaultWorkspaces', 'GetDefaultWorkspace', get_default_workspace),
]
