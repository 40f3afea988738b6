# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Security Token Service (STS, version 2015-04-01) on the emulator's own address: AssumeRole (signature V2 or
ACS3) and AssumeRoleWithOIDC (unsigned) at "/", the issuing of temporary key pairs (also used by the instance
metadata service and the credentials URI, see metadata.py), the record of every issued pair, and the admin
configuration of roles, OIDC providers and tokens (pai-api-wave2.md sections 4.3 to 4.6).

Every issued pair is added to state.credentials with its token and expiry, so the PAI routes accept it until it
expires and answer InvalidSecurityToken.Expired afterwards.
"""

import base64
import copy
import hashlib
import json
import re
import string
from urllib.parse import parse_qsl

from paiemu.auth import check_date, parse_acs_date, verify_rpc, verify_v3
from paiemu.core import ApiError, account_id_for, format_time, invalid_parameter, missing_parameter

STS_VERSION = '2015-04-01'
STS_PRODUCT = 'Sts'
ACTIONS = ('AssumeRole', 'AssumeRoleWithOIDC')
MIN_DURATION = 900
MAX_DURATION = 43200
DEFAULT_DURATION = 3600
EXPIRED_DURATION = 1  # sts_duration=expired: every issued pair expires this many seconds after issue
POLICY_MAX = 2048
DEFAULT_ECS_ROLE_NAME = 'EcsRamRoleDemo'
DEFAULT_CREDENTIALS_URI_ROLE_NAME = 'CredentialsUriDemo'
ROLE_ARN = re.compile(r'^acs:ram::(\d[\d*]{0,31}):role/([A-Za-z0-9.@_-]{1,64})$')
OIDC_PROVIDER_ARN = re.compile(r'^acs:ram::(\d[\d*]{0,31}):oidc-provider/([A-Za-z0-9._-]{1,128})$')
SESSION_NAME = re.compile(r'^[A-Za-z0-9.@_-]{2,64}$')
EXTERNAL_ID = re.compile(r'^[A-Za-z0-9_+=,.@:/-]{2,1224}$')
SOURCE_IDENTITY = re.compile(r'^[A-Za-z0-9.@_=,+-]{2,64}$')
KEY_ALPHABET = string.ascii_letters + string.digits
NOT_AUTHORIZED = 'You are not authorized to do this action. You should be authorized by RAM.'


def emulator_account(state):
    return account_id_for(state.default_access_key_id)


def reset(state):
    """The start configuration: every well-formed role ARN and OIDC provider ARN exists, no token is registered,
    the instance has the role EcsRamRoleDemo, and nothing has been issued."""
    account = emulator_account(state)
    state.sts = {
        'issued': {},  # {AccessKeyId: record}, in issue order
        'roles': None,  # None: any well-formed role ARN exists; else [{RoleArn, ExternalId, MaxSessionDuration}]
        'oidc_providers': None,  # None: any well-formed provider ARN exists; else [ARN, ...]
        'oidc_tokens': {},  # {token: {ProviderArn, Subject}}: registered tokens (any JWT-shaped token works too)
        'ecs_role_name': DEFAULT_ECS_ROLE_NAME,  # None: no role attached to the emulated instance
        'credentials_uri_role_arn': 'acs:ram::%s:role/%s' % (account, DEFAULT_CREDENTIALS_URI_ROLE_NAME),
        'metadata_tokens': {},  # {IMDSv2 token: expires_at}
        'ecs_issued': {},  # {role name: AccessKeyId}: the pair the metadata service hands out until it expires
    }


# --------------------------------------------------------------------------------------------------
# Issuing key pairs

def random_text(state, alphabet, length):
    return ''.join(state._random.choice(alphabet) for dummy in range(length))


def role_id(role_arn):
    """A stable 18-digit role id (the first part of AssumedRoleId)."""
    digest = int(hashlib.sha256(role_arn.lower().encode('utf-8')).hexdigest(), 16)
    return str(300000000000000000 + digest % 600000000000000000)


def issue(state, source, role_arn, session_name, duration, **details):
    """A new STS key pair for role_arn: registered in state.credentials and recorded in state.sts['issued'].

    Returns (credentials, assumed_role_user) in the shape of the STS answer.
    """
    now = state.now()
    lifetime = EXPIRED_DURATION if state.behaviour('sts_duration') == 'expired' else duration
    access_key_id = 'STS.' + random_text(state, KEY_ALPHABET, 28)
    while access_key_id in state.credentials:
        access_key_id = 'STS.' + random_text(state, KEY_ALPHABET, 28)
    secret = random_text(state, KEY_ALPHABET, 44)
    # Real tokens are long base64 strings, with "+", "/" and "=" that must be encoded in a query or a header.
    token = 'CAIS' + base64.b64encode(bytes(state._random.getrandbits(8) for dummy in range(240))).decode('ascii')
    expires_at = now + lifetime
    expiration = format_time(expires_at, millis=False)
    state.credentials[access_key_id] = {'secret': secret, 'token': token, 'expires_at': expires_at}
    match = ROLE_ARN.match(role_arn)
    account, name = match.groups() if match else (emulator_account(state), role_arn.rpartition('/')[2])
    assumed = {'Arn': 'acs:ram::%s:role/%s/%s' % (account, name, session_name),
               'AssumedRoleId': '%s:%s' % (role_id(role_arn), session_name)}
    record = {
        'AccessKeyId': access_key_id, 'Source': source, 'SignatureVersion': None,
        'SourceAccessKeyId': None, 'SourceRoleArn': None,
        'RoleArn': role_arn, 'RoleSessionName': session_name,
        'AssumedRoleArn': assumed['Arn'], 'AssumedRoleId': assumed['AssumedRoleId'],
        'ExternalId': None, 'Policy': None, 'SourceIdentity': None, 'OIDCProviderArn': None, 'OIDCSubject': None,
        'DurationSeconds': duration, 'IssuedAt': format_time(now, millis=False), 'Expiration': expiration,
    }
    record.update(details)
    state.sts['issued'][access_key_id] = record
    credentials = {'AccessKeyId': access_key_id, 'AccessKeySecret': secret, 'SecurityToken': token,
                   'Expiration': expiration}
    return credentials, assumed


def dump_issued(state):
    now = state.now()
    issued = {}
    for key, record in state.sts['issued'].items():
        item = dict(record)
        expires_at = (state.credentials.get(key) or {}).get('expires_at')
        item['Expired'] = expires_at is not None and now >= expires_at
        issued[key] = item
    return issued


# --------------------------------------------------------------------------------------------------
# Requests: parameters, action, authentication

def request_params(req):
    """The query parameters, plus those of an application/x-www-form-urlencoded body (the SDK's POST form)."""
    params = dict(req.query_pairs)
    content_type = (req.header('content-type') or '').lower()
    if req.body and content_type.startswith('application/x-www-form-urlencoded'):
        params.update(parse_qsl(req.body.decode('utf-8', 'replace'), keep_blank_values=True))
    return params


def form_params(req):
    """The form body alone (for the request log), or None."""
    content_type = (req.header('content-type') or '').lower()
    if req.body and content_type.startswith('application/x-www-form-urlencoded'):
        return dict(parse_qsl(req.body.decode('utf-8', 'replace'), keep_blank_values=True))
    return None


def action_of(req, params):
    return params.get('Action') or req.header('x-acs-action')


def check_action_and_version(req, params, signed_v3):
    action = params.get('Action')
    header_action = req.header('x-acs-action')
    if action and header_action and action != header_action:
        raise ApiError(400, 'InvalidAction.Mismatch',
                       'The x-acs-action "%s" does not match the Action "%s".' % (header_action, action))
    action = action or header_action
    if not action:
        raise missing_parameter('Action')
    if action not in ACTIONS:
        raise ApiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method: '
                       '%s (the emulated STS knows %s).' % (action, ', '.join(ACTIONS)))
    version = req.header('x-acs-version') if signed_v3 else params.get('Version')
    if not version:
        raise missing_parameter('x-acs-version' if signed_v3 else 'Version')
    if version != STS_VERSION:
        raise ApiError(400, 'InvalidVersion', 'Specified parameter Version is not valid: %s (STS is %s).'
                       % (version, STS_VERSION))
    return action


