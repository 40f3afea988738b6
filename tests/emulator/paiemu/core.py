# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every resource of the emulator shares: constants, errors, behaviour switches, parameter validation,
labels, paging, and the Call and Route classes the resource files use to declare their actions."""

import argparse
import copy
import datetime
import hashlib
import json
import string
import traceback

PRODUCT = 'AIWorkSpace'
DEFAULT_ACCESS_KEY_ID = 'emulator-access-key-id'
DEFAULT_ACCESS_KEY_SECRET = 'emulator-access-key-secret'
DEFAULT_WORKSPACE_ID = '10001'
DEFAULT_WORKSPACE_NAME = 'ansible_demo'
TIME_WINDOW_SECONDS = 15 * 60
SECRET_MASK = '******'
LOG_SECRET_MASK = '***'
# Query (and form) parameters whose values the request log never shows.
LOG_MASKED_PARAMETERS = ('Signature', 'SecurityToken', 'OIDCToken')
ID_ALPHABET = string.ascii_lowercase + string.digits
ACCESSIBILITIES = ('PUBLIC', 'PRIVATE')
ORDERS = ('ASC', 'DESC')
# Switches for service behaviours the API reference leaves open: name -> allowed values, the default first.
BEHAVIOURS = {
    'update_fields': ('merge', 'replace'),
    'model_labels_create': ('upsert', 'replace', 'reject_existing'),
    'plain_text': ('honoured', 'ignored'),
    'page_size': ('max100', 'capped50', 'reject_above50'),
    'duplicate_names': ('allowed', 'rejected'),
    'model_workspace': ('default', 'required'),
    'model_delete_with_versions': ('cascade', 'refuse'),
    'workspace_transitions': ('instant', 'slow', 'failing'),
    # Test knobs of the credential services (paiemu/sts.py, paiemu/metadata.py), not PAI behaviours.
    'sts_assume_role': ('allowed', 'denied'),
    'sts_duration': ('normal', 'expired'),
    'ecs_metadata': ('v2', 'v2_required', 'v1_only', 'unreachable'),
}
DEFAULT_BEHAVIOURS = {name: values[0] for name, values in BEHAVIOURS.items()}
PAGE_SIZE_LIMIT = 100  # page_size=max100
SMALL_PAGE_SIZE_LIMIT = 50  # page_size=capped50 and reject_above50


# --------------------------------------------------------------------------------------------------
# Errors and small helpers

class ApiError(Exception):
    """An API error answered as {RequestId, HostId, Code, Message, Recommend}."""

    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class DropConnection(Exception):
    """Close the TCP connection without writing a response."""


class Reply:
    """An answer that is not JSON in the API's shape (instance metadata): status, body text, content type."""

    def __init__(self, status, text, content_type='text/plain;charset=utf-8'):
        self.status = status
        self.data = text.encode('utf-8')
        self.content_type = content_type


def missing_parameter(name):
    return ApiError(400, 'MissingParameter',
                    'The input parameter "%s" that is mandatory for processing this request is not supplied.' % name)


def invalid_parameter(name, detail):
    return ApiError(400, 'InvalidParameter', 'The parameter "%s" is invalid: %s' % (name, detail))


def name_already_exists(kind, name, workspace_id):
    return ApiError(400, 'NameAlreadyExists',
                    "A %s named '%s' already exists in workspace %s." % (kind, name, workspace_id))


def model_not_found(model_id):
    """Unknown model: on the model routes and on every model version route."""
    return ApiError(404, '201900002', 'Model not exists: %s' % model_id)


def internal_error(exc):
    traceback.print_exc()
    return ApiError(500, 'InternalError', 'The emulator failed unexpectedly: %r' % exc)


