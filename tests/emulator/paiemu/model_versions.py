# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Model versions: Create/Get/List/Update/DeleteModelVersion and Create/DeleteModelVersionLabels.

A version is keyed by (ModelId, VersionName) and stored in state.model_versions[ModelId][VersionName]. The
parent model's GetModel / ListModels fields (LatestVersion) and DeleteModel use the helpers at the end of the
"Store" section; this file does not depend on models.py.
"""

import copy
import json
import re

from paiemu.core import (
    ORDERS,
    ApiError,
    Route,
    as_enum,
    as_labels,
    as_object,
    as_str,
    create_labels,
    delete_labels,
    format_time,
    invalid_parameter,
    label_texts,
    model_not_found,
    one_page,
    page_number_and_size,
    public_fields,
    sort_records,
    upsert_labels,
)

VERSION_RESPONSE_FIELDS = (
    'VersionName', 'VersionDescription', 'Uri', 'FormatType', 'FrameworkType', 'SourceType', 'SourceId',
    'ApprovalStatus', 'Labels', 'Options', 'ExtraInfo', 'InferenceSpec', 'TrainingSpec', 'EvaluationSpec',
    'CompressionSpec', 'DistillationSpec', 'Metrics', 'OwnerId', 'UserId', 'GmtCreateTime', 'GmtModifiedTime',
)
VERSION_OBJECT_FIELDS = ('ExtraInfo', 'InferenceSpec', 'TrainingSpec', 'EvaluationSpec', 'CompressionSpec',
                         'DistillationSpec', 'Metrics')
# UpdateModelVersion changes only these; Uri, VersionName, FormatType and FrameworkType are create-only.
VERSION_UPDATABLE_FIELDS = ('ApprovalStatus', 'VersionDescription', 'Options', 'SourceType',
                            'SourceId') + VERSION_OBJECT_FIELDS
APPROVAL_STATUSES = ('Pending', 'Approved', 'Rejected')
SOURCE_TYPES = ('Custom', 'PAIFlow', 'TrainingService')
DEFAULT_SOURCE_TYPE = 'Custom'
VERSION_NAME_PATTERN = re.compile(r'\d+\.\d+\.\d+(_\w+)?', re.ASCII)  # ^...$ of the SDK doc, used with fullmatch
SOURCE_ID_PATTERN = re.compile(r'region=[^,=]+,workspaceId=[^,=]+,kind=(PipelineRun|ServiceJob),id=[^,=]+')
METRICS_MAX_BYTES = 8192


def model_version_not_found(version_name):
    return ApiError(404, '201900003', 'Model version not exists: %s' % version_name)


def model_version_already_exists(model_id, version_name):
    return ApiError(400, 'ModelVersionAlreadyExists',
                    'The model version %s already exists in model %s.' % (version_name, model_id))


# --------------------------------------------------------------------------------------------------
# Validation

def as_options(value):
    """Options is a JSON document sent as a string (not an object)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            json.loads(value)
            return value
        except ValueError:
            pass
    raise invalid_parameter('Options', 'must be a string that holds JSON, for example "{}"')


def as_metrics(value):
    metrics = as_object(value, 'Metrics')
    if metrics is not None:
        size = len(json.dumps(metrics, separators=(',', ':'), ensure_ascii=False).encode('utf-8'))
        if size > METRICS_MAX_BYTES:
            raise invalid_parameter('Metrics', 'must be at most %d bytes when serialised as compact JSON, not %d'
                                    % (METRICS_MAX_BYTES, size))
    return metrics


def apply_version_fields(record, body):
    """Set the updatable version fields present (and not null) in body, validating each."""
    for field in VERSION_UPDATABLE_FIELDS:
        value = body.get(field)
        if value is None:
            continue
        if field == 'ApprovalStatus':
            record[field] = as_enum(value, field, APPROVAL_STATUSES)
        elif field == 'SourceType':
            record[field] = as_enum(value, field, SOURCE_TYPES, DEFAULT_SOURCE_TYPE)
        elif field == 'Options':
            record[field] = as_options(value)
        elif field == 'Metrics':
            record[field] = as_metrics(value)
        elif field in VERSION_OBJECT_FIELDS:
            record[field] = as_object(value, field)
        else:
            record[field] = as_str(value, field)