def authenticate(state, req, params):
    """Returns (action, caller AccessKeyId or None, signature version or None). AssumeRoleWithOIDC is unsigned."""
    authorization = req.header('authorization') or ''
    signed_v3 = authorization.startswith('ACS3-')
    action = check_action_and_version(req, params, signed_v3)
    if action == 'AssumeRoleWithOIDC':
        check_date(state, params.get('Timestamp'), 'Timestamp', parse_acs_date)
        return action, None, None
    if signed_v3:
        access_key_id = verify_v3(state, req, authorization)
        state.use_nonce(access_key_id, req.header('x-acs-signature-nonce'))
        return action, access_key_id, 'v3'
    return action, verify_rpc(state, req.method, params), 'v2'


# --------------------------------------------------------------------------------------------------
# Parameter rules (the STS reference; the wording of the messages is the emulator's)

def role_arn_param(params):
    value = params.get('RoleArn')
    if not value:
        raise ApiError(400, 'MissingRoleArn', 'RoleArn is mandatory for this action.')
    if not ROLE_ARN.match(value):
        raise ApiError(400, 'InvalidParameter.RoleArn', 'The parameter RoleArn is wrongly formed: expected '
                       'acs:ram::<account id>:role/<role name>.')
    return value


def session_name_param(params):
    value = params.get('RoleSessionName')
    if not value:
        raise ApiError(400, 'MissingRoleSessionName', 'RoleSessionName is mandatory for this action.')
    if not SESSION_NAME.match(value):
        raise ApiError(400, 'InvalidParameter.RoleSessionName', 'The parameter RoleSessionName is wrongly formed: '
                       '2 to 64 letters, digits and the characters . @ - _.')
    return value


