# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Workspaces: create, get, list, update, delete (with their asynchronous status), ChangeResourceGroup, the
default workspace, and the look-ups other resources use.

Status changes are computed lazily from timestamps (settle(), called before every read of the store): a
creation or deletion under way records when it ends, and the first look-up after that moment applies it.
"""

import copy
import re

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
WORKSPACE_NAME = re.compile(r'^[A-Za-z][A-Za-z0-9_]{2,22}$')
DESCRIPTION_MAX_LENGTH = 80
ENV_TYPES = (['prod'], ['dev', 'prod'])  # simple mode, standard mode
RESOURCE_LIMITS = ('MaxCompute_share', 'MaxCompute_isolate', 'DLC_share', 'PAI_isolate', 'PAI_share',
                   'DataWorks_isolate', 'DataWorks_share')
# workspace_transitions: (seconds a creation takes, the status it ends in, seconds a deletion takes)
TRANSITIONS = {
    'instant': (0, 'ENABLED', 0),
    'slow': (3, 'ENABLED', 3),
    'failing': (1, 'FAILURE', 0),
}


def workspace_not_found():
    return ApiError(404, '100400027', 'Workspace not exists')


def workspace_exists():
    """A name taken by a workspace of the region, or by one deleted since the last reset (recycle bin)."""
    return ApiError(400, '100400009', 'Workspace exist error')


def default_resource_group(account):
    """The account's default resource group, used when a workspace is created without one."""
    return 'rg-acfm' + sha256_hex(account.encode())[:11]


def as_resource_group(value, name, required=False):
    group = as_str(value, name, required=required)
    if group is not None and not group.startswith('rg-'):
        raise invalid_parameter(name, 'must be a resource group id starting with "rg-"')
    return group or None


# --------------------------------------------------------------------------------------------------
# Store

def settle(state):
    """Apply every status change and deletion whose time has come (lazily, from the timestamps)."""
    now = state.now()
    for workspace_id, workspace in list(state.workspaces.items()):
        pending = workspace.get('_transition')
        if pending is not None and pending['at'] <= now:
            workspace['Status'] = pending['status']
            workspace['GmtModifiedTime'] = format_time(pending['at'], millis=True)
            workspace['_transition'] = None
        if workspace.get('_gone_at') is not None and workspace['_gone_at'] <= now:
            del state.workspaces[workspace_id]


def find_workspace(state, workspace_id):
    settle(state)
    workspace = state.workspaces.get(str(workspace_id))
    if workspace is None:
        raise workspace_not_found()
    return workspace


def default_workspace(state):
    settle(state)
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


def name_taken(state, name):
    settle(state)
    return (any(w['WorkspaceName'] == name for w in state.workspaces.values())
            or any(d['WorkspaceName'] == name for d in state.deleted_workspaces.values()))


def next_workspace_id(state):
    """The highest numeric id ever used since the last reset (deleted workspaces included) plus one."""
    used = [int(w) for w in list(state.workspaces) + list(state.deleted_workspaces) if w.isdigit()]
    return str(max(used + [10000]) + 1)


def add_workspace(state, spec, creator=None):
    """Validate and store a workspace (the start state, POST /_emulator/seed, CreateWorkspace); returns its id.

    This is lenient on purpose (seeding): the name format, name uniqueness and EnvTypes values are checked by
    CreateWorkspace only, and a seeded Status never changes by itself.
    """
    settle(state)
    name = as_str(spec.get('WorkspaceName'), 'WorkspaceName', required=True)
    workspace_id = as_str(None if spec.get('WorkspaceId') is None else str(spec['WorkspaceId']), 'WorkspaceId')
    if workspace_id is None:
        workspace_id = next_workspace_id(state)
    elif workspace_id in state.workspaces:
        raise invalid_parameter('WorkspaceId', 'workspace %s already exists' % workspace_id)
    elif workspace_id in state.deleted_workspaces:
        raise invalid_parameter('WorkspaceId', 'workspace %s was deleted; ids are not reused' % workspace_id)
    is_default = as_bool(spec.get('IsDefault'), 'IsDefault') or False
    status = as_enum(spec.get('Status'), 'Status', WORKSPACE_STATUSES, 'ENABLED')
    env_types = as_str_list(spec.get('EnvTypes'), 'EnvTypes') or ['prod']
    creator = creator or account_id_for(state.default_access_key_id)
    group = as_resource_group(spec.get('ResourceGroupId'), 'ResourceGroupId') or default_resource_group(creator)
    if is_default:
        for other in state.workspaces.values():
            other['IsDefault'] = False
    stamp = format_time(state.now(), millis=True)
    state.workspaces[workspace_id] = {
        'WorkspaceId': workspace_id,
        'WorkspaceName': name,
        'DisplayName': as_str(spec.get('DisplayName'), 'DisplayName') or name,
        'Description': as_str(spec.get('Description'), 'Description') or '',
        'Status': status,
        'EnvTypes': env_types,
        'IsDefault': is_default,
        'Creator': creator,
        'AdminNames': as_str_list(spec.get('AdminNames'), 'AdminNames'),
        'ExtraInfos': {'TenantId': creator},
        'ResourceGroupId': group,
        'GmtCreateTime': stamp,
        'GmtModifiedTime': stamp,
        '_seq': state.next_seq(),
        '_transition': None,  # {'at': time, 'status': 'ENABLED' | 'FAILURE'} while a creation is under way
        '_gone_at': None,  # the time a deletion under way ends
    }
    return workspace_id


