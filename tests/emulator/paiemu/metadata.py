# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ECS instance metadata service (the instance RAM role's credentials, IMDSv2 tokens) under /latest/, and a
credentials URI at /_credentials, both on the emulator's own address (pai-api-wave2.md section 4.6).

The key pairs they hand out are issued by sts.issue(), so PAI accepts them and GET /_emulator/sts lists them. The
switch ecs_metadata says which metadata protocol the emulated instance speaks (or that it cannot be reached).
"""

import base64
import json

from paiemu import sts
from paiemu.core import ApiError, DropConnection, Reply, format_time

METADATA_PREFIX = '/latest/'
CREDENTIALS_URI_PATH = '/_credentials'
TOKEN_PATH = '/latest/api/token'
ROLES_PATH = '/latest/meta-data/ram/security-credentials/'
TOKEN_TTL_HEADER = 'X-aliyun-ecs-metadata-token-ttl-seconds'
TOKEN_HEADER = 'X-aliyun-ecs-metadata-token'
MAX_TOKEN_TTL = 21600
ECS_CREDENTIALS_DURATION = 21600  # what the metadata service's pairs last (they are reused until they expire)
CREDENTIALS_URI_DURATION = 3600
INSTANCE_ID = 'i-emulator000000000001'
REGION_ID = 'cn-hangzhou'
PLAIN = 'text/plain;charset=utf-8'


def is_metadata_path(path):
    return path == '/latest' or path.startswith(METADATA_PREFIX)


def action_of(method, path):
    """The name the request log shows for a metadata request."""
    if path == TOKEN_PATH:
        return 'MetadataToken'
    if path.rstrip('/') == ROLES_PATH.rstrip('/'):
        return 'MetadataRoleName'
    if path.startswith(ROLES_PATH):
        return 'MetadataRoleCredentials'
    return 'Metadata'


def not_found():
    return Reply(404, 'Not Found')


def token_reply(state, req):
    if state.behaviour('ecs_metadata') == 'v1_only':
        return not_found()  # an instance whose metadata service predates IMDSv2
    ttl = req.header(TOKEN_TTL_HEADER)
    if ttl is None:
        return Reply(400, 'Missing header %s' % TOKEN_TTL_HEADER)
    try:
        seconds = int(ttl)
    except ValueError:
        seconds = 0
    if not 1 <= seconds <= MAX_TOKEN_TTL:
        return Reply(400, 'Invalid %s: an integer from 1 to %d' % (TOKEN_TTL_HEADER, MAX_TOKEN_TTL))
    token = base64.urlsafe_b64encode(bytes(state._random.getrandbits(8) for dummy in range(42))).decode('ascii')
    state.sts['metadata_tokens'][token] = state.now() + seconds
    return Reply(200, token)


def token_refused(state, req):
    """True when the request must be answered 401: a token that is unknown or expired, or (v2_required) none."""
    mode = state.behaviour('ecs_metadata')
    token = req.header(TOKEN_HEADER)
    if token is None or mode == 'v1_only':  # the old service ignores the header
        return mode == 'v2_required'
    expires_at = state.sts['metadata_tokens'].get(token)
    return expires_at is None or state.now() >= expires_at


def ecs_credentials(state, role_name):
    """The instance role's pair: the same one until it expires, then a new one."""
    key = state.sts['ecs_issued'].get(role_name)
    cred = state.credentials.get(key) if key else None
    if cred is None or state.now() >= cred['expires_at']:
        role_arn = 'acs:ram::%s:role/%s' % (sts.emulator_account(state), role_name)
        issued, dummy = sts.issue(state, 'EcsMetadata', role_arn, INSTANCE_ID, ECS_CREDENTIALS_DURATION)
        key = issued['AccessKeyId']
        state.sts['ecs_issued'][role_name] = key
        cred = state.credentials[key]
    record = state.sts['issued'][key]
    return {'AccessKeyId': key, 'AccessKeySecret': cred['secret'], 'Expiration': record['Expiration'],
            'SecurityToken': cred['token'], 'LastUpdated': record['IssuedAt'], 'Code': 'Success'}


def handle_metadata(state, req):
    """One request to the instance metadata service; returns a Reply or raises DropConnection (unreachable)."""
    if state.behaviour('ecs_metadata') == 'unreachable':
        raise DropConnection()
    path = req.raw_path
    if path == TOKEN_PATH:
        if req.method != 'PUT':
            return Reply(405, 'Method Not Allowed')
        return token_reply(state, req)
    if req.method != 'GET':
        return Reply(405, 'Method Not Allowed')
    if token_refused(state, req):
        return Reply(401, 'Unauthorized')
    role_name = state.sts['ecs_role_name']
    if path.rstrip('/') == ROLES_PATH.rstrip('/'):
        return Reply(200, role_name) if role_name else not_found()
    if path.startswith(ROLES_PATH):
        wanted = path[len(ROLES_PATH):]
        if not role_name or wanted != role_name:
            return not_found()
        return Reply(200, json.dumps(ecs_credentials(state, role_name), indent=2))
    if path == '/latest/meta-data/instance-id':
        return Reply(200, INSTANCE_ID)
    if path == '/latest/meta-data/region-id':
        return Reply(200, REGION_ID)
    return not_found()


def handle_credentials_uri(state, req):
    """GET /_credentials: a new pair for credentials_uri_role_arn, {Code: Success, AccessKeyId, ...}."""
    if req.method != 'GET':
        raise ApiError(405, 'MethodNotAllowed', 'The credentials URI answers GET only.')
    role_arn = state.sts['credentials_uri_role_arn']
    if role_arn is None:
        raise ApiError(404, 'NotFound', 'The credentials URI has no role configured.')
    issued, dummy = sts.issue(state, 'CredentialsUri', role_arn, 'credentials-uri', CREDENTIALS_URI_DURATION)
    return {'Code': 'Success', 'AccessKeyId': issued['AccessKeyId'], 'AccessKeySecret': issued['AccessKeySecret'],
            'SecurityToken': issued['SecurityToken'], 'Expiration': issued['Expiration'],
            'LastUpdated': format_time(state.now(), millis=False)}