def duration_param(params):
    value = params.get('DurationSeconds')
    if value is None or value == '':
        return DEFAULT_DURATION
    try:
        duration = int(value)
    except ValueError:
        duration = None
    if duration is None or not MIN_DURATION <= duration <= MAX_DURATION:
        raise ApiError(400, 'InvalidParameter.DurationSeconds',
                       'The Min/Max value of DurationSeconds is 15min/12hr (900 to 43200 seconds).')
    return duration


def policy_param(params):
    value = params.get('Policy')
    if not value:
        return None
    if len(value) > POLICY_MAX:
        raise ApiError(400, 'InvalidParameter.PolicySize',
                       'The size of Policy must be smaller than %d characters.' % (POLICY_MAX + 1))
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ApiError(400, 'InvalidParameter.PolicyGrammar', 'The parameter Policy has not passed grammar check.')
    return value


def external_id_param(params):
    value = params.get('ExternalId')
    if not value:
        return None
    if not EXTERNAL_ID.match(value):
        raise ApiError(400, 'InvalidParameter.ExternalId', 'The parameter ExternalId is wrongly formed: 2 to 1224 '
                       'letters, digits and the characters _ + = , . @ : / -.')
    return value


def source_identity_param(params):
    value = params.get('SourceIdentity')
    if not value:
        return None
    if not SOURCE_IDENTITY.match(value):
        raise ApiError(400, 'InvalidParameter.SourceIdentity', 'The parameter SourceIdentity is wrongly formed.')
    return value


