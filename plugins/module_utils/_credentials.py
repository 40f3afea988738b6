# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module_utils file is PRIVATE to the alicloud.pai collection. It may change at any time.

"""Where credentials, region and endpoint come from.

Credentials come from the first source that applies (the authentication guide has this as a table):

1. the task options ``access_key_id`` / ``access_key_secret`` (/ ``security_token``);
2. the task options ``ecs_role`` / ``ecs_role_name``: the ECS instance RAM role;
3. the task option ``credentials_uri``;
4. the environment's key pair (``ALIBABA_CLOUD_ACCESS_KEY_ID`` ..., ``ALICLOUD_*``);
5. OIDC (ACK RRSA): ``ALIBABA_CLOUD_ROLE_ARN`` + ``ALIBABA_CLOUD_OIDC_PROVIDER_ARN`` + ``ALIBABA_CLOUD_OIDC_TOKEN_FILE``;
6. the Alibaba Cloud CLI profile file (modes AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC);
7. the environment's ECS role name (``ALIBABA_CLOUD_ECS_METADATA`` / ``ALICLOUD_ECS_ROLE_NAME``);
8. the environment's credentials URI (``ALIBABA_CLOUD_CREDENTIALS_URI`` / ``ALICLOUD_CREDENTIALS_URI``).

Sources 4 to 8 are the official SDK chain's, in its order, except that the instance metadata service is only
asked when a role name or ``ecs_role`` says so (the SDK probes it, which stalls off ECS). ``assume_role`` (or
``ALICLOUD_ASSUME_ROLE_ARN``) then assumes a RAM role with whatever the source gave.

The providers are written here on ``requests`` rather than taken from ``alibabacloud-credentials``: that package
brings 17 dependencies (aiohttp among them), starts a background refresh thread and logs to stderr, while a
module needs each source once per task: one STS or metadata request.
"""

import json
import os
import re
import time
import uuid

from ansible_collections.alicloud.pai.plugins.module_utils._client import PaiConfigError
from ansible_collections.alicloud.pai.plugins.module_utils._sts import STS_VERSION, rpc_encode, rpc_signature

try:
    import requests
except ImportError:  # pragma: no cover - reported by PaiModule through missing_required_lib
    requests = None

# option name -> environment variables, most preferred first
ENVIRONMENT = {
    "access_key_id": ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"),
    "access_key_secret": ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"),
    "security_token": ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"),
    "region": ("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION"),
    "profile": ("ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"),
    "shared_credentials_file": ("ALICLOUD_SHARED_CREDENTIALS_FILE",),
    "endpoint": ("ALIBABA_CLOUD_ENDPOINT_AIWORKSPACE", "AIWORKSPACE_ENDPOINT"),
    "ecs_role_name": ("ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME"),
    "credentials_uri": ("ALIBABA_CLOUD_CREDENTIALS_URI", "ALICLOUD_CREDENTIALS_URI"),
    "sts_region": ("ALIBABA_CLOUD_STS_REGION",),
    "sts_endpoint": ("ALIBABA_CLOUD_STS_ENDPOINT",),
    "role_arn": ("ALICLOUD_ASSUME_ROLE_ARN",),
    "session_name": ("ALICLOUD_ASSUME_ROLE_SESSION_NAME",),
    "external_id": ("ALIBABA_CLOUD_EXTERNAL_ID",),
}
OIDC_ENVIRONMENT = ("ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE")

PROFILE_MODES = ("AK", "StsToken", "RamRoleArn", "ChainableRamRoleArn", "EcsRamRole", "OIDC")
DEFAULT_PROFILE_FILE = os.path.join("~", ".aliyun", "config.json")
ECS_METADATA_ENDPOINT = "http://100.100.100.200"
METADATA_TIMEOUT = 1.0  # seconds, as the official SDK
DURATION_LIMITS = (900, 43200)
SESSION_NAME = re.compile(r"^[A-Za-z0-9.@_-]{2,64}$")
ROLE_ARN = re.compile(r"^acs:ram::[0-9*]+:role/.+$")


