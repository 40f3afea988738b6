# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Connections: Create/Get/Update/Delete/List/ValidateConnection."""

import base64
import copy
import os

from paiemu import workspaces
from paiemu.core import (
    ACCESSIBILITIES,
    ORDERS,
    SECRET_MASK,
    ApiError,
    Route,
    as_bool,
    as_csv,
    as_enum,
    as_int,
    as_object,
    as_str,
    as_str_map,
    format_time,
    invalid_parameter,
    missing_parameter,
    page_size,
    public_fields,
    sort_records,
)

CONNECTION_TYPES = (
    'DashScopeConnection', 'OpenLLMConnection', 'MilvusConnection', 'OpenSearchConnection',
    'LindormConnection', 'ElasticsearchConnection', 'HologresConnection', 'RDSConnection',
    'CustomConnection', 'DeepSeekConnection', 'FunctionAIMCPConnection', 'CustomMCPConnection',
)
DEFAULT_CONNECTION_TYPE = 'CustomConnection'
VALIDATABLE_CONNECTION_TYPES = (
    'DashScopeConnection', 'DeepSeekConnection', 'FunctionAIMCPConnection', 'CustomMCPConnection',
)
VALIDATE_TYPES = ('Connectivity',)
CONNECTION_MODEL_TYPES = ('LLM', 'Embedding', 'ReRank')
ENCRYPT_OPTIONS = ('PlainText', 'Secret')
CONNECTION_RESPONSE_FIELDS = (
    'ConnectionId', 'ConnectionName', 'ConnectionType', 'WorkspaceId', 'Accessibility', 'Description',
    'Creator', 'GmtCreateTime', 'GmtModifiedTime', 'Configs', 'ResourceMeta',
)
CONNECTION_MODEL_FIELDS = ('DisplayName', 'Model', 'ModelType', 'ToolCall')
CONNECTION_MODEL_CAPABILITIES = {
    'MaxModelLength': int, 'SupportReasoning': bool, 'SupportResponseSchema': bool, 'SupportVision': bool,
}


def connection_not_found(connection_id):
    return ApiError(404, 'RequestFailedErrorProblem', 'The connection does not exist: %s' % connection_id)


# --------------------------------------------------------------------------------------------------
# Validation and store

def as_connection_models(value, with_capabilities):
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid_parameter('Models', 'must be an array of objects')
    models = []
    for index, item in enumerate(value, 1):
        name = 'Models.%d' % index
        if not isinstance(item, dict):
            raise invalid_parameter(name, 'must be an object')
        model = {}
        for field in ('DisplayName', 'Model'):
            if as_str(item.get(field), '%s.%s' % (name, field)) is not None:
                model[field] = item[field]
        model_type = as_enum(item.get('ModelType'), name + '.ModelType', CONNECTION_MODEL_TYPES)
        if model_type is not None:
            model['ModelType'] = model_type
        tool_call = item.get('ToolCall')
        if tool_call is not None and not isinstance(tool_call, bool):
            raise invalid_parameter(name + '.ToolCall', 'must be a boolean')
        model['ToolCall'] = bool(tool_call)
        if with_capabilities:
            for field, kind in CONNECTION_MODEL_CAPABILITIES.items():
                flag = item.get(field)
                if flag is None:
                    continue
                if kind is bool and not isinstance(flag, bool):
                    raise invalid_parameter('%s.%s' % (name, field), 'must be a boolean')
                model[field] = flag if kind is bool else as_int(flag, '%s.%s' % (name, field), low=0)
        models.append(model)
    return models


def as_resource_meta(value):
    meta = as_object(value, 'ResourceMeta')
    if not meta:
        return None
    result = {}
    for field in ('InstanceId', 'InstanceName', 'Extra'):
        if as_str(meta.get(field), 'ResourceMeta.' + field):
            result[field] = meta[field]
    return result or None


def find_connection(state, connection_id):
    conn = state.connections.get(connection_id)
    if conn is None:
        raise connection_not_found(connection_id)
    return conn