def find_role(state, role_arn):
    roles = state.sts['roles']
    if roles is None:
        return {'RoleArn': role_arn, 'ExternalId': None, 'MaxSessionDuration': MAX_DURATION}
    for role in roles:
        if role['RoleArn'].lower() == role_arn.lower():
            return role
    raise ApiError(404, 'EntityNotExist.Role', 'The specified Role not exists: %s' % role_arn)


def check_allowed(state):
    if state.behaviour('sts_assume_role') == 'denied':
        raise ApiError(403, 'NoPermission', NOT_AUTHORIZED)


def check_duration_for_role(role, duration):
    if duration > role['MaxSessionDuration']:
        raise ApiError(400, 'InvalidParameter.DurationSeconds',
                       'The Min/Max value of DurationSeconds is 15min/%ds for the role %s (its MaxSessionDuration).'
                       % (role['MaxSessionDuration'], role['RoleArn']))


# --------------------------------------------------------------------------------------------------
# Actions

def answer(request_credentials, assumed, extra=None):
    payload = {'RequestId': None, 'AssumedRoleUser': assumed, 'Credentials': request_credentials}
    payload.update(extra or {})
    return payload


def assume_role(state, params, caller, signature_version):
    role_arn = role_arn_param(params)
    session_name = session_name_param(params)
    duration = duration_param(params)
    policy = policy_param(params)
    external_id = external_id_param(params)
    source_identity = source_identity_param(params)
    role = find_role(state, role_arn)
    check_allowed(state)
    if role['ExternalId'] is not None and external_id != role['ExternalId']:
        raise ApiError(403, 'NoPermission', 'No permission perform sts:AssumeRole on this Role: the ExternalId is '
                       '%s.' % ('missing' if external_id is None else 'not the one its trust policy requires'))
    check_duration_for_role(role, duration)
    caller_record = state.sts['issued'].get(caller)
    credentials, assumed = issue(
        state, 'AssumeRole', role_arn, session_name, duration, SignatureVersion=signature_version,
        SourceAccessKeyId=caller, SourceRoleArn=caller_record['RoleArn'] if caller_record else None,
        ExternalId=external_id, Policy=policy, SourceIdentity=source_identity)
    return answer(credentials, assumed, {'SourceIdentity': source_identity} if source_identity else None)


def b64url_json(text):
    padded = text + '=' * (-len(text) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode('ascii')).decode('utf-8'))


def jwt_claims(token):
    """The claims of a JWT-shaped token (header.payload.signature, base64url JSON objects), else None."""
    parts = token.split('.')
    if len(parts) != 3 or not parts[0] or not parts[1]:
        return None
    try:
        header, claims = b64url_json(parts[0]), b64url_json(parts[1])
    except (ValueError, UnicodeError):
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return claims


def oidc_subject(state, provider_arn, token):
    """Who the token says the caller is; AuthenticationFail.* when the emulator does not accept the token."""
    registered = state.sts['oidc_tokens'].get(token)
    if registered is not None:
        if registered['ProviderArn'].lower() != provider_arn.lower():
            raise ApiError(400, 'AuthenticationFail.OIDCToken.Invalid',
                           'The OIDCToken was not issued by the OIDC provider %s.' % provider_arn)
        return registered['Subject'], registered.get('Issuer'), []
    claims = jwt_claims(token)
    if claims is None:
        raise ApiError(400, 'AuthenticationFail.OIDCToken.Invalid', 'The OIDCToken is invalid.')
    expiry = claims.get('exp')
    if isinstance(expiry, (int, float)) and not isinstance(expiry, bool) and expiry <= state.now():
        raise ApiError(400, 'AuthenticationFail.OIDCToken.Expired', 'The OIDCToken is expired.')
    audience = claims.get('aud')
    audience = [audience] if isinstance(audience, str) else [item for item in audience or [] if isinstance(item, str)]
    subject = claims.get('sub')
    issuer = claims.get('iss')
    return (subject if isinstance(subject, str) else None, issuer if isinstance(issuer, str) else None, audience)


