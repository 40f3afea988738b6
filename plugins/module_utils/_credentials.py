# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module_utils file is PRIVATE to the alicloud.pai collection. It may change at any time.

"""Where credentials, region and endpoint come from.

Precedence, for each setting: the task option, then the environment (current names
before legacy ones), then the Alibaba Cloud CLI profile file (``~/.aliyun/config.json``,
profile modes ``AK`` and ``StsToken``). The access key pair and its STS token are taken
together from the first of those places that has any of them.
"""

import json
import os

from ansible_collections.alicloud.pai.plugins.module_utils._client import PaiConfigError

# option name -> environment variables, most preferred first
ENVIRONMENT = {
    "access_key_id": ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"),
    "access_key_secret": ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"),
    "security_token": ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"),
    "region": ("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION"),
    "profile": ("ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"),
    "shared_credentials_file": ("ALICLOUD_SHARED_CREDENTIALS_FILE",),
    "endpoint": ("ALIBABA_CLOUD_ENDPOINT_AIWORKSPACE", "AIWORKSPACE_ENDPOINT"),
}

PROFILE_MODES = ("AK", "StsToken")
DEFAULT_PROFILE_FILE = os.path.join("~", ".aliyun", "config.json")


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


def load_profile(options, environ):
    """The selected profile of the CLI config file as a dict, or None when there is no file.

    An explicitly named profile that is missing, or an unreadable file, is an error.
    """
    path = os.path.expanduser(setting(options, environ, "shared_credentials_file") or DEFAULT_PROFILE_FILE)
    name = setting(options, environ, "profile")
    if not os.path.isfile(path):
        if name:
            raise PaiConfigError("profile %r was asked for but the credentials file %s does not exist" % (name, path))
        return None
    try:
        with open(path) as handle:
            config = json.load(handle)
        profiles = dict((entry.get("name"), entry) for entry in config.get("profiles") or [])
    except (IOError, OSError, ValueError, AttributeError) as exc:
        raise PaiConfigError("cannot read the credentials file %s: %s" % (path, exc))
    name = name or config.get("current") or "default"
    if name not in profiles:
        raise PaiConfigError("profile %r not found in %s (profiles there: %s)"
                             % (name, path, ", ".join(sorted(str(key) for key in profiles)) or "none"))
    profile = dict(profiles[name])
    profile["_source"] = "profile %s in %s" % (name, path)
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


def resolve(options, environ=None):
    """Return ``(credentials, region, endpoint)`` for the task options ``options``.

    Raises ``PaiConfigError`` naming the options and variables to set when no
    credentials can be found.
    """
    environ = os.environ if environ is None else environ
    region = setting(options, environ, "region")
    endpoint = setting(options, environ, "endpoint")

    profile = None
    pair = key_pair(options, environ)
    if pair:
        credentials = Credentials(pair[0], pair[1], pair[2], source=pair[3])
        if not region and not endpoint:
            profile = load_profile(options, environ)
    else:
        profile = load_profile(options, environ)
        if profile is None:
            raise PaiConfigError(
                "No Alibaba Cloud credentials found: set the access_key_id and access_key_secret options, "
                "or the environment variables %s and %s, or a profile in %s (option profile, %s)"
                % (_env_names("access_key_id"), _env_names("access_key_secret"), DEFAULT_PROFILE_FILE,
                   _env_names("profile")))
        mode = profile.get("mode") or "AK"
        if mode not in PROFILE_MODES:
            raise PaiConfigError("%s has mode %r; the supported modes are %s"
                                 % (profile["_source"], mode, ", ".join(PROFILE_MODES)))
        if not profile.get("access_key_id") or not profile.get("access_key_secret"):
            raise PaiConfigError("%s has no access_key_id or access_key_secret" % profile["_source"])
        if mode == "StsToken" and not profile.get("sts_token"):
            raise PaiConfigError("%s has mode StsToken but no sts_token" % profile["_source"])
        credentials = Credentials(profile["access_key_id"], profile["access_key_secret"],
                                  profile.get("sts_token") if mode == "StsToken" else None,
                                  source=profile["_source"])
    if profile and not region:
        region = profile.get("region_id")
    return credentials, region, endpoint