def check_source_id(record):
    """For a PAIFlow or TrainingService source, SourceId must be region=<r>,workspaceId=<w>,kind=<k>,id=<id>."""
    source_id = record.get('SourceId')
    if record['SourceType'] in ('PAIFlow', 'TrainingService') and source_id:
        if not SOURCE_ID_PATTERN.fullmatch(source_id):
            raise invalid_parameter('SourceId', 'for the source type %s it must have the form region=<region_id>,'
                                    'workspaceId=<workspace_id>,kind=<PipelineRun|ServiceJob>,id=<id>, not "%s"'
                                    % (record['SourceType'], source_id))


# --------------------------------------------------------------------------------------------------
# Store

def parent_model(state, model_id):
    """The model a version route names; 201900002 when it does not exist."""
    model = state.models.get(model_id)
    if model is None:
        raise model_not_found(model_id)
    return model


def find_version(state, model_id, version_name):
    parent_model(state, model_id)
    version = state.model_versions.get(model_id, {}).get(version_name)
    if version is None:
        raise model_version_not_found(version_name)
    return version


def next_version_name(versions):
    """A server-assigned name: 0.1.0, 0.2.0, ... the first of these that the model does not have."""
    minor = 1
    while '0.%d.0' % minor in versions:
        minor += 1
    return '0.%d.0' % minor


def add_version(state, model_id, body, owner):
    """Validate and store a version of an existing model (API create and seed); returns its VersionName."""
    versions = state.model_versions.get(model_id, {})
    uri = as_str(body.get('Uri'), 'Uri', required=True)
    name = as_str(body.get('VersionName'), 'VersionName')
    if name:
        if not VERSION_NAME_PATTERN.fullmatch(name):
            raise invalid_parameter('VersionName', 'must match ^\\d+\\.\\d+\\.\\d+(_\\w+)?$ '
                                    '(for example 1.0.0 or 2.3.4_beta), not "%s"' % name)
        if name in versions:
            raise model_version_already_exists(model_id, name)
    else:
        name = next_version_name(versions)
    labels = as_labels(body.get('Labels'), 'Labels') or []
    stamp = format_time(state.now(), millis=True)
    record = {
        'ModelId': model_id,  # not returned by the API: Get/List answer without it
        'VersionName': name,
        'Uri': uri,
        'FormatType': as_str(body.get('FormatType'), 'FormatType'),  # not an enum: "PyTorch" and "Pytorch" pass
        'FrameworkType': as_str(body.get('FrameworkType'), 'FrameworkType'),
        'SourceType': DEFAULT_SOURCE_TYPE,
        'Labels': upsert_labels([], labels),
        'OwnerId': owner,
        'UserId': owner,
        'GmtCreateTime': stamp,
        'GmtModifiedTime': stamp,
    }
    apply_version_fields(record, body)
    check_source_id(record)
    record['_seq'] = state.next_seq()
    state.model_versions.setdefault(model_id, {})[name] = record
    return name


def count_versions(state, model_id):
    return len(state.model_versions.get(model_id, {}))


def delete_versions(state, model_id):
    """DeleteModel with model_delete_with_versions=cascade: the model's versions go with it."""
    state.model_versions.pop(model_id, None)


def latest_version(state, model_id):
    """The model's newest created version, or None."""
    versions = list(state.model_versions.get(model_id, {}).values())
    return sort_records(versions, 'DESC')[0] if versions else None


def render_version(version):
    return {field: copy.deepcopy(version[field]) for field in VERSION_RESPONSE_FIELDS if version.get(field) is not None}


def dump(state):
    return [public_fields(v) for versions in state.model_versions.values() for v in versions.values()]


# --------------------------------------------------------------------------------------------------
# Actions

