# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Authentication of API requests: ACS3-HMAC-SHA256, legacy ROA and RPC (V2, HMAC-SHA1) signatures, dates, nonces,
STS tokens."""

import base64
import datetime
import email.utils
import hashlib
import hmac
from urllib.parse import parse_qsl, quote, unquote

from paiemu.core import TIME_WINDOW_SECONDS, ApiError, missing_parameter, sha256_hex


def signature_mismatch(detail):
    return ApiError(400, 'SignatureDoesNotMatch',
                    'Specified signature is not matched with our calculation. ' + detail)


def incomplete_signature(detail):
    return ApiError(400, 'IncompleteSignature',
                    'The request signature does not conform to Aliyun standards. ' + detail)


def rfc3986(text):
    return quote(text, safe='-_.~')


class ApiRequest:
    """The parts of an HTTP request that authentication and handlers need."""

    def __init__(self, method, raw_path, raw_query, headers, body):
        self.method = method
        self.raw_path = raw_path or '/'
        self.query_pairs = parse_qsl(raw_query, keep_blank_values=True)
        self.query = dict(self.query_pairs)
        self.headers = headers
        self.body = body
        self.host = headers.get('host', '')

    def header(self, name):
        values = self.headers.get_all(name)
        if not values:
            return None
        return ','.join(sorted(value.strip() for value in values))


def check_date(state, value, name, parse):
    if value is None:
        raise missing_parameter(name)
    try:
        stamp = parse(value)
    except (TypeError, ValueError):
        raise ApiError(400, 'InvalidTimeStamp.Format',
                       'Specified time stamp or date value is not well formatted: %s' % value) from None
    if abs(state.now() - stamp) > TIME_WINDOW_SECONDS:
        raise ApiError(400, 'InvalidTimeStamp.Expired',
                       'Specified time stamp or date value is expired (more than 15 minutes off the server time).')


def parse_acs_date(value):
    moment = datetime.datetime.strptime(value, '%Y-%m-%dT%H:%M:%SZ')
    return moment.replace(tzinfo=datetime.timezone.utc).timestamp()


def parse_http_date(value):
    moment = email.utils.parsedate_to_datetime(value)
    if moment is None or moment.tzinfo is None:
        raise ValueError(value)
    return moment.timestamp()


def check_security_token(state, cred, req, signed_headers):
    token = req.header('x-acs-security-token')
    if cred['token'] is None:
        if token is not None:
            raise ApiError(400, 'InvalidSecurityToken.MisMatch',
                           'A security token was sent with an access key that is not an STS key.')
        return
    if token is None:
        raise ApiError(400, 'InvalidSecurityToken.Missing',
                       'The x-acs-security-token header is required for an STS access key.')
    if signed_headers is not None and 'x-acs-security-token' not in signed_headers:
        raise incomplete_signature('The header x-acs-security-token must be signed.')
    if not hmac.compare_digest(token.encode('utf-8'), cred['token'].encode('utf-8')):
        raise ApiError(400, 'InvalidSecurityToken.MisMatch', 'Specified SecurityToken is mismatched.')
    if cred['expires_at'] is not None and state.now() >= cred['expires_at']:
        raise ApiError(400, 'InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.')


def v3_string_to_sign(req, signed_headers):
    """CanonicalRequest -> StringToSign of ACS3-HMAC-SHA256 (pai-api.md section 3.2)."""
    canonical_query = '&'.join('%s=%s' % (rfc3986(k), rfc3986(v))
                               for k, v in sorted(req.query_pairs, key=lambda pair: pair[0]))
    canonical_headers = ''.join('%s:%s\n' % (name, req.header(name) or '') for name in signed_headers)
    canonical_request = '\n'.join([
        req.method, req.raw_path, canonical_query, canonical_headers, ';'.join(signed_headers),
        req.header('x-acs-content-sha256') or '',
    ])
    return 'ACS3-HMAC-SHA256\n' + sha256_hex(canonical_request.encode('utf-8'))


def verify_v3(state, req, authorization):
    """ACS3-HMAC-SHA256 (pai-api.md sections 3.2 and 3.5); returns the AccessKeyId."""
    algorithm, dummy, rest = authorization.partition(' ')
    if algorithm != 'ACS3-HMAC-SHA256':
        raise incomplete_signature('Unsupported signature algorithm "%s".' % algorithm)
    fields = {}
    for part in rest.split(','):
        key, dummy, value = part.strip().partition('=')
        fields[key] = value
    if not all(fields.get(key) for key in ('Credential', 'SignedHeaders', 'Signature')):
        raise incomplete_signature('Authorization must carry Credential, SignedHeaders and Signature.')
    cred = state.credential(fields['Credential'])
    check_date(state, req.header('x-acs-date'), 'x-acs-date', parse_acs_date)
    signed_headers = sorted({name.strip().lower() for name in fields['SignedHeaders'].split(';') if name.strip()})
    for name in ('host', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'):
        if req.header(name) is None:
            raise missing_parameter(name)
        if name not in signed_headers:
            raise incomplete_signature('The header %s must be signed.' % name)
    check_security_token(state, cred, req, signed_headers)
    if req.header('x-acs-content-sha256').lower() != sha256_hex(req.body):
        raise signature_mismatch('The x-acs-content-sha256 header does not match the SHA-256 of the request body.')
    string_to_sign = v3_string_to_sign(req, signed_headers)
    expected = hmac.new(cred['secret'].encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields['Signature'].lower()):
        raise signature_mismatch('server string to sign is:' + string_to_sign)
    return fields['Credential']


def roa_string_to_sign(req, path):
    """Legacy ROA StringToSign (pai-api.md section 3.6)."""
    lines = [req.method] + [req.header(name) or '' for name in ('accept', 'content-md5', 'content-type', 'date')]
    acs_headers = sorted({name.lower() for name in req.headers.keys() if name.lower().startswith('x-acs-')})
    resource = path
    if req.query_pairs:
        resource += '?' + '&'.join(k if v == '' else '%s=%s' % (k, v)
                                   for k, v in sorted(req.query_pairs, key=lambda pair: pair[0]))
    return '\n'.join(lines) + '\n' + ''.join('%s:%s\n' % (name, req.header(name)) for name in acs_headers) + resource


def verify_roa(state, req, authorization):
    """Legacy ROA "acs AK:signature" (pai-api.md section 3.6); returns the AccessKeyId."""
    access_key_id, sep, signature = authorization[4:].strip().partition(':')
    if not sep or not access_key_id or not signature:
        raise incomplete_signature('Expected "acs <AccessKeyId>:<Signature>".')
    cred = state.credential(access_key_id)
    check_date(state, req.header('date'), 'Date', parse_http_date)
    if req.header('x-acs-signature-nonce') is None:
        raise missing_parameter('x-acs-signature-nonce')
    check_security_token(state, cred, req, None)
    secret = cred['secret'].encode('utf-8')
    # Terraform signs the unencoded path; accept either the raw or the decoded form.
    candidates = []
    for path in dict.fromkeys([req.raw_path, unquote(req.raw_path)]):
        string_to_sign = roa_string_to_sign(req, path)
        digest = hmac.new(secret, string_to_sign.encode('utf-8'), hashlib.sha1).digest()
        if hmac.compare_digest(base64.b64encode(digest).decode('ascii'), signature):
            return access_key_id
        candidates.append(string_to_sign)
    raise signature_mismatch('server string to sign is:' + candidates[0])


def authenticate(state, req):
    """Verify the request signature and use up its nonce; returns the AccessKeyId."""
    authorization = req.header('authorization')
    if not authorization:
        raise ApiError(400, 'MissingAuthorization', 'The Authorization header is required.')
    if authorization.startswith('ACS3-'):
        access_key_id = verify_v3(state, req, authorization)
    elif authorization.startswith('acs '):
        access_key_id = verify_roa(state, req, authorization)
    else:
        raise incomplete_signature('Unknown Authorization scheme.')
    state.use_nonce(access_key_id, req.header('x-acs-signature-nonce'))
    return access_key_id


# --------------------------------------------------------------------------------------------------
# RPC signature V2 (HMAC-SHA1), as STS takes it (pai-api-wave2.md sections 4.3 and 4.4)

def rpc_string_to_sign(method, params):
    """METHOD&%2F&encode(canonical query): the sorted RFC 3986 name=value pairs (a space is %20), encoded again."""
    canonical = '&'.join('%s=%s' % (rfc3986(k), rfc3986(v)) for k, v in sorted(params.items()))
    return '%s&%s&%s' % (method.upper(), rfc3986('/'), rfc3986(canonical))


def check_rpc_security_token(state, cred, token):
    """The SecurityToken parameter of an RPC request against the caller's key."""
    if cred['token'] is None:
        if token is not None:
            raise ApiError(400, 'InvalidSecurityToken.MisMatch',
                           'A security token was sent with an access key that is not an STS key.')
        return
    if token is None:
        raise ApiError(400, 'MissingSecurityToken', 'SecurityToken is mandatory for this action.')
    if not hmac.compare_digest(token.encode('utf-8'), cred['token'].encode('utf-8')):
        raise ApiError(400, 'InvalidSecurityToken.MisMatch', 'Specified SecurityToken is mismatched.')
    if cred['expires_at'] is not None and state.now() >= cred['expires_at']:
        raise ApiError(400, 'InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.')