def dump(state):
    """GET /_emulator/state: every workspace (Deleting: a deletion is under way) and the deleted ones."""
    settle(state)
    return [dict(public_fields(w), Deleting=w['_gone_at'] is not None) for w in state.workspaces.values()]


def dump_deleted(state):
    """The workspaces deleted since the last reset: their names stay reserved (the 14-day recycle bin)."""
    settle(state)
    return [dict(d) for d in state.deleted_workspaces.values()]


# --------------------------------------------------------------------------------------------------
# Actions

def render_workspace(workspace, verbose, group_key='ResourceGroupId'):
    result = {field: copy.deepcopy(workspace[field]) for field in WORKSPACE_RESPONSE_FIELDS}
    result[group_key] = result.pop('ResourceGroupId')
    if verbose:
        result['Owner'] = {'UserId': workspace['Creator'], 'UserKp': workspace['Creator'],
                           'UserName': 'emulator-user', 'DisplayName': 'emulator-user'}
    return result


def as_env_types(value):
    if value is None or value == []:
        raise missing_parameter('EnvTypes')
    env_types = as_str_list(value, 'EnvTypes')
    for canonical in ENV_TYPES:
        if sorted(env_types) == canonical:
            return list(canonical)
    raise invalid_parameter('EnvTypes', 'must be ["prod"] (simple mode) or ["dev", "prod"] (standard mode)')


def create_workspace(call):
    body = call.body
    name = as_str(body.get('WorkspaceName'), 'WorkspaceName', required=True)
    if not WORKSPACE_NAME.match(name):
        raise invalid_parameter('WorkspaceName', 'must be 3 to 23 characters long, contain only letters, digits '
                                                 'and underscores (_), and start with a letter')
    description = as_str(body.get('Description'), 'Description', required=True, max_len=DESCRIPTION_MAX_LENGTH)
    env_types = as_env_types(body.get('EnvTypes'))
    display_name = as_str(body.get('DisplayName'), 'DisplayName')
    group = as_resource_group(body.get('ResourceGroupId'), 'ResourceGroupId')
    state = call.state
    if name_taken(state, name):
        raise workspace_exists()
    workspace_id = add_workspace(state, {
        'WorkspaceName': name, 'Description': description, 'EnvTypes': env_types, 'DisplayName': display_name,
        'ResourceGroupId': group}, creator=call.account)
    seconds, final_status, dummy = TRANSITIONS[state.behaviour('workspace_transitions')]
    if seconds:
        workspace = state.workspaces[workspace_id]
        workspace['Status'] = 'INITIALIZING'
        workspace['_transition'] = {'at': state.now() + seconds, 'status': final_status}
    call.mutated = True
    return {'WorkspaceId': workspace_id}


def get_workspace(call):
    workspace = find_workspace(call.state, call.params['WorkspaceId'])
    return render_workspace(workspace, as_bool(call.query.get('Verbose'), 'Verbose'))


def workspace_matches(workspace, query, name, ids):
    return (name.lower() in workspace['WorkspaceName'].lower()
            and (not ids or workspace['WorkspaceId'] in ids)
            and (not query.get('Status') or workspace['Status'] == query['Status'])
            and (not query.get('ResourceGroupId') or workspace['ResourceGroupId'] == query['ResourceGroupId'])
            and (not query.get('UserId') or workspace['Creator'] == query['UserId']))


def list_workspaces(call):
    query = call.query
    option = as_enum(query.get('Option'), 'Option', WORKSPACE_OPTIONS, 'GetWorkspaces')
    page_number, size = page_number_and_size(call, 20)
    sort_by = as_enum(query.get('SortBy'), 'SortBy', ('GmtCreateTime', 'GmtModifiedTime'), 'GmtCreateTime')
    order = as_enum(query.get('Order'), 'Order', ORDERS, 'ASC')
    as_bool(query.get('Verbose'), 'Verbose')
    settle(call.state)
    if option == 'GetResourceLimits':
        return {'ResourceLimits': {kind: 1 for kind in RESOURCE_LIMITS}}
    workspaces = list(call.state.workspaces.values())
    name = query.get('WorkspaceName') or ''
    if option == 'CheckWorkspaceExists':
        if not name:
            raise missing_parameter('WorkspaceName')
        matches = [w for w in workspaces if w['WorkspaceName'] == name]
    else:
        ids = as_csv(query.get('WorkspaceIds'))
        matches = [w for w in workspaces if workspace_matches(w, query, name, ids)]
    matches.sort(key=lambda w: (w[sort_by], w['_seq']), reverse=(order == 'DESC'))
    return {'Workspaces': [render_workspace(w, False, 'resourceGroupId') for w in one_page(matches, page_number, size)],
            'TotalCount': len(matches)}