class Credentials(object):
    """An access key pair, optionally with an STS token; ``repr`` shows no secret."""

    def __init__(self, access_key_id, access_key_secret, security_token=None, source=None):
        # Surrounding whitespace (a newline pasted into a variable) would only make the signature fail.
        self.access_key_id = access_key_id.strip()
        self.access_key_secret = access_key_secret.strip()
        self.security_token = (security_token or "").strip() or None
        self.source = source

    def __repr__(self):
        return "Credentials(access_key_id=%r, source=%r, sts=%r)" % (
            self.access_key_id, self.source, bool(self.security_token))


def setting(options, environ, name):
    """The task option ``name`` or, when unset, the first of its environment variables that is set."""
    value = options.get(name)
    if value not in (None, ""):
        return value
    for variable in ENVIRONMENT[name]:
        if environ.get(variable):
            return environ[variable]
    return None


def _env_names(name):
    return " / ".join(ENVIRONMENT[name])


def load_profiles(options, environ):
    """``(path, profiles by name, current name)`` of the CLI config file, or None when there is no file."""
    path = os.path.expanduser(setting(options, environ, "shared_credentials_file") or DEFAULT_PROFILE_FILE)
    if not os.path.isfile(path):
        return None
    try:
        with open(path) as handle:
            config = json.load(handle)
        profiles = dict((entry.get("name"), entry) for entry in config.get("profiles") or [])
    except (IOError, OSError, ValueError, AttributeError) as exc:
        raise PaiConfigError("cannot read the credentials file %s: %s" % (path, exc))
    return path, profiles, config.get("current")


def load_profile(options, environ):
    """The selected profile of the CLI config file as a dict, or None when there is no file.

    An explicitly named profile that is missing, or an unreadable file, is an error.
    """
    name = setting(options, environ, "profile")
    loaded = load_profiles(options, environ)
    if loaded is None:
        if name:
            path = os.path.expanduser(setting(options, environ, "shared_credentials_file") or DEFAULT_PROFILE_FILE)
            raise PaiConfigError("profile %r was asked for but the credentials file %s does not exist" % (name, path))
        return None
    path, profiles, current = loaded
    return pick_profile(path, profiles, name or current or "default")


def pick_profile(path, profiles, name):
    if name not in profiles:
        raise PaiConfigError("profile %r not found in %s (profiles there: %s)"
                             % (name, path, ", ".join(sorted(str(key) for key in profiles)) or "none"))
    profile = dict(profiles[name])
    profile["_source"] = "profile %s in %s" % (name, path)
    profile["_path"], profile["_profiles"] = path, profiles
    return profile


def key_pair(options, environ):
    """``(access_key_id, access_key_secret, security_token, source)`` from the task options, else from the
    environment, or None when neither gives any half of a pair. The pair and its token always come from the
    same place, so a stale token or half a pair elsewhere is never mixed in."""
    if options.get("security_token") and not (options.get("access_key_id") or options.get("access_key_secret")):
        raise PaiConfigError("the security_token option is set but access_key_id and access_key_secret are not; a key "
                             "pair and its token are taken from one place only, so give all three as options")
    if options.get("access_key_id") or options.get("access_key_secret"):
        found = [options.get(name) for name in ("access_key_id", "access_key_secret", "security_token")]
        source = "the task options"
        names = dict((name, "the %s option" % name) for name in ("access_key_id", "access_key_secret"))
    else:
        found = [next((environ[variable] for variable in ENVIRONMENT[name] if environ.get(variable)), None)
                 for name in ("access_key_id", "access_key_secret", "security_token")]
        source = "the environment"
        names = dict((name, _env_names(name)) for name in ("access_key_id", "access_key_secret"))
        if not found[0] and not found[1]:
            return None
    for have, missing in (("access_key_id", "access_key_secret"), ("access_key_secret", "access_key_id")):
        if not found[("access_key_id", "access_key_secret").index(missing)]:
            raise PaiConfigError("%s is set but %s is not; a key pair is taken from one place only (task options, "
                                 "else environment, else profile file)" % (names[have], names[missing]))
    return found[0], found[1], found[2], source


def truthy(value):
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


