# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Routing (the routes of every resource file, STS at "/", instance metadata under /latest/, the credentials URI),
the HTTP server, serve_in_thread() and the command line."""

import argparse
import ipaddress
import json
import signal
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from paiemu import connections, metadata, model_versions, models, sts, workspaces
from paiemu.admin import ADMIN_ROUTES, FAULT_ERRORS, fault_error
from paiemu.auth import ApiRequest, authenticate
from paiemu.core import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    PRODUCT,
    ApiError,
    Call,
    DropConnection,
    Reply,
    internal_error,
    known_behaviours,
    mask_query_for_log,
    mask_secrets_for_log,
    parse_behaviour_flag,
)
from paiemu.state import PaiState

ROUTES = connections.ROUTES + models.ROUTES + model_versions.ROUTES + workspaces.ROUTES


def match_route(method, raw_path):
    """Split the raw path on '/' first, then unquote each segment (ids may contain '%2F')."""
    segments = [unquote(segment) for segment in raw_path.strip('/').split('/')]
    for route in ROUTES:
        params = route.match(method, segments)
        if params is not None:
            return route, params
    return None, None


def is_loopback(address):
    try:
        ip = ipaddress.ip_address(address.split('%')[0])
    except ValueError:
        return False
    mapped = getattr(ip, 'ipv4_mapped', None)
    return (mapped or ip).is_loopback


def parse_json_object(body):
    if not body:
        return {}
    try:
        parsed = json.loads(body.decode('utf-8'))
    except ValueError:
        raise ApiError(400, 'InvalidParameter', 'The request body is not valid JSON.') from None
    if not isinstance(parsed, dict):
        raise ApiError(400, 'InvalidParameter', 'The request body must be a JSON object.')
    return parsed


class EmulatorRequestHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'PAIEmulator/1.0'
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
        """Silent: the request log is available at GET /_emulator/requests."""

    def _dispatch(self):
        url = urlsplit(self.path)
        body = self._read_body()
        if url.path.startswith('/_emulator/'):
            self._handle_admin(url, body)
        elif url.path in ('', '/'):
            self._handle_sts(url, body)
        elif metadata.is_metadata_path(url.path):
            self._handle_metadata(url, body)
        elif url.path == metadata.CREDENTIALS_URI_PATH:
            self._handle_credentials_uri(url, body)
        else:
            self._handle_api(url, body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

    def _read_body(self):
        if 'chunked' in (self.headers.get('transfer-encoding') or '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get('content-length') or 0))

    def _send_json(self, status, payload, request_id, extra_headers=None):
        data = json.dumps(payload, ensure_ascii=False).encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', 'application/json;charset=utf-8')
        self.send_header('Content-Length', str(len(data)))
        self.send_header('x-acs-request-id', request_id)
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_reply(self, reply):
        self.send_response(reply.status)
        self.send_header('Content-Type', reply.content_type)
        self.send_header('Content-Length', str(len(reply.data)))
        self.end_headers()
        self.wfile.write(reply.data)

    def _error_body(self, err, request_id, product=PRODUCT):
        return {
            'RequestId': request_id,
            'HostId': self.headers.get('host', ''),
            'Code': err.code,
            'Message': err.message,
            'Recommend': 'https://api.aliyun.com/troubleshoot?q=%s&product=%s&requestId=%s'
                         % (err.code, product, request_id),
        }

    def _new_entry(self, state, req, action, logged_body):
        """A request log entry; the values of Signature, SecurityToken and OIDCToken are never shown."""
        return {'seq': state.next_request_seq(), 'method': self.command, 'path': req.raw_path,
                'query': mask_query_for_log(req.query), 'action': action, 'status': None, 'code': None,
                'mutated': False, 'fault': None, 'body': logged_body}

    def _fault(self, state, action, entry, wildcard=True):
        """Apply the next queued fault of action (error, drop, delay); returns its type or None."""
        fault = state.take_fault(action, wildcard)
        kind = fault['type'] if fault else None
        entry['fault'] = kind
        if kind in FAULT_ERRORS:
            raise fault_error(fault)
        if kind == 'drop':
            raise DropConnection()
        if kind == 'delay':
            time.sleep(fault['seconds'])
        return kind

    def _answer_json(self, state, entry, request_id, product, produce):
        """Run produce() -> (payload, fault type); answer it or the error, log the request, drop when asked."""
        headers = {}
        try:
            payload, kind = produce()
            if kind == 'apply_then_drop':
                raise DropConnection()
            entry['status'] = 200
        except DropConnection:
            state.log_request(entry)
            self.close_connection = True
            return
        except Exception as exc:  # ApiError, or an emulator bug answered as InternalError
            err = exc if isinstance(exc, ApiError) else internal_error(exc)
            payload, headers = self._error_body(err, request_id, product), err.headers
            entry['status'], entry['code'] = err.status, err.code
        state.log_request(entry)
        self._send_json(entry['status'], payload, request_id, headers)

    def _handle_sts(self, url, body):
        """STS (AssumeRole, AssumeRoleWithOIDC) at "/". Faults apply only when queued for the STS action by name."""
        state = self.server.state
        request_id = str(uuid.uuid4()).upper()
        req = ApiRequest(self.command, url.path, url.query, self.headers, body)
        params = sts.request_params(req)
        form = sts.form_params(req)
        entry = self._new_entry(state, req, sts.action_of(req, params),
                                None if form is None else mask_query_for_log(form))

        def produce():
            payload, kind = sts.handle(state, req, params,
                                       lambda action: self._fault(state, action, entry, wildcard=False))
            payload['RequestId'] = request_id
            return payload, kind

        self._answer_json(state, entry, request_id, sts.STS_PRODUCT, produce)

    def _handle_credentials_uri(self, url, body):
        """GET /_credentials. Faults apply only when queued for the action CredentialsUri by name."""
        state = self.server.state
        request_id = str(uuid.uuid4()).upper()
        req = ApiRequest(self.command, url.path, url.query, self.headers, body)
        entry = self._new_entry(state, req, 'CredentialsUri', None)

        def produce():
            kind = self._fault(state, 'CredentialsUri', entry, wildcard=False)
            with state.lock:
                return metadata.handle_credentials_uri(state, req), kind

        self._answer_json(state, entry, request_id, 'Emulator', produce)

    def _handle_metadata(self, url, body):
        """The instance metadata service under /latest/ (plain text answers; switch ecs_metadata)."""
        state = self.server.state
        req = ApiRequest(self.command, url.path, url.query, self.headers, body)
        entry = self._new_entry(state, req, metadata.action_of(self.command, req.raw_path), None)
        try:
            with state.lock:
                reply = metadata.handle_metadata(state, req)
        except DropConnection:
            state.log_request(entry)
            self.close_connection = True
            return
        except Exception as exc:  # an emulator bug
            internal_error(exc)
            reply = Reply(500, 'Internal Server Error')
        entry['status'] = reply.status
        state.log_request(entry)
        self._send_reply(reply)

    def _handle_admin(self, url, body):
        state = self.server.state
        request_id = str(uuid.uuid4()).upper()
        try:
            if not is_loopback(self.client_address[0]):
                raise ApiError(403, 'Forbidden', 'The emulator admin API only accepts loopback clients.')
            handler = ADMIN_ROUTES.get((self.command, url.path[len('/_emulator/'):].strip('/')))
            if handler is None:
                raise ApiError(404, 'NotFound', 'Unknown admin endpoint %s %s' % (self.command, url.path))
            with state.lock:
                payload = handler(state, parse_json_object(body), dict(parse_qsl(url.query)))
            self._send_json(200, payload, request_id)
        except Exception as exc:  # ApiError, or an emulator bug answered as InternalError
            err = exc if isinstance(exc, ApiError) else internal_error(exc)
            self._send_json(err.status, self._error_body(err, request_id), request_id, err.headers)

    def _handle_api(self, url, body):
        state = self.server.state
        request_id = str(uuid.uuid4()).upper()
        req = ApiRequest(self.command, url.path, url.query, self.headers, body)
        route, params = match_route(self.command, req.raw_path)
        try:
            logged_body = mask_secrets_for_log(json.loads(body.decode('utf-8'))) if body else None
        except ValueError:
            logged_body = None
        entry = self._new_entry(state, req, route.action if route else None, logged_body)
        headers = {}
        try:
            payload = self._call_api(state, req, route, params, entry)
            payload['requestId' if 'requestId' in payload else 'RequestId'] = request_id  # ChangeResourceGroup
            entry['status'] = 200
        except DropConnection:
            state.log_request(entry)
            self.close_connection = True
            return
        except Exception as exc:  # ApiError, or an emulator bug answered as InternalError
            err = exc if isinstance(exc, ApiError) else internal_error(exc)
            payload, headers = self._error_body(err, request_id), err.headers
            entry['status'], entry['code'] = err.status, err.code
        state.log_request(entry)
        self._send_json(entry['status'], payload, request_id, headers)

    def _call_api(self, state, req, route, params, entry):
        with state.lock:
            access_key_id = authenticate(state, req)
        action_header = req.header('x-acs-action')
        if route is None:
            raise ApiError(404, 'InvalidAction.NotFound',
                           'Specified api is not found, please check your url and method: %s %s'
                           % (req.method, req.raw_path))
        if action_header and action_header != route.action:
            raise ApiError(400, 'InvalidAction.Mismatch',
                           'The x-acs-action "%s" does not match the action %s of %s %s.'
                           % (action_header, route.action, req.method, req.raw_path))
        kind = self._fault(state, route.action, entry)
        call = Call(state, req, params, access_key_id, parse_json_object(req.body))
        with state.lock:  # handlers return fresh copies, never the stored objects
            payload = route.handler(call)
            entry['mutated'] = call.mutated
        if kind == 'apply_then_drop':
            raise DropConnection()
        return payload


class EmulatorHTTPServer(ThreadingHTTPServer):
    def __init__(self, address, state):
        self.state = state
        super().__init__(address, EmulatorRequestHandler)


class RunningEmulator:
    """Handle returned by serve_in_thread(): .url, .host, .port, .state, .stop()."""

    def __init__(self, server, host):
        self.server = server
        self.state = server.state
        self.host = host
        self.port = server.server_address[1]
        self.url = 'http://%s:%d' % (host, self.port)
        self._thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1},
                                        name='pai-emulator', daemon=True)
        self._thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def serve_in_thread(host='127.0.0.1', port=0, access_key_id=DEFAULT_ACCESS_KEY_ID,
                    access_key_secret=DEFAULT_ACCESS_KEY_SECRET, behaviours=None):
    """Start the emulator in a background thread and return a RunningEmulator.

    behaviours: {name: value} start values of behaviour switches (see BEHAVIOURS); the others keep their
    defaults. POST /_emulator/reset returns to these values. An unknown name or value raises ValueError.
    """
    state = PaiState(access_key_id, access_key_secret, behaviours)
    server = EmulatorHTTPServer((host, port), state)
    return RunningEmulator(server, host)


def parse_args(argv=None):
    """The command line; args.behaviours is the {name: value} map of the --behaviour flags."""
    parser = argparse.ArgumentParser(description='Local emulator of the Alibaba Cloud PAI AIWorkSpace API.')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8765, help='0 picks a free port')
    parser.add_argument('--access-key-id', default=DEFAULT_ACCESS_KEY_ID)
    parser.add_argument('--access-key-secret', default=DEFAULT_ACCESS_KEY_SECRET)
    parser.add_argument('--behaviour', dest='behaviour_flags', metavar='NAME=VALUE', action='append', default=[],
                        type=parse_behaviour_flag,
                        help='start value of a behaviour switch; repeatable, the last one of a name wins. '
                             'Switches (default first): %s' % known_behaviours().replace('%', '%%'))
    args = parser.parse_args(argv)
    args.behaviours = dict(args.behaviour_flags)
    return args


def main(argv=None):
    args = parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    running = serve_in_thread(args.host, args.port, args.access_key_id, args.access_key_secret,
                              behaviours=args.behaviours)
    print('PAI emulator listening on %s' % running.url, flush=True)
    while not stop.wait(0.2):
        pass
    running.stop()
    return 0