def assume_role_with_oidc(state, params, caller, signature_version):
    role_arn = role_arn_param(params)
    provider_arn = params.get('OIDCProviderArn')
    if not provider_arn:
        raise ApiError(400, 'MissingOIDCProviderArn', 'OIDCProviderArn is mandatory for this action.')
    if not OIDC_PROVIDER_ARN.match(provider_arn):
        raise ApiError(400, 'InvalidParameter.OIDCProviderArn', 'The parameter OIDCProviderArn is wrongly formed: '
                       'expected acs:ram::<account id>:oidc-provider/<name>.')
    token = params.get('OIDCToken')
    if not token:
        raise ApiError(400, 'MissingOIDCToken', 'OIDCToken is mandatory for this action.')
    session_name = session_name_param(params)
    duration = duration_param(params)
    policy = policy_param(params)
    providers = state.sts['oidc_providers']
    if providers is not None and provider_arn.lower() not in [known.lower() for known in providers]:
        raise ApiError(404, 'EntityNotExist.OIDCProvider', 'The specified OIDC provider not exists: %s' % provider_arn)
    subject, issuer, audience = oidc_subject(state, provider_arn, token)
    role = find_role(state, role_arn)
    check_allowed(state)
    check_duration_for_role(role, duration)
    credentials, assumed = issue(state, 'AssumeRoleWithOIDC', role_arn, session_name, duration, Policy=policy,
                                 OIDCProviderArn=provider_arn, OIDCSubject=subject)
    token_info = {'Subject': subject or '', 'Issuer': issuer or '', 'ClientIds': ','.join(audience),
                  'IssuanceTime': format_time(state.now(), millis=False),
                  'ExpirationTime': credentials['Expiration'], 'VerificationInfo': 'Success'}
    return answer(credentials, assumed, {'OIDCTokenInfo': token_info})


HANDLERS = {'AssumeRole': assume_role, 'AssumeRoleWithOIDC': assume_role_with_oidc}


def handle(state, req, params, fault_hook):
    """One STS request: authentication, then the fault queue (fault_hook(action)), then the action."""
    with state.lock:
        action, caller, signature_version = authenticate(state, req, params)
    kind = fault_hook(action)
    with state.lock:
        payload = HANDLERS[action](state, params, caller, signature_version)
    return payload, kind


# --------------------------------------------------------------------------------------------------
# Admin: GET / POST /_emulator/sts

def admin_view(state):
    config = state.sts
    return {
        'account_id': emulator_account(state),
        'issued': dump_issued(state),
        'roles': copy.deepcopy(config['roles']),
        'oidc_providers': copy.deepcopy(config['oidc_providers']),
        'oidc_tokens': [{'ProviderArn': item['ProviderArn'], 'Subject': item['Subject'], 'Issuer': item.get('Issuer')}
                        for item in config['oidc_tokens'].values()],
        'ecs_role_name': config['ecs_role_name'],
        'credentials_uri_role_arn': config['credentials_uri_role_arn'],
    }


def admin_role(spec, index):
    where = 'roles.%d' % index
    if isinstance(spec, str):
        spec = {'RoleArn': spec}
    if not isinstance(spec, dict):
        raise invalid_parameter(where, 'must be a role ARN or {RoleArn, ExternalId?, MaxSessionDuration?}')
    unknown = sorted(set(spec) - {'RoleArn', 'ExternalId', 'MaxSessionDuration'})
    if unknown:
        raise invalid_parameter(where, 'unknown keys: %s' % ', '.join(unknown))
    role_arn = spec.get('RoleArn')
    if not isinstance(role_arn, str) or not ROLE_ARN.match(role_arn):
        raise invalid_parameter(where + '.RoleArn', 'must be acs:ram::<account id>:role/<role name>')
    external_id = spec.get('ExternalId')
    if external_id is not None and (not isinstance(external_id, str) or not EXTERNAL_ID.match(external_id)):
        raise invalid_parameter(where + '.ExternalId', 'must be 2 to 1224 characters of [\\w+=,.@:/-]')
    maximum = spec.get('MaxSessionDuration', MAX_DURATION)
    if isinstance(maximum, bool) or not isinstance(maximum, int) or not 3600 <= maximum <= MAX_DURATION:
        raise invalid_parameter(where + '.MaxSessionDuration', 'must be an integer from 3600 to 43200')
    return {'RoleArn': role_arn, 'ExternalId': external_id, 'MaxSessionDuration': maximum}