class Providers(object):
    """The requests that turn a source into credentials: STS AssumeRole and AssumeRoleWithOIDC, the ECS instance
    metadata service and a credentials URI. Each message says which source and which step failed; none carries a
    secret, a token or a URL with its query (an OIDC token travels in one)."""

    def __init__(self, options, environ, session=None, clock=time.time):
        self.options = options
        self.environ = environ
        self.session = session or (requests.Session() if requests else None)
        self.timeout = (options.get("connect_timeout") or 10, options.get("timeout") or 60)
        self.verify = options.get("validate_certs", True)
        self.clock = clock
        self.secrets = []

    def redact(self, text):
        """``text`` without any secret this resolution handled, also as it looks percent-encoded once or twice."""
        for secret in sorted(set(secret for secret in self.secrets if secret), key=len, reverse=True):
            for form in (secret, rpc_encode(secret), rpc_encode(rpc_encode(secret))):
                text = text.replace(form, "********")
        return text

    def fail(self, source, step, reason):
        raise PaiConfigError(self.redact("credentials from %s: %s failed: %s" % (source, step, reason)))

    def send(self, source, step, method, url, **kwargs):
        """One request; a failure to get an answer is reported with the host only."""
        host = re.sub(r"^(\w+://[^/?#]+).*$", r"\1", url)
        try:
            return self.session.request(method, url, allow_redirects=False, **kwargs)
        except requests.exceptions.RequestException as exc:
            self.fail(source, step, "%s is unreachable (%s)" % (host, type(exc).__name__))

    # -- STS -----------------------------------------------------------------------------------------

    def sts_url(self, region=None):
        endpoint = setting(self.options, self.environ, "sts_endpoint")
        if endpoint:
            return (endpoint if "://" in endpoint else "https://" + endpoint).rstrip("/") + "/"
        region = setting(self.options, self.environ, "sts_region") or region
        if not region:
            return "https://sts.aliyuncs.com/"
        vpc = truthy(self.environ.get("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"))
        return "https://sts%s.%s.aliyuncs.com/" % ("-vpc" if vpc else "", region)

    def sts_answer(self, source, step, response):
        try:
            data = response.json()
        except ValueError:
            data = {}
        found = data.get("Credentials") if isinstance(data, dict) else None
        if response.status_code == 200 and isinstance(found, dict) and all(
                found.get(key) for key in ("AccessKeyId", "AccessKeySecret", "SecurityToken")):
            self.secrets.extend([found["AccessKeySecret"], found["SecurityToken"]])
            return found
        code = data.get("Code") if isinstance(data, dict) else None
        message = data.get("Message") if isinstance(data, dict) else None
        self.fail(source, step, "HTTP %s, %s: %s" % (response.status_code, code or "no code",
                                                     message or "the answer holds no credentials"))

    def assume_role(self, credentials, role, source):
        """AssumeRole of ``role`` (role_arn, session_name, duration_seconds, external_id, policy) with
        ``credentials``: a GET with an RPC (V2, HMAC-SHA1) signature."""
        self.secrets.extend([credentials.access_key_secret, credentials.security_token or ""])
        query = {
            "Action": "AssumeRole", "Version": STS_VERSION, "Format": "JSON", "AccessKeyId": credentials.access_key_id,
            "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock())),
            "RoleArn": role["role_arn"], "RoleSessionName": role["session_name"],
            "DurationSeconds": str(role["duration_seconds"]),
        }
        if role.get("external_id"):
            query["ExternalId"] = role["external_id"]
        if role.get("policy"):
            query["Policy"] = role["policy"]
        if credentials.security_token:
            query["SecurityToken"] = credentials.security_token
        query["Signature"] = rpc_signature(credentials.access_key_secret, "GET", query)
        step = "AssumeRole of %s" % role["role_arn"]
        where = "%s, assuming %s" % (credentials.source, role["role_arn"])
        found = self.sts_answer(where, step, self.send(where, step, "GET", self.sts_url(role.get("sts_region")),
                                                       params=query, timeout=self.timeout, verify=self.verify))
        return Credentials(found["AccessKeyId"], found["AccessKeySecret"], found["SecurityToken"],
                           source="role %s (session %s) assumed with %s" % (role["role_arn"], role["session_name"],
                                                                            source or credentials.source))

    def assume_role_with_oidc(self, role, provider_arn, token_file, source):
        step = "reading the OIDC token file %s" % token_file
        try:
            with open(os.path.expanduser(token_file)) as handle:
                token = handle.read().strip()
        except (IOError, OSError) as exc:
            self.fail(source, step, exc.strerror or type(exc).__name__)
        if not token:
            self.fail(source, step, "the file is empty")
        self.secrets.append(token)
        query = {
            "Action": "AssumeRoleWithOIDC", "Version": STS_VERSION, "Format": "JSON",
            "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock())),
            "RoleArn": role["role_arn"], "OIDCProviderArn": provider_arn, "OIDCToken": token,
            "RoleSessionName": role["session_name"], "DurationSeconds": str(role["duration_seconds"]),
        }
        if role.get("policy"):
            query["Policy"] = role["policy"]
        step = "AssumeRoleWithOIDC of %s" % role["role_arn"]
        found = self.sts_answer(source, step, self.send(source, step, "GET", self.sts_url(role.get("sts_region")),
                                                        params=query, timeout=self.timeout, verify=self.verify))
        return Credentials(found["AccessKeyId"], found["AccessKeySecret"], found["SecurityToken"],
                           source="role %s (session %s) assumed with the OIDC token of %s"
                           % (role["role_arn"], role["session_name"], source))

    # -- instance metadata and credentials URI --------------------------------------------------------

    def metadata_credentials(self, source, step, response):
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code != 200 or not isinstance(data, dict) or data.get("Code") != "Success" or not all(
                data.get(key) for key in ("AccessKeyId", "AccessKeySecret", "SecurityToken")):
            code = data.get("Code") if isinstance(data, dict) else None
            self.fail(source, step, "HTTP %s, %s" % (response.status_code, code or "not a Success answer"))
        self.secrets.extend([data["AccessKeySecret"], data["SecurityToken"]])
        return Credentials(data["AccessKeyId"], data["AccessKeySecret"], data["SecurityToken"], source=source)

    def ecs_role(self, role_name, source):
        """The instance RAM role's credentials: an IMDSv2 token first (v1 without it only when allowed)."""
        base = (self.options.get("ecs_metadata_endpoint") or ECS_METADATA_ENDPOINT).rstrip("/")
        timeout = (METADATA_TIMEOUT, METADATA_TIMEOUT)
        headers = {}
        response = self.send(source, "getting an instance metadata token", "PUT", base + "/latest/api/token",
                             headers={"X-aliyun-ecs-metadata-token-ttl-seconds": "21600"}, timeout=timeout)
        if response.status_code == 200 and response.text.strip():
            headers["X-aliyun-ecs-metadata-token"] = response.text.strip()
            self.secrets.append(response.text.strip())
        elif not self.v1_allowed():
            self.fail(source, "getting an instance metadata token (IMDSv2)", "HTTP %s, and the v1 fallback is off"
                      % response.status_code)
        path = base + "/latest/meta-data/ram/security-credentials/"
        if not role_name:
            response = self.send(source, "discovering the instance RAM role", "GET", path, headers=headers,
                                 timeout=timeout)
            role_name = response.text.strip().splitlines()[0] if response.status_code == 200 else ""
            if not role_name:
                self.fail(source, "discovering the instance RAM role", "HTTP %s, no role attached to the instance"
                          % response.status_code)
        step = "reading the credentials of the instance RAM role %s" % role_name
        source = "the ECS instance RAM role %s (%s)" % (role_name, source)
        return self.metadata_credentials(source, step, self.send(source, step, "GET", path + role_name,
                                                                 headers=headers, timeout=timeout))

    def v1_allowed(self):
        allowed = self.options.get("ecs_metadata_v1_fallback")
        if allowed is None:
            return not truthy(self.environ.get("ALIBABA_CLOUD_IMDSV1_DISABLED"))
        return allowed

    def credentials_uri(self, uri, source):
        step = "reading the credentials URI"
        return self.metadata_credentials(source, step, self.send(source, step, "GET", uri, timeout=self.timeout,
                                                                 verify=self.verify))


