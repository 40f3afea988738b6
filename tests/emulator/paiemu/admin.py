# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The admin endpoints under /_emulator/ (no signature, loopback clients only) and the fault types they queue."""

import copy

from paiemu import connections, model_versions, models, sts, workspaces
from paiemu.core import (
    ApiError,
    account_id_for,
    as_enum,
    as_int,
    as_str,
    as_str_list,
    check_behaviours,
    invalid_parameter,
    missing_parameter,
)

FAULT_TYPES = ('throttling', 'error', 'unavailable', 'drop', 'delay', 'apply_then_drop')
FAULT_ERRORS = {
    'throttling': (400, 'Throttling.User', 'Request was denied due to user flow control.'),
    'error': (500, 'InternalError',
              'The request processing has failed due to some unknown error, exception or failure.'),
    'unavailable': (503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.'),
}


def fault_error(fault):
    status, code, message = FAULT_ERRORS[fault['type']]
    headers = {}
    if fault['retry_after'] is not None:
        headers['x-acs-retry-after'] = str(fault['retry_after'])
    return ApiError(fault['status'] or status, fault['code'] or code, fault['message'] or message, headers)


def admin_requests(state, body, query):
    return [dict(entry) for entry in state.requests]


def admin_clear_requests(state, body, query):
    state.requests = []
    return {'cleared': True}


def admin_reset(state, body, query):
    state.reset()
    return {'reset': True}


def seed_specs(body, kind):
    specs = body.get(kind) or []
    if not isinstance(specs, list) or not all(isinstance(spec, dict) for spec in specs):
        raise invalid_parameter(kind, 'must be a list of objects')
    return specs


def seed_everything(state, body):
    created = {'workspaces': [], 'connections': [], 'models': [], 'model_versions': []}
    default_account = account_id_for(state.default_access_key_id)
    for spec in seed_specs(body, 'credentials'):
        state.add_credential(spec)
    for spec in seed_specs(body, 'workspaces'):
        created['workspaces'].append(workspaces.add_workspace(state, spec))
    for spec in seed_specs(body, 'connections'):
        creator = as_str(spec.get('Creator'), 'Creator') or default_account
        created['connections'].append(
            connections.add_connection(state, spec, creator, as_str(spec.get('ConnectionId'), 'ConnectionId')))
    for spec in seed_specs(body, 'models'):
        owner = as_str(spec.get('OwnerId'), 'OwnerId') or default_account
        model_id = models.add_model(state, spec, owner, as_str(spec.get('ModelId'), 'ModelId'))
        model = state.models[model_id]
        model['Provider'] = as_str(spec.get('Provider'), 'Provider') or None
        model['Collections'] = as_str_list(spec.get('Collections'), 'Collections')
        created['models'].append(model_id)
    for spec in seed_specs(body, 'model_versions'):
        model_id = as_str(spec.get('ModelId'), 'ModelId', required=True)
        model_versions.parent_model(state, model_id)
        owner = as_str(spec.get('OwnerId'), 'OwnerId') or default_account
        version_name = model_versions.add_version(state, model_id, spec, owner)
        created['model_versions'].append({'ModelId': model_id, 'VersionName': version_name})
    return created


def admin_seed(state, body, query):
    """All or nothing: on the first invalid entry the state is put back as it was."""
    snapshot = copy.deepcopy(state.resources())
    try:
        return seed_everything(state, body)
    except ApiError:
        state.restore(snapshot)
        raise


def admin_list_faults(state, body, query):
    return copy.deepcopy(state.faults)


def admin_add_fault(state, body, query):
    kind = as_enum(body.get('type'), 'type', FAULT_TYPES)
    if kind is None:
        raise missing_parameter('type')
    fault = {
        'action': as_str(body.get('action'), 'action') or '*',
        'count': as_int(body.get('count'), 'count', 1, 1),
        'type': kind,
        'status': as_int(body.get('status'), 'status', None, 100, 599),
        'code': as_str(body.get('code'), 'code'),
        'message': as_str(body.get('message'), 'message'),
        'seconds': body.get('seconds', 1.0),
        'retry_after': as_int(body.get('retry_after'), 'retry_after', None, 1),
    }
    if isinstance(fault['seconds'], bool) or not isinstance(fault['seconds'], (int, float)) or fault['seconds'] < 0:
        raise invalid_parameter('seconds', 'must be a non-negative number')
    state.faults.append(fault)
    return copy.deepcopy(state.faults)


def admin_clear_faults(state, body, query):
    state.faults = []
    return []


def admin_state(state, body, query):
    return state.dump(plain_secrets=query.get('secrets') == 'plain')


def admin_get_behaviours(state, body, query):
    return dict(state.behaviours)


def admin_set_behaviours(state, body, query):
    """Set some behaviours ({name: value, ...}); all or nothing. Returns the whole map."""
    try:
        changes = check_behaviours(body)
    except ValueError as exc:
        raise ApiError(400, 'InvalidParameter', str(exc)) from None
    state.behaviours.update(changes)
    return dict(state.behaviours)


def admin_get_sts(state, body, query):
    """The issued STS pairs ({AccessKeyId: record}) and the credential services' configuration."""
    return sts.admin_view(state)


def admin_set_sts(state, body, query):
    """Configure roles, OIDC providers and tokens, the instance role and the credentials URI's role."""
    return sts.admin_configure(state, body)


ADMIN_ROUTES = {
    ('GET', 'requests'): admin_requests,
    ('DELETE', 'requests'): admin_clear_requests,
    ('POST', 'reset'): admin_reset,
    ('POST', 'seed'): admin_seed,
    ('GET', 'faults'): admin_list_faults,
    ('POST', 'faults'): admin_add_fault,
    ('DELETE', 'faults'): admin_clear_faults,
    ('GET', 'state'): admin_state,
    ('GET', 'behaviours'): admin_get_behaviours,
    ('POST', 'behaviours'): admin_set_behaviours,
    ('GET', 'sts'): admin_get_sts,
    ('POST', 'sts'): admin_set_sts,
}
