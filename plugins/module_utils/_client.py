# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module_utils file is PRIVATE to the alicloud.pai collection. It may change at any time.

"""HTTP client for the Alibaba Cloud PAI Workspace (AIWorkSpace 2021-02-04) API.

One ``requests`` session per client. Every request is signed with ACS3-HMAC-SHA256
(the "V3" signature of the official SDKs), retried with capped, jittered exponential
backoff when the service says it is busy, and turned into a typed error otherwise.

The retry loop is written here rather than taken from ``urllib3.util.Retry`` because
the decision needs the parsed error body (PAI signals throttling with HTTP 400 and a
``Throttling.*`` code), a fresh signature per attempt (each one needs a new nonce and
date), the ``x-acs-retry-after`` header, a bound on the total time spent waiting, and
the rule that a create request which may have reached the server is never sent again.
"""

import datetime
import hashlib
import hmac
import json
import platform
import random
import time
import uuid

from urllib.parse import quote, urlsplit

try:
    import requests
    from requests.exceptions import ConnectTimeout, SSLError
    from urllib3.exceptions import MaxRetryError, NewConnectionError
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the import sanity test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.alicloud.pai.plugins.module_utils._version import COLLECTION_VERSION

API_VERSION = "2021-02-04"
SIGNATURE_ALGORITHM = "ACS3-HMAC-SHA256"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"

# Every action the collection calls: HTTP method, path template, and for list
# actions the paging style and the key that holds the items.
ACTIONS = {
    "CreateConnection": ("POST", "/api/v1/connections", None, None),
    "GetConnection": ("GET", "/api/v1/connections/{ConnectionId}", None, None),
    "UpdateConnection": ("PUT", "/api/v1/connections/{ConnectionId}", None, None),
    "DeleteConnection": ("DELETE", "/api/v1/connections/{ConnectionId}", None, None),
    "ListConnections": ("GET", "/api/v1/connections", "token", "Connections"),
    "ValidateConnection": ("POST", "/api/v1/connections/validate", None, None),
    "CreateModel": ("POST", "/api/v1/models", None, None),
    "GetModel": ("GET", "/api/v1/models/{ModelId}", None, None),
    "UpdateModel": ("PUT", "/api/v1/models/{ModelId}", None, None),
    "DeleteModel": ("DELETE", "/api/v1/models/{ModelId}", None, None),
    "ListModels": ("GET", "/api/v1/models", "page", "Models"),
    "CreateModelLabels": ("POST", "/api/v1/models/{ModelId}/labels", None, None),
    "DeleteModelLabels": ("DELETE", "/api/v1/models/{ModelId}/labels", None, None),
    "CreateModelVersion": ("POST", "/api/v1/models/{ModelId}/versions", None, None),
    "GetModelVersion": ("GET", "/api/v1/models/{ModelId}/versions/{VersionName}", None, None),
    "UpdateModelVersion": ("PUT", "/api/v1/models/{ModelId}/versions/{VersionName}", None, None),
    "DeleteModelVersion": ("DELETE", "/api/v1/models/{ModelId}/versions/{VersionName}", None, None),
    "ListModelVersions": ("GET", "/api/v1/models/{ModelId}/versions", "page", "Versions"),
    "CreateModelVersionLabels": ("POST", "/api/v1/models/{ModelId}/versions/{VersionName}/labels", None, None),
    "DeleteModelVersionLabels": ("DELETE", "/api/v1/models/{ModelId}/versions/{VersionName}/labels", None, None),
    "CreateWorkspace": ("POST", "/api/v1/workspaces", None, None),
    "GetWorkspace": ("GET", "/api/v1/workspaces/{WorkspaceId}", None, None),
    "UpdateWorkspace": ("PUT", "/api/v1/workspaces/{WorkspaceId}", None, None),
    "DeleteWorkspace": ("DELETE", "/api/v1/workspaces/{WorkspaceId}", None, None),
    "ChangeResourceGroup": ("PUT", "/resourcegroups/action/changeresourcegroup", None, None),
    "ListWorkspaces": ("GET", "/api/v1/workspaces", "page", "Workspaces"),
    "GetDefaultWorkspace": ("GET", "/api/v1/defaultWorkspaces", None, None),
}