# -- the chain ---------------------------------------------------------------------------------------


def role_settings(spec, source):
    """A role to assume: ``role_arn``, ``session_name``, ``duration_seconds``, ``external_id``, ``policy``,
    checked before any request."""
    role = dict(spec)
    if not role.get("role_arn") or not ROLE_ARN.match(role["role_arn"]):
        raise PaiConfigError("%s: role_arn %r is not a RAM role ARN like acs:ram::<account id>:role/<role name>"
                             % (source, role.get("role_arn")))
    role["session_name"] = role.get("session_name") or "alicloud-pai-%d" % int(time.time())
    if not SESSION_NAME.match(role["session_name"]):
        raise PaiConfigError("%s: session_name %r must be 2 to 64 letters, digits and . @ - _"
                             % (source, role["session_name"]))
    duration = role.get("duration_seconds") or 3600
    try:
        duration = int(duration)
    except (TypeError, ValueError):
        duration = 0
    if not DURATION_LIMITS[0] <= duration <= DURATION_LIMITS[1]:
        raise PaiConfigError("%s: duration_seconds must be %d to %d, got %r"
                             % ((source,) + DURATION_LIMITS + (role.get("duration_seconds"),)))
    role["duration_seconds"] = duration
    policy = role.get("policy")
    if policy:
        try:  # sent compact: STS services differ on how a space in a signed value is encoded
            role["policy"] = json.dumps(json.loads(policy) if isinstance(policy, str) else policy,
                                        separators=(",", ":"))
        except ValueError:
            raise PaiConfigError("%s: policy is not JSON" % source)
    return role