def create_model_version(call):
    model_id = parent_model(call.state, call.params['ModelId'])['ModelId']
    name = add_version(call.state, model_id, call.body, call.account)
    call.mutated = True
    return {'VersionName': name}


def get_model_version(call):
    return render_version(find_version(call.state, call.params['ModelId'], call.params['VersionName']))


def version_matches(version, query):
    name = (query.get('VersionName') or '').lower()
    if name and name not in version['VersionName'].lower():
        return False
    for field in ('ApprovalStatus', 'FormatType', 'FrameworkType', 'SourceType', 'SourceId'):
        if query.get(field) and version.get(field) != query[field]:
            return False
    label = (query.get('Label') or '').lower()
    return not label or any(label in text for text in label_texts(version))


def list_model_versions(call):
    query = call.query
    model_id = parent_model(call.state, call.params['ModelId'])['ModelId']
    page_number, size = page_number_and_size(call, 10)
    as_enum(query.get('SortBy'), 'SortBy', ('GmtCreateTime',))
    order = as_enum(query.get('Order'), 'Order', ORDERS, 'ASC')
    as_enum(query.get('ApprovalStatus'), 'ApprovalStatus', APPROVAL_STATUSES)
    as_enum(query.get('SourceType'), 'SourceType', SOURCE_TYPES)
    versions = call.state.model_versions.get(model_id, {}).values()
    matches = sort_records([v for v in versions if version_matches(v, query)], order)
    return {'Versions': [render_version(v) for v in one_page(matches, page_number, size)], 'TotalCount': len(matches)}


def update_model_version(call):
    version = find_version(call.state, call.params['ModelId'], call.params['VersionName'])
    updated = dict(version)
    if call.state.behaviour('update_fields') == 'replace':
        for field in VERSION_UPDATABLE_FIELDS:
            updated.pop(field, None)
        updated['SourceType'] = DEFAULT_SOURCE_TYPE
    apply_version_fields(updated, call.body)
    check_source_id(updated)
    updated['GmtModifiedTime'] = format_time(call.state.now(), millis=True)
    version.clear()
    version.update(updated)
    call.mutated = True
    return {}


def delete_model_version(call):
    model_id, name = call.params['ModelId'], call.params['VersionName']
    find_version(call.state, model_id, name)
    versions = call.state.model_versions[model_id]
    del versions[name]
    if not versions:
        del call.state.model_versions[model_id]
    call.mutated = True
    return {}


def create_model_version_labels(call):
    model_id, name = call.params['ModelId'], call.params['VersionName']
    version = find_version(call.state, model_id, name)
    create_labels(call, version, 'The model version %s of model %s' % (name, model_id))
    version['GmtModifiedTime'] = format_time(call.state.now(), millis=True)
    call.mutated = True
    return {}


def delete_model_version_labels(call):
    version = find_version(call.state, call.params['ModelId'], call.params['VersionName'])
    if delete_labels(call, version):
        version['GmtModifiedTime'] = format_time(call.state.now(), millis=True)
        call.mutated = True
    return {}


ROUTES = [
    Route('POST', '/api/v1/models/{ModelId}/versions', 'CreateModelVersion', create_model_version),
    Route('GET', '/api/v1/models/{ModelId}/versions', 'ListModelVersions', list_model_versions),
    Route('GET', '/api/v1/models/{ModelId}/versions/{VersionName}', 'GetModelVersion', get_model_version),
    Route('PUT', '/api/v1/models/{ModelId}/versions/{VersionName}', 'UpdateModelVersion', update_model_version),
    Route('DELETE', '/api/v1/models/{ModelId}/versions/{VersionName}', 'DeleteModelVersion', delete_model_version),
    Route('POST', '/api/v1/models/{ModelId}/versions/{VersionName}/labels', 'CreateModelVersionLabels',
          create_model_version_labels),
    Route('DELETE', '/api/v1/models/{ModelId}/versions/{VersionName}/labels', 'DeleteModelVersionLabels',
          delete_model_version_labels),
]
