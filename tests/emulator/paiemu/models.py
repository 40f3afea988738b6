# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Models: Create/Get/Update/Delete/ListModels and Create/DeleteModelLabels (versions: model_versions.py)."""

import copy

from paiemu import model_versions, workspaces
from paiemu.core import (
    ACCESSIBILITIES,
    ORDERS,
    ApiError,
    Route,
    as_csv,
    as_enum,
    as_int,
    as_json_list,
    as_labels,
    as_object,
    as_str,
    create_labels,
    delete_labels,
    format_time,
    invalid_parameter,
    label_texts,
    missing_parameter,
    model_not_found,
    one_page,
    page_number_and_size,
    public_fields,
    sort_records,
    upsert_labels,
)

CONDITION_COLUMNS = ('ParameterSize', 'OrderNumber')
CONDITION_OPERATORS = {
    'LessThan': lambda a, b: a < b,
    'LessThanOrEqual': lambda a, b: a <= b,
    'GreaterThan': lambda a, b: a > b,
    'GreaterThanOrEqual': lambda a, b: a >= b,
    'Equal': lambda a, b: a == b,
    'NotEqual': lambda a, b: a != b,
}
MODEL_STRING_FIELDS = ('ModelDescription', 'ModelDoc', 'ModelType', 'Origin', 'Domain', 'Task')
MODEL_INT_FIELDS = ('OrderNumber', 'ParameterSize')
MODEL_UPDATABLE_FIELDS = ('ModelName', 'Accessibility', 'ExtraInfo') + MODEL_STRING_FIELDS + MODEL_INT_FIELDS
MODEL_RESPONSE_FIELDS = (
    'ModelId', 'ModelName', 'WorkspaceId', 'Accessibility', 'ModelDescription', 'ModelDoc', 'ModelType',
    'Origin', 'Domain', 'Task', 'OrderNumber', 'ParameterSize', 'Provider', 'ExtraInfo', 'Labels',
    'OwnerId', 'UserId', 'GmtCreateTime', 'GmtModifiedTime',
)


# --------------------------------------------------------------------------------------------------
# Validation and store

def apply_model_fields(model, body):
    """Set the updatable model fields present (and not null) in body, validating each."""
    for field in MODEL_UPDATABLE_FIELDS:
        value = body.get(field)
        if value is None:
            continue
        if field == 'ModelName':
            model[field] = as_str(value, field, required=True, max_len=127)
        elif field == 'Accessibility':
            model[field] = as_enum(value, field, ACCESSIBILITIES)
        elif field == 'ExtraInfo':
            model[field] = as_object(value, field)
        elif field in MODEL_INT_FIELDS:
            model[field] = as_int(value, field)
        else:
            model[field] = as_str(value, field)


def find_model(state, model_id):
    model = state.models.get(model_id)
    if model is None:
        raise model_not_found(model_id)
    return model


def add_model(state, body, owner, model_id=None, unique_name=False):
    """Validate and store a model; unique_name applies the duplicate_names behaviour (API creates)."""
    as_str(body.get('ModelName'), 'ModelName', required=True)
    labels = as_labels(body.get('Labels'), 'Labels') or []
    tags = as_labels(body.get('Tag'), 'Tag') or []
    if model_id is None:
        model_id = state.new_id('model-', state.models)
    elif model_id in state.models:
        raise invalid_parameter('ModelId', 'model %s already exists' % model_id)
    stamp = format_time(state.now(), millis=True)
    model = {
        'ModelId': model_id,
        'WorkspaceId': workspaces.workspace_id_or_default(state, body.get('WorkspaceId')),
        'Accessibility': 'PRIVATE',
        'Labels': upsert_labels([], labels),
        'Tags': upsert_labels([], tags),
        'Provider': None,
        'Collections': [],
        'OwnerId': owner,
        'UserId': owner,
        'GmtCreateTime': stamp,
        'GmtModifiedTime': stamp,
    }
    apply_model_fields(model, body)
    if unique_name:
        state.check_unique_name('model', state.models, 'ModelName', model)
    model['_seq'] = state.next_seq()
    state.models[model_id] = model
    return model_id


def dump(state):
    return [public_fields(m) for m in state.models.values()]


# --------------------------------------------------------------------------------------------------
# Actions

def render_model(state, model, with_tags):
    """GetModel (with_tags=False) or a ListModels item; LatestVersion only when the model has versions."""
    result = {field: copy.deepcopy(model[field]) for field in MODEL_RESPONSE_FIELDS if model.get(field) is not None}
    latest = model_versions.latest_version(state, model['ModelId'])
    if latest is not None:
        result['LatestVersion'] = model_versions.render_version(latest)
        result['GmtLatestVersionModifiedTime'] = latest['GmtModifiedTime']
    if with_tags:
        result['Tags'] = copy.deepcopy(model['Tags'])
    return result


def create_model(call):
    if call.state.behaviour('model_workspace') == 'required' and call.body.get('WorkspaceId') in (None, ''):
        raise missing_parameter('WorkspaceId')
    model_id = add_model(call.state, call.body, call.account, unique_name=True)
    call.mutated = True
    return {'ModelId': model_id}


def get_model(call):
    return render_model(call.state, find_model(call.state, call.params['ModelId']), with_tags=False)