def from_profile(profile, providers, visited=()):
    """Credentials of a CLI profile, by its mode; ChainableRamRoleArn follows source_profile (no cycles)."""
    source = profile["_source"]
    mode = profile.get("mode") or "AK"
    if mode not in PROFILE_MODES:
        raise PaiConfigError("%s has mode %r; the supported modes are %s" % (source, mode, ", ".join(PROFILE_MODES)))
    role = dict(role_arn=profile.get("ram_role_arn"), duration_seconds=profile.get("expired_seconds"),
                session_name=profile.get("ram_session_name") or profile.get("role_session_name"),
                external_id=profile.get("external_id"), policy=profile.get("policy"),
                sts_region=profile.get("sts_region"))
    if mode == "EcsRamRole":
        return providers.ecs_role(profile.get("ram_role_name"), source)
    if mode == "OIDC":
        if not profile.get("oidc_provider_arn") or not profile.get("oidc_token_file"):
            raise PaiConfigError("%s has mode OIDC but no oidc_provider_arn or oidc_token_file" % source)
        return providers.assume_role_with_oidc(role_settings(role, source),
                                               profile["oidc_provider_arn"], profile["oidc_token_file"], source)
    if mode == "ChainableRamRoleArn":
        name = profile.get("source_profile")
        if not name:
            raise PaiConfigError("%s has mode ChainableRamRoleArn but no source_profile" % source)
        if name in visited or name == profile.get("name"):
            raise PaiConfigError("%s: source_profile %r makes a cycle (%s)"
                                 % (source, name, " -> ".join(list(visited) + [profile.get("name"), name])))
        parent = pick_profile(profile["_path"], profile["_profiles"], name)
        base = from_profile(parent, providers, tuple(visited) + (profile.get("name"),))
        return providers.assume_role(base, role_settings(role, source), source)
    if not profile.get("access_key_id") or not profile.get("access_key_secret"):
        raise PaiConfigError("%s has no access_key_id or access_key_secret" % source)
    if mode == "StsToken" and not profile.get("sts_token"):
        raise PaiConfigError("%s has mode StsToken but no sts_token" % source)
    credentials = Credentials(profile["access_key_id"], profile["access_key_secret"],
                              profile.get("sts_token") if mode == "StsToken" else None, source=source)
    if mode == "RamRoleArn":
        return providers.assume_role(credentials, role_settings(role, source), source)
    return credentials