def add_connection(state, body, creator, connection_id=None, unique_name=False):
    """Validate and store a connection; unique_name applies the duplicate_names behaviour (API creates)."""
    name = as_str(body.get('ConnectionName'), 'ConnectionName', required=True)
    configs = as_str_map(body.get('Configs'), 'Configs', required=True)
    if connection_id is None:
        connection_id = state.new_id('conn-', state.connections)
    elif connection_id in state.connections:
        raise invalid_parameter('ConnectionId', 'connection %s already exists' % connection_id)
    stamp = format_time(state.now(), millis=False)
    record = {
        'ConnectionId': connection_id,
        'ConnectionName': name,
        'ConnectionType': as_enum(body.get('ConnectionType'), 'ConnectionType', CONNECTION_TYPES,
                                  DEFAULT_CONNECTION_TYPE),
        'WorkspaceId': workspaces.workspace_id_or_default(state, body.get('WorkspaceId')),
        'Accessibility': as_enum(body.get('Accessibility'), 'Accessibility', ACCESSIBILITIES, 'PRIVATE'),
        'Description': as_str(body.get('Description'), 'Description') or '',
        'Creator': creator,
        'GmtCreateTime': stamp,
        'GmtModifiedTime': stamp,
        'Configs': configs,
        'Secrets': as_str_map(body.get('Secrets'), 'Secrets') or {},
        'ResourceMeta': as_resource_meta(body.get('ResourceMeta')),
        'Models': as_connection_models(body.get('Models'), with_capabilities=True) or [],
    }
    if unique_name:
        state.check_unique_name('connection', state.connections, 'ConnectionName', record)
    record['_seq'] = state.next_seq()
    state.connections[connection_id] = record
    return connection_id


def dump(state, plain_secrets):
    connections = []
    for conn in state.connections.values():
        item = public_fields(conn)
        if not plain_secrets:
            item['Secrets'] = {k: SECRET_MASK for k in item['Secrets']}
        connections.append(item)
    return connections


# --------------------------------------------------------------------------------------------------
# Actions

def render_secrets(secrets, encrypt_option):
    if encrypt_option == 'PlainText':
        return dict(secrets)
    if encrypt_option == 'Secret':
        return {key: 'KMS-ENC:' + base64.b64encode(os.urandom(24)).decode('ascii') for key in secrets}
    return {key: SECRET_MASK for key in secrets}


def render_connection_model(model):
    """Every stored field of a connection's model: the SDK's four first, then the capabilities that are set."""
    ordered = [k for k in CONNECTION_MODEL_FIELDS + tuple(CONNECTION_MODEL_CAPABILITIES) if k in model]
    return {k: copy.deepcopy(model[k]) for k in ordered + [k for k in model if k not in ordered]}


def render_connection(conn, encrypt_option):
    result = {field: copy.deepcopy(conn[field]) for field in CONNECTION_RESPONSE_FIELDS if conn[field] is not None}
    result['Secrets'] = render_secrets(conn['Secrets'], encrypt_option)
    result['Models'] = [render_connection_model(m) for m in conn['Models']]
    return result


def encrypt_option(call):
    """EncryptOption of a read; with plain_text=ignored, PlainText counts as no option (masked secrets)."""
    option = as_enum(call.query.get('EncryptOption'), 'EncryptOption', ENCRYPT_OPTIONS)
    if option == 'PlainText' and call.state.behaviour('plain_text') == 'ignored':
        return None
    return option


def create_connection(call):
    connection_id = add_connection(call.state, call.body, call.account, unique_name=True)
    call.mutated = True
    return {'ConnectionId': connection_id}


def get_connection(call):
    option = encrypt_option(call)
    return render_connection(find_connection(call.state, call.params['ConnectionId']), option)


def update_connection(call):
    conn = find_connection(call.state, call.params['ConnectionId'])
    body = call.body
    changes = {
        'Configs': as_str_map(body.get('Configs'), 'Configs'),
        'Secrets': as_str_map(body.get('Secrets'), 'Secrets'),
        'Description': as_str(body.get('Description'), 'Description'),
        'Models': as_connection_models(body.get('Models'), with_capabilities=True),
    }
    if call.state.behaviour('update_fields') == 'replace':
        cleared = {'Configs': {}, 'Secrets': {}, 'Description': '', 'Models': []}
        conn.update({field: cleared[field] if value is None else value for field, value in changes.items()})
    else:
        conn.update({field: value for field, value in changes.items() if value is not None})
    conn['GmtModifiedTime'] = format_time(call.state.now(), millis=False)
    call.mutated = True
    return {}


def delete_connection(call):
    find_connection(call.state, call.params['ConnectionId'])
    del call.state.connections[call.params['ConnectionId']]
    call.mutated = True
    return {}


