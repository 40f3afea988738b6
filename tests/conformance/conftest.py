"""Fixtures for the conformance tests: the PAI emulator in-process, admin helpers, SDK clients and a raw signer.

The official SDK (alibabacloud-aiworkspace20210204) is imported lazily so that tests in this folder that do not
need it still run without it.
"""

import atexit
import base64
import datetime
import hashlib
import hmac
import http.client
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import urllib.parse
import uuid

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _collection_path():
    """A temporary directory holding ansible_collections/alicloud/pai -> the repository root, so that tests import
    the collection's module_utils as Ansible does."""
    top = tempfile.mkdtemp(prefix='pai-conformance-')
    namespace = os.path.join(top, 'ansible_collections', 'alicloud')
    os.makedirs(namespace)
    link = os.path.join(namespace, 'pai')
    os.symlink(REPO_ROOT, link)

    def cleanup():
        if os.path.islink(link):
            os.unlink(link)  # never walk into the repository
        shutil.rmtree(top, ignore_errors=True)

    atexit.register(cleanup)
    return top


sys.path.insert(0, _collection_path())

EMULATOR_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'emulator',
                             'pai_emulator.py')


def _load_emulator():
    if 'pai_emulator' not in sys.modules:
        spec = importlib.util.spec_from_file_location('pai_emulator', EMULATOR_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules['pai_emulator'] = module
        spec.loader.exec_module(module)
    return sys.modules['pai_emulator']


pai_emulator = _load_emulator()

ACCESS_KEY_ID = pai_emulator.DEFAULT_ACCESS_KEY_ID
ACCESS_KEY_SECRET = pai_emulator.DEFAULT_ACCESS_KEY_SECRET


class Admin:
    """JSON client for the /_emulator/ admin endpoints."""

    def __init__(self, port):
        self.port = port

    def call(self, method, path, body=None):
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=10)
        try:
            data = None if body is None else json.dumps(body).encode('utf-8')
            conn.request(method, '/_emulator/' + path, body=data,
                         headers={'content-type': 'application/json'} if data is not None else {})
            response = conn.getresponse()
            return response.status, json.loads(response.read().decode('utf-8'))
        finally:
            conn.close()

    def _ok(self, method, path, body=None):
        status, payload = self.call(method, path, body)
        assert status == 200, payload
        return payload

    def requests(self):
        return self._ok('GET', 'requests')

    def clear_requests(self):
        return self._ok('DELETE', 'requests')

    def reset(self):
        return self._ok('POST', 'reset')

    def seed(self, **body):
        return self._ok('POST', 'seed', body)

    def fault(self, **body):
        return self._ok('POST', 'faults', body)

    def faults(self):
        return self._ok('GET', 'faults')

    def clear_faults(self):
        return self._ok('DELETE', 'faults')

    def state(self, plain=False):
        return self._ok('GET', 'state' + ('?secrets=plain' if plain else ''))

    def behaviours(self):
        """The current behaviour switches, {name: value}."""
        return self._ok('GET', 'behaviours')

    def set_behaviours(self, **values):
        """Set some behaviour switches; returns the whole map."""
        return self._ok('POST', 'behaviours', values)


def rfc3986(text):
    return urllib.parse.quote(text, safe='-_.~')


def sign_v3(method, path, query, headers, body, access_key_id, access_key_secret):
    """Independent ACS3-HMAC-SHA256 signer (pai-api.md section 3.2); signs every header given."""
    canonical_query = '&'.join('%s=%s' % (rfc3986(k), rfc3986(v)) for k, v in sorted(query.items()))
    lowered = {k.lower(): v.strip() for k, v in headers.items()}
    names = sorted(lowered)
    canonical = '\n'.join([method, path, canonical_query, ''.join('%s:%s\n' % (n, lowered[n]) for n in names),
                           ';'.join(names), lowered['x-acs-content-sha256']])
    string_to_sign = 'ACS3-HMAC-SHA256\n' + hashlib.sha256(canonical.encode('utf-8')).hexdigest()
    signature = hmac.new(access_key_secret.encode('utf-8'), string_to_sign.encode('utf-8'),
                         hashlib.sha256).hexdigest()
    return 'ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s' % (
        access_key_id, ';'.join(names), signature)