def update_workspace(call):
    """Only Description and DisplayName (update_fields: replace clears an omitted one to its default)."""
    workspace = find_workspace(call.state, call.params['WorkspaceId'])
    description = as_str(call.body.get('Description'), 'Description', max_len=DESCRIPTION_MAX_LENGTH)
    display_name = as_str(call.body.get('DisplayName'), 'DisplayName')
    replace = call.state.behaviour('update_fields') == 'replace'
    if description is not None or replace:
        workspace['Description'] = description or ''
    if display_name is not None or replace:
        workspace['DisplayName'] = display_name or workspace['WorkspaceName']
    workspace['GmtModifiedTime'] = format_time(call.state.now(), millis=True)
    call.mutated = True
    return {}


def change_resource_group(call):
    body = call.body
    resource_type = as_str(body.get('ResourceType'), 'ResourceType', required=True)
    as_enum(resource_type, 'ResourceType', ('workspace',))
    resource_id = as_str(None if body.get('ResourceId') is None else str(body['ResourceId']), 'ResourceId',
                         required=True)
    group = as_resource_group(body.get('NewResourceGroupId'), 'NewResourceGroupId', required=True)
    workspace = find_workspace(call.state, resource_id)
    if workspace['ResourceGroupId'] != group:
        workspace['ResourceGroupId'] = group
        workspace['GmtModifiedTime'] = format_time(call.state.now(), millis=True)
        call.mutated = True
    return {'requestId': None}  # the lower-case key of the real answer; the server fills it in


def delete_workspace(call):
    """Deletion runs in the background (workspace_transitions); the name stays reserved until reset."""
    state = call.state
    workspace = find_workspace(state, call.params['WorkspaceId'])
    if workspace['IsDefault']:
        raise ApiError(400, 'OperationDenied.DefaultWorkspace',
                       'The workspace %s is the default workspace and cannot be deleted. Make another workspace '
                       'the default first (UpdateDefaultWorkspace).' % workspace['WorkspaceId'])
    if workspace['_gone_at'] is None:  # a second delete while one is under way changes nothing
        now = state.now()
        state.deleted_workspaces[workspace['WorkspaceId']] = {
            'WorkspaceId': workspace['WorkspaceId'], 'WorkspaceName': workspace['WorkspaceName'],
            'GmtDeleteTime': format_time(now, millis=True)}
        workspace['_gone_at'] = now + TRANSITIONS[state.behaviour('workspace_transitions')][2]
        call.mutated = True
        settle(state)
    return {}


def get_default_workspace(call):
    workspace = render_workspace(default_workspace(call.state), as_bool(call.query.get('Verbose'), 'Verbose'))
    for field in ('IsDefault', 'AdminNames', 'ExtraInfos', 'ResourceGroupId'):
        workspace.pop(field)
    workspace['Conditions'] = []
    return workspace


def update_default_workspace(call):
    value = call.body.get('WorkspaceId')
    workspace_id = as_str(None if value is None else str(value), 'WorkspaceId', required=True)
    workspace = find_workspace(call.state, workspace_id)
    if workspace['_gone_at'] is not None:
        raise invalid_parameter('WorkspaceId', 'the workspace %s is being deleted' % workspace_id)
    if workspace['Status'] != 'ENABLED':
        raise invalid_parameter('WorkspaceId', 'the workspace %s is %s; only an ENABLED workspace can be the '
                                               'default' % (workspace_id, workspace['Status']))
    if not workspace['IsDefault']:
        for other in call.state.workspaces.values():
            other['IsDefault'] = False
        workspace['IsDefault'] = True
        call.mutated = True
    return {}


ROUTES = [
    Route('POST', '/api/v1/workspaces', 'CreateWorkspace', create_workspace),
    Route('GET', '/api/v1/workspaces', 'ListWorkspaces', list_workspaces),
    Route('GET', '/api/v1/workspaces/{WorkspaceId}', 'GetWorkspace', get_workspace),
    Route('PUT', '/api/v1/workspaces/{WorkspaceId}', 'UpdateWorkspace', update_workspace),
    Route('DELETE', '/api/v1/workspaces/{WorkspaceId}', 'DeleteWorkspace', delete_workspace),
    Route('PUT', '/resourcegroups/action/changeresourcegroup', 'ChangeResourceGroup', change_resource_group),
    Route('GET', '/api/v1/defaultWorkspaces', 'GetDefaultWorkspace', get_default_workspace),
    Route('PUT', '/api/v1/defaultWorkspaces', 'UpdateDefaultWorkspace', update_default_workspace),
]