def format_time(ts, millis):
    moment = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    if millis:
        return moment.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (moment.microsecond // 1000)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def account_id_for(access_key_id):
    """A stable 16-digit account id per access key id (used as Creator/OwnerId/UserId)."""
    digest = int(hashlib.sha256(access_key_id.encode('utf-8')).hexdigest(), 16)
    return str(1000000000000000 + digest % 9000000000000000)


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def public_fields(record):
    """A deep copy of a stored record without its internal keys (those starting with '_')."""
    return {key: copy.deepcopy(value) for key, value in record.items() if not key.startswith('_')}


def mask_query_for_log(query):
    """A copy of a query (or form) map with the values of LOG_MASKED_PARAMETERS shown as "***"."""
    return {key: LOG_SECRET_MASK if key in LOG_MASKED_PARAMETERS else value for key, value in query.items()}


def mask_secrets_for_log(value):
    """Replace every value under a "Secrets" key by "***" (recursively)."""
    if isinstance(value, dict):
        masked = {}
        for key, item in value.items():
            if key == 'Secrets':
                masked[key] = ({k: LOG_SECRET_MASK for k in item} if isinstance(item, dict) else LOG_SECRET_MASK)
            else:
                masked[key] = mask_secrets_for_log(item)
        return masked
    if isinstance(value, list):
        return [mask_secrets_for_log(item) for item in value]
    return value


# --------------------------------------------------------------------------------------------------
# Behaviour switches

def known_behaviours():
    """'update_fields (merge, replace), ...': every behaviour with its values, the default first."""
    return ', '.join('%s (%s)' % (name, ', '.join(values)) for name, values in BEHAVIOURS.items())


def behaviour_problem(name, value):
    """None when NAME=VALUE is a known behaviour and one of its values, else a message saying what is allowed."""
    if name not in BEHAVIOURS:
        return 'Unknown behaviour "%s". Known behaviours: %s.' % (name, known_behaviours())
    if not isinstance(value, str) or value not in BEHAVIOURS[name]:
        return 'The behaviour "%s" does not accept the value %s. Allowed values: %s.' % (
            name, json.dumps(value), ', '.join(BEHAVIOURS[name]))
    return None


def check_behaviours(values):
    """Validate a {name: value} map as a whole; return a copy or raise ValueError naming what is allowed."""
    if not isinstance(values, dict):
        raise ValueError('The behaviours must be a JSON object of {name: value}. Known behaviours: %s.'
                         % known_behaviours())
    for name, value in values.items():
        problem = behaviour_problem(name, value)
        if problem:
            raise ValueError(problem)
    return dict(values)


def parse_behaviour_flag(text):
    """argparse type of --behaviour NAME=VALUE; returns (name, value)."""
    name, sep, value = text.partition('=')
    name, value = name.strip(), value.strip()
    if not sep or not name:
        raise argparse.ArgumentTypeError('expected NAME=VALUE, got "%s". Known behaviours: %s.'
                                         % (text, known_behaviours()))
    problem = behaviour_problem(name, value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return name, value


# --------------------------------------------------------------------------------------------------
# Parameter validation (body values and query strings)

def as_str(value, name, required=False, max_len=None):
    if value is None or (required and value == ''):
        if required:
            raise missing_parameter(name)
        return None
    if not isinstance(value, str):
        raise invalid_parameter(name, 'must be a string')
    if max_len is not None and len(value) > max_len:
        raise invalid_parameter(name, 'must be at most %d characters long' % max_len)
    return value


def as_enum(value, name, allowed, default=None):
    if value is None or value == '':
        return default
    if value not in allowed:
        raise invalid_parameter(name, 'the value "%s" is not allowed. Valid values: %s' % (value, ', '.join(allowed)))
    return value


def as_int(value, name, default=None, low=None, high=None):
    if value is None or value == '':
        return default
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise invalid_parameter(name, 'must be an integer')
    try:
        number = int(value)
    except ValueError:
        raise invalid_parameter(name, 'must be an integer') from None
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = 'between %s and %s' % (low, high) if high is not None else 'at least %s' % low
        raise invalid_parameter(name, 'must be %s' % bounds)
    return number


def as_bool(value, name):
    """Booleans from JSON or from the query string (true/false/True/False)."""
    if value is None or value == '':
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ('true', 'false'):
        return value.lower() == 'true'
    raise invalid_parameter(name, 'must be true or false')


def as_str_map(value, name, required=False):
    if value is None:
        if required:
            raise missing_parameter(name)
        return None
    if not isinstance(value, dict):
        raise invalid_parameter(name, 'must be an object of string values')
    for key, item in value.items():
        if not isinstance(item, str):
            raise invalid_parameter('%s.%s' % (name, key), 'must be a string')
    return dict(value)


def as_str_list(value, name):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise invalid_parameter(name, 'must be a list of strings')
    return list(value)


def as_object(value, name):
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid_parameter(name, 'must be a JSON object')
    return copy.deepcopy(value)


def as_csv(value):
    return [item.strip() for item in (value or '').split(',') if item.strip()]


def as_json_list(value, name):
    if value is None or value == '':
        return []
    try:
        parsed = json.loads(value)
    except ValueError:
        raise invalid_parameter(name, 'must be a JSON array') from None
    if not isinstance(parsed, list) or not all(isinstance(item, dict) for item in parsed):
        raise invalid_parameter(name, 'must be a JSON array of objects')
    return parsed


# --------------------------------------------------------------------------------------------------
# Labels (models and model versions)

def as_labels(value, name):
    """Validate [{Key, Value}] (key and value at most 128 bytes, without '=' or ',')."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid_parameter(name, 'must be an array of {Key, Value} objects')
    labels = []
    for index, item in enumerate(value, 1):
        if not isinstance(item, dict):
            raise invalid_parameter('%s.%d' % (name, index), 'must be a {Key, Value} object')
        key, val = item.get('Key'), item.get('Value', '')
        if not isinstance(key, str) or not key:
            raise invalid_parameter('%s.%d.Key' % (name, index), 'must be a non-empty string')
        for part, text in (('Key', key), ('Value', val)):
            if not isinstance(text, str):
                raise invalid_parameter('%s.%d.%s' % (name, index, part), 'must be a string')
            if len(text.encode('utf-8')) > 128 or '=' in text or ',' in text:
                raise invalid_parameter('%s.%d.%s' % (name, index, part),
                                        'must be at most 128 bytes and must not contain "=" or ","')
        labels.append({'Key': key, 'Value': val})
    return labels


def upsert_labels(existing, new):
    """Replace the value of an existing key in place; append new keys in order."""
    for label in new:
        for current in existing:
            if current['Key'] == label['Key']:
                current['Value'] = label['Value']
                break
        else:
            existing.append(dict(label))
    return existing


def create_labels(call, record, owner):
    """Create*Labels: body Labels applied to record['Labels'] under the model_labels_create switch.

    owner words the record in the LabelKeyAlreadyExists message ("The model model-...").
    """
    labels = as_labels(call.body.get('Labels'), 'Labels')
    if labels is None:
        raise missing_parameter('Labels')
    mode = call.state.behaviour('model_labels_create')
    if mode == 'replace':
        record['Labels'] = upsert_labels([], labels)
        return
    if mode == 'reject_existing':
        existing = {label['Key'] for label in record['Labels']}
        clashes = [key for key in dict.fromkeys(label['Key'] for label in labels) if key in existing]
        if clashes:
            raise ApiError(400, 'LabelKeyAlreadyExists', '%s already has the label key(s): %s.'
                           % (owner, ', '.join(clashes)))
    upsert_labels(record['Labels'], labels)


def delete_labels(call, record):
    """Delete*Labels: remove the LabelKeys (comma-separated, required) from record; True when one was removed."""
    keys = as_csv(call.query.get('LabelKeys'))
    if not keys:
        raise missing_parameter('LabelKeys')
    kept = [label for label in record['Labels'] if label['Key'] not in keys]
    if len(kept) == len(record['Labels']):
        return False
    record['Labels'] = kept
    return True


def label_texts(record):
    """Every label key and value of a record, lower-cased (the Label filters match substrings of them)."""
    return [text.lower() for label in record['Labels'] for text in (label['Key'], label['Value'])]


# --------------------------------------------------------------------------------------------------
# Actions: the Call a handler gets, routes, paging

class Call:
    """One authenticated API request as its handler sees it; the handler sets mutated when it changed state."""

    def __init__(self, state, req, params, access_key_id, body):
        self.state = state
        self.params = params
        self.query = req.query
        self.body = body
        self.account = account_id_for(access_key_id)
        self.mutated = False


class Route:
    """METHOD /path/{Param}/... -> action name and handler; each resource file lists its own in ROUTES."""

    def __init__(self, method, template, action, handler):
        self.method = method
        self.segments = template.strip('/').split('/')
        self.action = action
        self.handler = handler

    def match(self, method, segments):
        if method != self.method or len(segments) != len(self.segments):
            return None
        params = {}
        for pattern, segment in zip(self.segments, segments):
            if pattern.startswith('{'):
                if not segment:
                    return None
                params[pattern[1:-1]] = segment
            elif pattern != segment:
                return None
        return params


def page_size(call, name, default):
    """MaxResults / PageSize of a list action under the page_size behaviour."""
    mode = call.state.behaviour('page_size')
    if mode == 'max100':
        return as_int(call.query.get(name), name, default, 1, PAGE_SIZE_LIMIT)
    size = as_int(call.query.get(name), name, default, 1)
    if size > SMALL_PAGE_SIZE_LIMIT:
        if mode == 'reject_above50':
            raise ApiError(400, 'InvalidParameter',
                           'The parameter %s must be at most %d.' % (name, SMALL_PAGE_SIZE_LIMIT))
        size = SMALL_PAGE_SIZE_LIMIT
    return size


def page_number_and_size(call, default_size):
    """PageNumber (at least 1, default 1) and PageSize (page_size behaviour) of a page-number list action."""
    return as_int(call.query.get('PageNumber'), 'PageNumber', 1, 1), page_size(call, 'PageSize', default_size)


def one_page(records, page_number, size):
    start = (page_number - 1) * size
    return records[start:start + size]


def sort_records(records, order):
    return sorted(records, key=lambda r: (r['GmtCreateTime'], r['_seq']), reverse=(order == 'DESC'))