# POST actions that change nothing, so sending them twice is harmless.
REPEATABLE_POSTS = frozenset(["ValidateConnection"])

# The largest page the collection asks for. The API reference does not state a
# maximum; 100 is the largest value its examples and the SDK docs use, and the
# emulator enforces it.
MAX_PAGE_SIZE = 100
# Page sizes tried, in order, when the service answers InvalidParameter for a larger one.
SMALLER_PAGE_SIZES = (50, 20, 10)

# Business codes that mean "the object does not exist" (pai-api.md section 13).
NOT_FOUND_CODES = frozenset([
    "RequestFailedErrorProblem",  # connection
    "201900002",  # model
    "201900003",  # model version
    "100400027", "100400008", "100700008",  # workspace
])

RETRY_BACKOFF_BASE = 0.5
RETRY_BACKOFF_CAP = 20.0


class PaiError(Exception):
    """Base class of every error the client raises."""

    http_status = None
    code = None
    request_id = None

    def __init__(self, message):
        super(PaiError, self).__init__(message)
        self.message = message

    def __str__(self):
        return self.message

    def to_dict(self):
        """The ``error`` entry of a failed task result."""
        return {
            "http_status": self.http_status,
            "code": self.code,
            "message": self.message,
            "request_id": self.request_id,
        }


class PaiApiError(PaiError):
    """The API answered with an error status."""

    def __init__(self, message, http_status, code, request_id=None, host_id=None,
                 recommend=None, retry_after=None, action=None):
        super(PaiApiError, self).__init__(message)
        self.http_status = http_status
        self.code = code
        self.request_id = request_id
        self.host_id = host_id
        self.recommend = recommend
        self.retry_after = retry_after
        self.action = action

    @property
    def is_not_found(self):
        """True when the object asked for does not exist (not for unknown keys or routes)."""
        if self.code in NOT_FOUND_CODES:
            return True
        return self.http_status == 404 and (not self.code or self.code.isdigit())

    @property
    def is_conflict(self):
        """True when the service refused a create because an object of that name exists. The code for this
        is not documented, so the answer is recognised by HTTP 409 or by its words."""
        words = ("%s %s" % (self.code or "", self.message or "")).lower().replace(" ", "")
        return self.http_status == 409 or "alreadyexist" in words or "duplicat" in words

    @property
    def is_throttling(self):
        return "Throttling" in (self.code or "") or self.http_status == 429

    def __str__(self):
        text = "%s failed: HTTP %s, %s: %s" % (self.action or "Request", self.http_status, self.code, self.message)
        if self.request_id:
            text += " (request id %s)" % self.request_id
        return text

    def __repr__(self):
        return "PaiApiError(http_status=%r, code=%r, request_id=%r)" % (self.http_status, self.code, self.request_id)


class PaiConnectionError(PaiError):
    """No answer came back: the endpoint was unreachable, the connection dropped, or it timed out.

    ``request_sent`` tells whether the request may have reached the server; when it is
    true for a create request, the change may or may not have been applied.
    """

    code = "ConnectionError"

    def __init__(self, message, request_sent, action=None, retryable=True):
        super(PaiConnectionError, self).__init__(message)
        self.request_sent = request_sent
        self.action = action
        self.retryable = retryable

    def __repr__(self):
        return "PaiConnectionError(request_sent=%r, action=%r)" % (self.request_sent, self.action)


class PaiConfigError(PaiError):
    """The client cannot be set up: missing credentials, region or endpoint, unreadable profile."""

    code = "ConfigurationError"