def verify_rpc(state, method, params):
    """An RPC request signed with signature V2 (params: the query and form parameters together); returns the
    AccessKeyId. The nonce is used up only when the signature is valid."""
    access_key_id = params.get('AccessKeyId')
    if not access_key_id:
        raise missing_parameter('AccessKeyId')
    if not params.get('Signature'):
        raise missing_parameter('Signature')
    cred = state.credential(access_key_id)
    check_date(state, params.get('Timestamp'), 'Timestamp', parse_acs_date)
    for name, wanted in (('SignatureMethod', 'HMAC-SHA1'), ('SignatureVersion', '1.0')):
        if not params.get(name):
            raise missing_parameter(name)
        if params[name] != wanted:
            raise incomplete_signature('The %s must be %s, not "%s".' % (name, wanted, params[name]))
    nonce = params.get('SignatureNonce')
    if not nonce:
        raise missing_parameter('SignatureNonce')
    check_rpc_security_token(state, cred, params.get('SecurityToken'))
    signed = {key: value for key, value in params.items() if key != 'Signature'}
    string_to_sign = rpc_string_to_sign(method, signed)
    digest = hmac.new((cred['secret'] + '&').encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha1).digest()
    if not hmac.compare_digest(base64.b64encode(digest).decode('ascii'), params['Signature']):
        raise signature_mismatch('server string to sign is:' + string_to_sign)
    state.use_nonce(access_key_id, nonce)
    return access_key_id