def explicit_sources(options):
    """The sources the task options name, in the order they would be used."""
    found = []
    if options.get("access_key_id") or options.get("access_key_secret") or options.get("security_token"):
        found.append("access_key_id/access_key_secret")
    if options.get("ecs_role") or options.get("ecs_role_name"):
        found.append("ecs_role/ecs_role_name")
    if options.get("credentials_uri"):
        found.append("credentials_uri")
    return found


def source_credentials(options, environ, providers):
    """``(credentials, profile)`` from the first source that applies (see the module docstring)."""
    named = explicit_sources(options)
    if len(named) > 1:
        raise PaiConfigError("the task options name more than one source of credentials (%s); give one"
                             % ", ".join(named))
    pair = key_pair(options, environ) if not named or named[0].startswith("access_key") else None
    if pair and pair[3] == "the task options":
        return Credentials(pair[0], pair[1], pair[2], source=pair[3]), None
    if options.get("ecs_role") or options.get("ecs_role_name"):
        return providers.ecs_role(options.get("ecs_role_name"), "the ecs_role/ecs_role_name options"), None
    if options.get("credentials_uri"):
        return providers.credentials_uri(options["credentials_uri"], "the credentials_uri option"), None
    if pair:
        return Credentials(pair[0], pair[1], pair[2], source=pair[3]), None
    if all(environ.get(name) for name in OIDC_ENVIRONMENT):
        role = role_settings(dict(role_arn=environ["ALIBABA_CLOUD_ROLE_ARN"],
                                  session_name=environ.get("ALIBABA_CLOUD_ROLE_SESSION_NAME")), "the OIDC environment")
        return providers.assume_role_with_oidc(role, environ["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"],
                                               environ["ALIBABA_CLOUD_OIDC_TOKEN_FILE"], "the OIDC environment"), None
    profile = None
    if options.get("profile") or not truthy(environ.get("ALIBABA_CLOUD_CLI_PROFILE_DISABLED")):
        profile = load_profile(options, environ)
    if profile is not None:
        return from_profile(profile, providers), profile
    role_name = setting({}, environ, "ecs_role_name")
    if role_name:
        return providers.ecs_role(role_name, "the environment (%s)" % _env_names("ecs_role_name")), None
    uri = setting({}, environ, "credentials_uri")
    if uri:
        return providers.credentials_uri(uri, "the environment (%s)" % _env_names("credentials_uri")), None
    raise PaiConfigError(
        "No Alibaba Cloud credentials found: set the access_key_id and access_key_secret options, "
        "or the environment variables %s and %s, or a profile in %s (option profile, %s); or use an ECS instance "
        "RAM role (ecs_role, ecs_role_name), OIDC (%s) or a credentials URI (credentials_uri)"
        % (_env_names("access_key_id"), _env_names("access_key_secret"), DEFAULT_PROFILE_FILE,
           _env_names("profile"), ", ".join(OIDC_ENVIRONMENT)))


def resolve(options, environ=None, session=None):
    """Return ``(credentials, region, endpoint)`` for the task options ``options``.

    Raises ``PaiConfigError`` naming the options and variables to set when no credentials can be found, or
    saying which source and which step failed.
    """
    environ = os.environ if environ is None else environ
    region = setting(options, environ, "region")
    endpoint = setting(options, environ, "endpoint")
    providers = Providers(options, environ, session)
    credentials, profile = source_credentials(options, environ, providers)
    role = options.get("assume_role")
    if not role and setting({}, environ, "role_arn"):
        role = dict(role_arn=setting({}, environ, "role_arn"), session_name=setting({}, environ, "session_name"),
                    external_id=setting({}, environ, "external_id"))
    if role:
        role = role_settings(dict(role, sts_region=setting(options, environ, "sts_region")), "assume_role")
        credentials = providers.assume_role(credentials, role, None)
    if profile is None and not region and not endpoint and (
            options.get("profile") or not truthy(environ.get("ALIBABA_CLOUD_CLI_PROFILE_DISABLED"))):
        profile = load_profile(options, environ)  # for its region
    if profile and not region:
        region = profile.get("region_id")
    return credentials, region, endpoint