def update_model(call):
    model = find_model(call.state, call.params['ModelId'])
    updated = dict(model)
    if call.state.behaviour('update_fields') == 'replace':
        if call.body.get('ModelName') is None:
            raise missing_parameter('ModelName')
        for field in MODEL_STRING_FIELDS + MODEL_INT_FIELDS + ('ExtraInfo',):
            updated.pop(field, None)
        updated['Accessibility'] = 'PRIVATE'
    apply_model_fields(updated, call.body)
    if updated['ModelName'] != model['ModelName']:
        call.state.check_unique_name('model', call.state.models, 'ModelName', updated)
    updated['GmtModifiedTime'] = format_time(call.state.now(), millis=True)
    model.clear()
    model.update(updated)
    call.mutated = True
    return {}


def delete_model(call):
    """Its versions are deleted too (model_delete_with_versions=cascade) or keep the model alive (refuse)."""
    model_id = find_model(call.state, call.params['ModelId'])['ModelId']
    remaining = model_versions.count_versions(call.state, model_id)
    if remaining and call.state.behaviour('model_delete_with_versions') == 'refuse':
        raise ApiError(400, 'ModelHasVersions', 'The model %s still has %d version(s); delete them first.'
                       % (model_id, remaining))
    model_versions.delete_versions(call.state, model_id)
    del call.state.models[model_id]
    call.mutated = True
    return {}


def create_model_labels(call):
    model = find_model(call.state, call.params['ModelId'])
    create_labels(call, model, 'The model %s' % model['ModelId'])
    model['GmtModifiedTime'] = format_time(call.state.now(), millis=True)
    call.mutated = True
    return {}


def delete_model_labels(call):
    model = find_model(call.state, call.params['ModelId'])
    if delete_labels(call, model):
        model['GmtModifiedTime'] = format_time(call.state.now(), millis=True)
        call.mutated = True
    return {}


def parse_conditions(value):
    """ListModels Conditions -> [(column, comparison, integer value)]."""
    conditions = []
    for index, condition in enumerate(as_json_list(value, 'Conditions'), 1):
        name = 'Conditions.%d' % index
        for field in ('Column', 'Operator', 'Value'):
            if condition.get(field) in (None, ''):
                raise missing_parameter('%s.%s' % (name, field))
        column = as_enum(condition['Column'], name + '.Column', CONDITION_COLUMNS)
        operator = as_enum(condition['Operator'], name + '.Operator', tuple(CONDITION_OPERATORS))
        conditions.append((column, CONDITION_OPERATORS[operator], as_int(condition['Value'], name + '.Value')))
    return conditions


def model_matches(model, query, tags, conditions):
    provider = query.get('Provider') or None
    if model.get('Provider') != provider:
        return False
    if not provider and query.get('WorkspaceId') and model['WorkspaceId'] != query['WorkspaceId']:
        return False
    labels = label_texts(model)
    name = (query.get('ModelName') or '').lower()
    if name and name not in model['ModelName'].lower():
        return False
    text = (query.get('Query') or '').lower()
    searchable = [model['ModelName'].lower(), (model.get('Domain') or '').lower(),
                  (model.get('Task') or '').lower()] + labels
    if text and not any(text in item for item in searchable):
        return False
    label = (query.get('Label') or '').lower()
    if label and not any(label in item for item in labels):
        return False
    for field in ('ModelType', 'Origin', 'Domain', 'Task'):
        if query.get(field) and model.get(field) != query[field]:
            return False
    if any({'Key': t.get('Key'), 'Value': t.get('Value')} not in model['Tags'] for t in tags):
        return False
    collections = as_csv(query.get('Collections'))
    if collections and not set(collections) & set(model['Collections']):
        return False
    return all(model.get(column) is not None and compare(model[column], value)
               for column, compare, value in conditions)


def list_models(call):
    query = call.query
    if query.get('WorkspaceId'):
        workspaces.find_workspace(call.state, query['WorkspaceId'])
    page_number, size = page_number_and_size(call, 10)
    as_enum(query.get('SortBy'), 'SortBy', ('GmtCreateTime',))
    order = as_enum(query.get('Order'), 'Order', ORDERS, 'ASC')
    tags = as_json_list(query.get('Tag'), 'Tag')
    conditions = parse_conditions(query.get('Conditions'))
    matches = sort_records([m for m in call.state.models.values() if model_matches(m, query, tags, conditions)],
                           order)
    return {'Models': [render_model(call.state, m, with_tags=True) for m in one_page(matches, page_number, size)],
            'TotalCount': len(matches)}


ROUTES = [
    Route('POST', '/api/v1/models', 'CreateModel', create_model),
    Route('GET', '/api/v1/models', 'ListModels', list_models),
    Route('GET', '/api/v1/models/{ModelId}', 'GetModel', get_model),
    Route('PUT', '/api/v1/models/{ModelId}', 'UpdateModel', update_model),
    Route('DELETE', '/api/v1/models/{ModelId}', 'DeleteModel', delete_model),
    Route('POST', '/api/v1/models/{ModelId}/labels', 'CreateModelLabels', create_model_labels),
    Route('DELETE', '/api/v1/models/{ModelId}/labels', 'DeleteModelLabels', delete_model_labels),
]