def admin_token(spec, index):
    where = 'oidc_tokens.%d' % index
    if not isinstance(spec, dict):
        raise invalid_parameter(where, 'must be {Token, ProviderArn, Subject?, Issuer?}')
    token, provider = spec.get('Token'), spec.get('ProviderArn')
    if not isinstance(token, str) or not token:
        raise invalid_parameter(where + '.Token', 'must be a non-empty string')
    if not isinstance(provider, str) or not OIDC_PROVIDER_ARN.match(provider):
        raise invalid_parameter(where + '.ProviderArn', 'must be acs:ram::<account id>:oidc-provider/<name>')
    for name in ('Subject', 'Issuer'):
        if spec.get(name) is not None and not isinstance(spec.get(name), str):
            raise invalid_parameter(where + '.' + name, 'must be a string')
    return token, {'ProviderArn': provider, 'Subject': spec.get('Subject'), 'Issuer': spec.get('Issuer')}


def admin_configure(state, body):
    """Replace the given parts of the configuration, all or nothing; returns admin_view()."""
    known = ('roles', 'oidc_providers', 'oidc_tokens', 'ecs_role_name', 'credentials_uri_role_arn')
    unknown = sorted(set(body) - set(known))
    if unknown:
        raise invalid_parameter(unknown[0], 'unknown key; known keys: %s' % ', '.join(known))
    changes = {}
    if 'roles' in body:
        roles = body['roles']
        if roles is not None and not isinstance(roles, list):
            raise invalid_parameter('roles', 'must be null (every role exists) or a list of roles')
        changes['roles'] = None if roles is None else [admin_role(spec, i) for i, spec in enumerate(roles, 1)]
    if 'oidc_providers' in body:
        providers = body['oidc_providers']
        if providers is not None and (not isinstance(providers, list) or not all(
                isinstance(item, str) and OIDC_PROVIDER_ARN.match(item) for item in providers)):
            raise invalid_parameter('oidc_providers', 'must be null (every provider exists) or a list of '
                                    'acs:ram::<account id>:oidc-provider/<name> ARNs')
        changes['oidc_providers'] = None if providers is None else list(providers)
    if 'oidc_tokens' in body:
        tokens = body['oidc_tokens']
        if not isinstance(tokens, list):
            raise invalid_parameter('oidc_tokens', 'must be a list of {Token, ProviderArn, Subject?, Issuer?}')
        changes['oidc_tokens'] = dict(admin_token(spec, i) for i, spec in enumerate(tokens, 1))
    if 'ecs_role_name' in body:
        name = body['ecs_role_name']
        if name is not None and (not isinstance(name, str) or not re.match(r'^[A-Za-z0-9.@_-]{1,64}$', name)):
            raise invalid_parameter('ecs_role_name', 'must be null (no role attached) or a RAM role name')
        changes['ecs_role_name'] = name
        changes['ecs_issued'] = {}
    if 'credentials_uri_role_arn' in body:
        role_arn = body['credentials_uri_role_arn']
        if role_arn is not None and (not isinstance(role_arn, str) or not ROLE_ARN.match(role_arn)):
            raise invalid_parameter('credentials_uri_role_arn', 'must be null (the URI answers 404) or a role ARN')
        changes['credentials_uri_role_arn'] = role_arn
    state.sts.update(changes)
    return admin_view(state)