def sign_roa(method, path, query, headers, access_key_id, access_key_secret):
    """Legacy ROA HMAC-SHA1 signer (pai-api.md section 3.6)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    lines = [method] + [lowered.get(n, '') for n in ('accept', 'content-md5', 'content-type', 'date')]
    acs = ''.join('%s:%s\n' % (n, lowered[n]) for n in sorted(lowered) if n.startswith('x-acs-'))
    resource = path
    if query:
        resource += '?' + '&'.join(k if v == '' else '%s=%s' % (k, v) for k, v in sorted(query.items()))
    string_to_sign = '\n'.join(lines) + '\n' + acs + resource
    digest = hmac.new(access_key_secret.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha1).digest()
    return 'acs %s:%s' % (access_key_id, base64.b64encode(digest).decode('ascii'))


class RawResponse:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.json = json.loads(body.decode('utf-8')) if body else None

    @property
    def code(self):
        return (self.json or {}).get('Code')


class RawApi:
    """Sends hand-built requests to the emulator (signed with the signers above, or as given)."""

    def __init__(self, port):
        self.port = port

    def send(self, method, path, query=None, headers=None, body=b'', wire_query=None):
        query = query or {}
        target = path
        encoded = wire_query if wire_query is not None else urllib.parse.urlencode(query)
        if encoded:
            target += '?' + encoded
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=10)
        try:
            conn.request(method, target, body=body or None, headers=headers or {})
            response = conn.getresponse()
            return RawResponse(response.status, dict(response.getheaders()), response.read())
        finally:
            conn.close()

    def v3(self, method, path, query=None, body=None, action=None, access_key_id=ACCESS_KEY_ID,
           access_key_secret=ACCESS_KEY_SECRET, date=None, nonce=None, extra_headers=None, drop_headers=(),
           unsigned_headers=None, wire_query=None):
        """Sign and send; unsigned_headers are added after signing, wire_query replaces the signed query."""
        query = query or {}
        data = b'' if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode('utf-8'))
        headers = {
            'host': '127.0.0.1:%d' % self.port,
            'x-acs-version': '2021-02-04',
            'x-acs-date': date or datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
            'x-acs-signature-nonce': nonce or uuid.uuid4().hex,
            'x-acs-content-sha256': hashlib.sha256(data).hexdigest(),
        }
        if action:
            headers['x-acs-action'] = action
        if data:
            headers['content-type'] = 'application/json; charset=utf-8'
        headers.update(extra_headers or {})
        for name in drop_headers:
            headers.pop(name, None)
        headers['authorization'] = sign_v3(method, path, query, headers, data, access_key_id, access_key_secret)
        headers.update(unsigned_headers or {})
        return self.send(method, path, query, headers, data, wire_query=wire_query)


@pytest.fixture(scope='session')
def emulator_server():
    """One emulator for the whole session (in-process, on a free port)."""
    server = pai_emulator.serve_in_thread(host='127.0.0.1', port=0)
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server):
    """The session emulator, reset to its start state (and real clock) for this test."""
    emulator_server.state.clock = pai_emulator.time.time
    emulator_server.state.reset()
    yield emulator_server
    emulator_server.state.clock = pai_emulator.time.time


@pytest.fixture
def admin(emulator):
    return Admin(emulator.port)


@pytest.fixture
def make_admin():
    """Admin client factory for emulators started by the test itself."""
    return Admin


@pytest.fixture
def raw_api(emulator):
    return RawApi(emulator.port)


@pytest.fixture
def sdk_models():
    return pytest.importorskip('alibabacloud_aiworkspace20210204.models')


@pytest.fixture
def make_sdk_client(emulator):
    """Factory for official SDK clients pointed at the emulator."""
    client_module = pytest.importorskip('alibabacloud_aiworkspace20210204.client')
    openapi_models = pytest.importorskip('alibabacloud_tea_openapi.models')

    def make(access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET, security_token=None, port=None):
        config = openapi_models.Config(access_key_id=access_key_id, access_key_secret=access_key_secret,
                                       security_token=security_token,
                                       endpoint='127.0.0.1:%d' % (port or emulator.port), protocol='http')
        return client_module.Client(config)

    return make


@pytest.fixture
def sdk_client(make_sdk_client):
    return make_sdk_client()


@pytest.fixture
def sdk_call(sdk_client):
    """Send one action through the official SDK's generic call_api and return the raw JSON response body.

    The SDK signs, sends and maps errors as for its typed methods; use it for bodies its request models cannot
    express and to see response keys its response models drop.
    """
    utils_models = pytest.importorskip('alibabacloud_tea_openapi.utils_models')
    runtime = pytest.importorskip('darabonba.runtime')

    def call(action, method, pathname, query=None, body=None):
        params = utils_models.Params(action=action, version='2021-02-04', protocol='HTTPS', pathname=pathname,
                                     method=method, auth_type='AK', style='ROA', req_body_type='json',
                                     body_type='json')
        request = utils_models.OpenApiRequest(query=query or {}, body=body)
        return sdk_client.call_api(params, request, runtime.RuntimeOptions())['body']

    return call


@pytest.fixture
def sdk_error():
    """Run a call that must fail; return the SDK exception (code, status_code, data, ...)."""
    exceptions = pytest.importorskip('alibabacloud_tea_openapi.exceptions')

    def check(call, *args, **kwargs):
        with pytest.raises(exceptions.AlibabaCloudException) as info:
            call(*args, **kwargs)
        return info.value

    return check