def connection_matches(conn, query):
    name = query.get('ConnectionName')
    if name and name.lower() not in conn['ConnectionName'].lower():
        return False
    for field, param in (('ConnectionId', 'ConnectionIds'), ('ConnectionType', 'ConnectionTypes')):
        wanted = as_csv(query.get(param))
        if wanted and conn[field] not in wanted:
            return False
    for field in ('WorkspaceId', 'Accessibility', 'Creator'):
        if query.get(field) and conn[field] != query[field]:
            return False
    # Model-level filters must all hold for one and the same model of the connection.
    model_types = as_csv(query.get('ModelTypes'))
    model_name = query.get('Model')
    tool_call = as_bool(query.get('ToolCall'), 'ToolCall')
    if not model_types and not model_name and tool_call is None:
        return True
    return any((not model_types or m.get('ModelType') in model_types)
               and (not model_name or m.get('Model') == model_name)
               and (tool_call is None or m['ToolCall'] == tool_call)
               for m in conn['Models'])


def list_connections(call):
    query = call.query
    if query.get('WorkspaceId'):
        workspaces.find_workspace(call.state, query['WorkspaceId'])
    max_results = page_size(call, 'MaxResults', 10)
    offset = as_int(query.get('NextToken'), 'NextToken', 0, 0)
    as_enum(query.get('SortBy'), 'SortBy', ('GmtCreateTime',))
    order = as_enum(query.get('Order'), 'Order', ORDERS, 'DESC')
    option = encrypt_option(call)
    as_enum(query.get('Accessibility'), 'Accessibility', ACCESSIBILITIES)
    as_bool(query.get('ToolCall'), 'ToolCall')
    for model_type in as_csv(query.get('ModelTypes')):
        as_enum(model_type, 'ModelTypes', CONNECTION_MODEL_TYPES)
    matches = sort_records([c for c in call.state.connections.values() if connection_matches(c, query)], order)
    result = {
        'Connections': [render_connection(c, option) for c in matches[offset:offset + max_results]],
        'MaxResults': max_results,
        'TotalCount': len(matches),
    }
    if offset + max_results < len(matches):
        result['NextToken'] = str(offset + max_results)
    return result


def validate_connection(call):
    body = call.body
    if body.get('WorkspaceId') in (None, ''):
        raise missing_parameter('WorkspaceId')
    workspace_id = workspaces.workspace_id_or_default(call.state, body['WorkspaceId'])
    as_enum(body.get('ValidateType'), 'ValidateType', VALIDATE_TYPES)
    configs = as_str_map(body.get('Configs'), 'Configs') or {}
    secrets = as_str_map(body.get('Secrets'), 'Secrets') or {}
    connection_type = as_str(body.get('ConnectionType'), 'ConnectionType')
    connection_id = as_str(body.get('ConnectionId'), 'ConnectionId')
    if connection_id:
        stored = find_connection(call.state, connection_id)
        configs = dict(stored['Configs'], **configs)
        secrets = dict(stored['Secrets'], **secrets)
        connection_type = connection_type or stored['ConnectionType']
    if not connection_type:
        raise missing_parameter('ConnectionType')
    as_enum(connection_type, 'ConnectionType', VALIDATABLE_CONNECTION_TYPES)
    base_url = configs.get('base_url')
    details = {'ConnectionType': connection_type, 'WorkspaceId': workspace_id, 'ValidateType': 'Connectivity'}
    if not base_url:
        failure = 'The Configs have no base_url.'
    elif 'unreachable' in base_url:
        failure = 'Could not connect to %s.' % base_url
    elif any(value == '' for value in secrets.values()):
        failure = 'Empty secret values: %s.' % ', '.join(sorted(k for k, v in secrets.items() if v == ''))
    else:
        details['BaseUrl'] = base_url
        return {'Status': 'success', 'Code': '', 'Message': '', 'Details': details}
    return {'Status': 'failed', 'Code': 'ConnectivityCheckFailed', 'Message': failure, 'Details': details}


ROUTES = [
    Route('POST', '/api/v1/connections/validate', 'ValidateConnection', validate_connection),
    Route('POST', '/api/v1/connections', 'CreateConnection', create_connection),
    Route('GET', '/api/v1/connections', 'ListConnections', list_connections),
    Route('GET', '/api/v1/connections/{ConnectionId}', 'GetConnection', get_connection),
    Route('PUT', '/api/v1/connections/{ConnectionId}', 'UpdateConnection', update_connection),
    Route('DELETE', '/api/v1/connections/{ConnectionId}', 'DeleteConnection', delete_connection),
]