def percent_encode(value):
    """RFC 3986 encoding: everything but ``A-Z a-z 0-9 - _ . ~`` is escaped, UTF-8 first."""
    return quote(str(value), safe="~")


def query_value(value):
    """Turn one query parameter into the string the API expects."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        if any(isinstance(item, (dict, list)) for item in value):
            return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        return ",".join(query_value(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def canonical_query_string(query):
    """Sorted ``name=value`` pairs, both RFC 3986 encoded, joined with ``&``."""
    return "&".join(
        "%s=%s" % (percent_encode(name), percent_encode(value))
        for name, value in sorted(query.items())
    )


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def authorization_header(method, path, query, headers, access_key_id, access_key_secret):
    """The ACS3-HMAC-SHA256 ``Authorization`` value for a request.

    ``path`` is the path exactly as sent (already percent-encoded), ``query`` the
    decoded parameters, ``headers`` every header to sign (``x-acs-content-sha256``
    among them). Returns ``(authorization, canonical_request)``.
    """
    signed = {}
    for name, value in headers.items():
        signed.setdefault(name.lower(), []).append(str(value).strip())
    names = sorted(signed)
    canonical_headers = "".join("%s:%s\n" % (name, ",".join(sorted(signed[name]))) for name in names)
    signed_headers = ";".join(names)
    canonical_request = "\n".join([
        method.upper(),
        path or "/",
        canonical_query_string(query),
        canonical_headers,
        signed_headers,
        signed["x-acs-content-sha256"][0],
    ])
    string_to_sign = "%s\n%s" % (SIGNATURE_ALGORITHM, sha256_hex(canonical_request.encode("utf-8")))
    signature = hmac.new(access_key_secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    authorization = "%s Credential=%s,SignedHeaders=%s,Signature=%s" % (
        SIGNATURE_ALGORITHM, access_key_id, signed_headers, signature)
    return authorization, canonical_request


# Regions the SDK's endpoint map sends to the central endpoint (pai-api.md section 1.1).
CENTRAL_ENDPOINT_REGIONS = frozenset("""
ap-northeast-2-pop ap-southeast-2 cn-beijing-finance-1 cn-beijing-finance-pop cn-beijing-gov-1
cn-beijing-nu16-b01 cn-edge-1 cn-fujian cn-haidian-cm12-c01 cn-hangzhou-bj-b01 cn-hangzhou-finance
cn-hangzhou-internal-prod-1 cn-hangzhou-internal-test-1 cn-hangzhou-internal-test-2
cn-hangzhou-internal-test-3 cn-hangzhou-test-306 cn-hongkong-finance-pop cn-huhehaote
cn-huhehaote-nebula-1 cn-qingdao cn-qingdao-nebula cn-shanghai-et15-b01 cn-shanghai-et2-b01
cn-shanghai-inner cn-shanghai-internal-test-1 cn-shenzhen-finance-1 cn-shenzhen-inner
cn-shenzhen-st4-d01 cn-shenzhen-su18-b01 cn-wuhan cn-yushanfang cn-zhangbei cn-zhangbei-na61-b01
cn-zhangjiakou-na62-a01 cn-zhengzhou-nebula-1 eu-west-1 eu-west-1-oxs me-east-1 rus-west-1-pop
""".split())
SPECIAL_ENDPOINTS = {"ap-southeast-5": "aiworkspace-vpc.ap-southeast-5.aliyuncs.com"}


def endpoint_url(endpoint=None, region=None):
    """Base URL from an explicit endpoint (host or full URL) or else from the region."""
    if endpoint:
        endpoint = endpoint.strip()
        if "://" not in endpoint:
            endpoint = "https://" + endpoint
        endpoint = endpoint.rstrip("/")
        parts = urlsplit(endpoint)
        try:
            valid_port = parts.port is None or parts.port > 0
        except ValueError:  # a port that is not a number, or out of range
            valid_port = False
        if not valid_port or parts.scheme not in ("http", "https") or not parts.hostname:
            raise PaiConfigError("endpoint %r is not a host name or an http(s) URL" % endpoint)
        return endpoint
    if not region:
        raise PaiConfigError(
            "No region or endpoint given: set the region option (or ALIBABA_CLOUD_REGION_ID / ALICLOUD_REGION, "
            "or region_id in the profile), or the endpoint option (or ALIBABA_CLOUD_ENDPOINT_AIWORKSPACE / AIWORKSPACE_ENDPOINT).")
    region = region.strip()
    if region in SPECIAL_ENDPOINTS:
        host = SPECIAL_ENDPOINTS[region]
    elif region in CENTRAL_ENDPOINT_REGIONS:
        host = "aiworkspace.aliyuncs.com"
    else:
        host = "aiworkspace.%s.aliyuncs.com" % region
    return "https://" + host


def user_agent():
    try:
        from ansible.module_utils.ansible_release import __version__ as ansible_version
    except ImportError:  # pragma: no cover - only outside ansible-core
        ansible_version = "unknown"
    return "AlibabaCloud-Ansible alicloud.pai/%s ansible-core/%s Python/%s" % (
        COLLECTION_VERSION, ansible_version, platform.python_version())


def _request_was_sent(exc):
    """Whether a requests connection error happened after the request went out."""
    if isinstance(exc, ConnectTimeout):
        return False
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return not isinstance(reason, NewConnectionError)


class PaiClient(object):
    """Signed, retrying access to the PAI Workspace API.

    ``credentials`` is a ``_credentials.Credentials``; ``sleep``, ``clock`` and
    ``jitter`` exist so tests can run the backoff without waiting.
    """

    def __init__(self, credentials, endpoint, connect_timeout=10, read_timeout=60, validate_certs=True,
                 max_retries=4, retry_max_wait=60, session=None, sleep=time.sleep, jitter=random.uniform,
                 clock=time.monotonic):
        if not HAS_REQUESTS:
            raise PaiConfigError("The Python library 'requests' is required but could not be imported: %s"
                                 % REQUESTS_IMPORT_ERROR)
        self.credentials = credentials
        self.base_url = endpoint.rstrip("/")
        self.host = urlsplit(self.base_url).netloc
        self.base_path = urlsplit(self.base_url).path
        self.timeout = (connect_timeout, read_timeout)
        self.max_retries = max_retries
        self.retry_max_wait = retry_max_wait
        self.session = session or requests.Session()
        self.session.verify = validate_certs
        self.validate_certs = validate_certs
        self.user_agent = user_agent()
        self._sleep = sleep
        self._jitter = jitter
        self._clock = clock
        self._secrets = set()
        for secret in (credentials.access_key_secret, credentials.security_token):
            self.add_secret(secret)

    def __repr__(self):
        return "PaiClient(endpoint=%r, access_key_id=%r)" % (self.base_url, self.credentials.access_key_id)

    def add_secret(self, value):
        """Never let ``value`` appear in an error message this client raises."""
        if value and isinstance(value, str):
            self._secrets.add(value)
            # also as it looks inside a JSON string (a server message may quote the request body)
            for escaped in (json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]):
                if escaped:
                    self._secrets.add(escaped)

    def redact(self, text):
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "********")
        return text

    # -- one request ---------------------------------------------------------------------------------

    def call(self, action, path_params=None, query=None, body=None):
        """Send one action and return the decoded JSON answer, retrying when that is safe."""
        method, template, dummy, dummy = ACTIONS[action]
        path = self.base_path + template.format(**dict(
            (name, percent_encode(value)) for name, value in (path_params or {}).items()))
        query = dict((name, query_value(value)) for name, value in (query or {}).items() if value is not None)
        payload = None
        if body is not None:
            payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        repeatable = method != "POST" or action in REPEATABLE_POSTS

        attempt = 0
        waited = 0.0
        started = self._clock()
        while True:
            try:
                return self._send(action, method, path, query, payload)
            except (PaiApiError, PaiConnectionError) as error:
                delay, limit = self._retry_delay(error, attempt, repeatable)
                if delay is not None and waited + delay > self.retry_max_wait:
                    delay, limit = None, ("waiting %.1f s more would pass retry_max_wait (%g s)"
                                          % (delay, self.retry_max_wait))
                if delay is None:
                    if attempt:
                        error.message += " (%d attempts in %.1f s, %.1f s of it waiting between them; %s)" % (
                            attempt + 1, self._clock() - started, waited,
                            ("stopped: " + limit) if limit else "this error is not retried")
                    elif limit:
                        error.message += " (not retried: %s)" % limit
                    raise
            self._sleep(delay)
            waited += delay
            attempt += 1

    def _retry_delay(self, error, attempt, repeatable):
        """``(seconds to wait before the next attempt, None)``, or ``(None, the limit that stops the retries)``,
        or ``(None, None)`` when the error is not one to retry."""
        if isinstance(error, PaiConnectionError):
            if not error.retryable or (error.request_sent and not repeatable):
                return None, None
        elif not (error.is_throttling or error.code == "ServiceUnavailable" or error.http_status == 503
                  or (repeatable and error.http_status >= 500)):
            return None, None
        if attempt >= self.max_retries:
            return None, ("max_retries (%d) reached" % self.max_retries) if self.max_retries else "max_retries is 0"
        if getattr(error, "retry_after", None):
            # x-acs-retry-after is in milliseconds: the official SDKs sleep retry_after / 1000 seconds.
            return error.retry_after / 1000.0, None
        ceiling = min(RETRY_BACKOFF_CAP, RETRY_BACKOFF_BASE * (2 ** attempt))
        return self._jitter(ceiling / 2, ceiling), None

    def _send(self, action, method, path, query, payload):
        body = payload if payload is not None else b""
        headers = {
            "host": self.host,
            "x-acs-action": action,
            "x-acs-version": API_VERSION,
            "x-acs-date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "x-acs-signature-nonce": uuid.uuid4().hex,
            "x-acs-content-sha256": sha256_hex(body),
        }
        if payload is not None:
            headers["content-type"] = JSON_CONTENT_TYPE
        if self.credentials.security_token:
            headers["x-acs-accesskey-id"] = self.credentials.access_key_id
            headers["x-acs-security-token"] = self.credentials.security_token
        headers["Authorization"] = authorization_header(
            method, path, query, headers, self.credentials.access_key_id, self.credentials.access_key_secret)[0]
        headers["accept"] = "application/json"
        headers["user-agent"] = self.user_agent
        url = self.base_url[:len(self.base_url) - len(self.base_path)] + path
        if query:
            url += "?" + canonical_query_string(query)
        try:
            # verify is passed on every request: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a
            # session-level verify=False, which would silently ignore validate_certs=false.
            response = self.session.request(method, url, data=payload, headers=headers, timeout=self.timeout,
                                            allow_redirects=False, verify=self.validate_certs)
        except SSLError as exc:
            raise PaiConnectionError(self.redact(
                "%s: TLS error talking to %s: %s (set validate_certs=false only for a trusted test endpoint)"
                % (action, self.host, exc)), request_sent=False, action=action, retryable=False)
        except requests.exceptions.Timeout as exc:
            sent = not isinstance(exc, ConnectTimeout)
            raise PaiConnectionError(self.redact("%s: timed out talking to %s (%s)" % (action, self.host, exc)),
                                     request_sent=sent, action=action)
        except requests.exceptions.ConnectionError as exc:
            raise PaiConnectionError(self.redact("%s: connection to %s failed: %s" % (action, self.host, exc)),
                                     request_sent=_request_was_sent(exc), action=action)
        except (requests.exceptions.RequestException, ValueError) as exc:
            if isinstance(exc, ValueError):  # InvalidHeader, InvalidURL, http.client's header check: not sent
                raise PaiConfigError(self.redact("%s: cannot send a request to %s: %s" % (action, self.host, exc)))
            # e.g. ChunkedEncodingError: the answer was cut off, so the request did arrive
            raise PaiConnectionError(self.redact("%s: the answer from %s was broken: %s" % (action, self.host, exc)),
                                     request_sent=True, action=action)
        return self._decode(action, response)

    def _decode(self, action, response):
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code < 400 and isinstance(data, dict):
            return data
        if not isinstance(data, dict):
            data = {}
        code = data.get("Code") or data.get("code")
        message = data.get("Message") or data.get("message")
        if response.status_code < 400:
            code, message = "InvalidResponse", "the answer is not a JSON object"
        if not code:
            code = "HTTP%s" % response.status_code
            # redact before cutting, or a secret straddling the cut would leak its first part
            message = message or (response.reason or "") + (
                ": " + self.redact(response.text)[:200] if response.text else "")
        retry_after = response.headers.get("x-acs-retry-after")
        try:
            retry_after = int(retry_after) if retry_after and int(retry_after) > 0 else None
        except ValueError:
            retry_after = None
        raise PaiApiError(
            self.redact(str(message or "")), http_status=response.status_code, code=str(code),
            request_id=data.get("RequestId") or data.get("requestId") or response.headers.get("x-acs-request-id"),
            host_id=data.get("HostId"), recommend=data.get("Recommend"), retry_after=retry_after, action=action)

    # -- lists ---------------------------------------------------------------------------------------

    def first_page(self, action, path_params, query, size_parameter):
        """The first page, asked with the largest page size the service accepts: MAX_PAGE_SIZE, or the next
        smaller of SMALLER_PAGE_SIZES when the service refuses a size as too large (its maximum is not
        documented). Returns ``(page, page_size)``."""
        sizes = [query[size_parameter]] + [size for size in SMALLER_PAGE_SIZES if size < query[size_parameter]]
        for index, size in enumerate(sizes):
            query[size_parameter] = size
            try:
                return self.call(action, path_params, query), size
            except PaiApiError as error:
                if (index + 1 == len(sizes) or error.code != "InvalidParameter"
                        or size_parameter not in (error.message or "")):
                    raise

    def paginate(self, action, query=None, path_params=None, page_size=MAX_PAGE_SIZE):
        """Yield every item of a list action, following either paging style to the end."""
        dummy, dummy, style, items_key = ACTIONS[action]
        query = dict(query or {})
        if style == "token":
            seen_tokens = set()
            query["MaxResults"] = page_size
            page, page_size = self.first_page(action, path_params, query, "MaxResults")
            while True:
                batch = page.get(items_key) or []
                yield from batch
                token = page.get("NextToken")
                if not token or not batch:
                    return
                if token in seen_tokens:
                    raise PaiApiError("NextToken %r came back twice; the API is paging in a circle" % token,
                                      http_status=None, code="InvalidResponse", action=action)
                seen_tokens.add(token)
                query["NextToken"] = token
                page = self.call(action, path_params, query)
        count = 0
        page_number = 1
        previous = None
        query.update(PageNumber=page_number, PageSize=page_size)
        page, page_size = self.first_page(action, path_params, query, "PageSize")
        while True:
            batch = page.get(items_key) or []
            if batch and batch == previous:
                raise PaiApiError("page %d repeats the previous page; the API ignores PageNumber" % page_number,
                                  http_status=None, code="InvalidResponse", action=action)
            previous = batch
            yield from batch
            count += len(batch)
            total = page.get("TotalCount")
            # TotalCount, when given, decides: a server that caps the page size returns short pages
            # before the end. Without it, a short page is the last one.
            if not batch or (count >= int(total) if total is not None else len(batch) < page_size):
                return
            page_number += 1
            query.update(PageNumber=page_number)
            page = self.call(action, path_params, query)
