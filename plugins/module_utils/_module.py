# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module_utils file is PRIVATE to the alicloud.pai collection. It may change at any time.

"""What every alicloud.pai module shares: the common options, the client, and the exits."""

import traceback

from ansible.module_utils.basic import AnsibleModule, _load_params, missing_required_lib

from ansible_collections.alicloud.pai.plugins.module_utils import _credentials
from ansible_collections.alicloud.pai.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    PaiClient,
    PaiError,
    endpoint_url,
)

# Documented in plugins/doc_fragments/common.py. No environment fallbacks here: the
# environment and the profile file are read in _credentials.resolve, in one place.
COMMON_ARGUMENT_SPEC = dict(
    access_key_id=dict(type="str", no_log=False),
    access_key_secret=dict(type="str", no_log=True),
    security_token=dict(type="str", no_log=True),
    region=dict(type="str", aliases=["region_id"]),
    profile=dict(type="str"),
    shared_credentials_file=dict(type="path"),
    endpoint=dict(type="str"),
    validate_certs=dict(type="bool", default=True),
    connect_timeout=dict(type="float", default=10),
    timeout=dict(type="float", default=60),
    max_retries=dict(type="int", default=4),
    retry_max_wait=dict(type="float", default=60),
    recovery_timeout=dict(type="float", default=30),
    assume_role=dict(type="dict", options=dict(
        role_arn=dict(type="str", required=True),
        session_name=dict(type="str"),
        duration_seconds=dict(type="int", default=3600),
        external_id=dict(type="str", no_log=False),
        policy=dict(type="json"),
    )),
    ecs_role=dict(type="bool", default=False),
    ecs_role_name=dict(type="str"),
    ecs_metadata_endpoint=dict(type="str"),
    ecs_metadata_v1_fallback=dict(type="bool"),
    credentials_uri=dict(type="str"),
    sts_region=dict(type="str"),
    sts_endpoint=dict(type="str"),
)


AUTH_ERROR_WORDS = ("AccessKey", "Signature", "SecurityToken", "TimeStamp")
POSITIVE_OPTIONS = ("connect_timeout", "timeout")
NON_NEGATIVE_OPTIONS = ("max_retries", "retry_max_wait", "recovery_timeout")


class PaiModule(object):
    """An AnsibleModule with the common options, a lazily built client, and error exits."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(COMMON_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self.ansible = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)
        self.params = self.ansible.params
        self.check_mode = self.ansible.check_mode
        self._client = None
        self.refuse_structures_as_strings(spec)
        for name in POSITIVE_OPTIONS:
            if self.params[name] <= 0:
                self.ansible.fail_json(msg="%s must be more than 0 seconds, got %s" % (name, self.params[name]))
        for name in NON_NEGATIVE_OPTIONS:
            if self.params[name] < 0:
                self.ansible.fail_json(msg="%s must not be negative, got %s" % (name, self.params[name]))
        if not HAS_REQUESTS:
            self.ansible.fail_json(msg=missing_required_lib("requests"),
                                   exception="".join(traceback.format_exception_only(
                                       type(REQUESTS_IMPORT_ERROR), REQUESTS_IMPORT_ERROR)))

    def refuse_structures_as_strings(self, spec):
        """AnsibleModule turns a dict or list given to a string option into its Python text without a word (a
        filter ``label: {stage: prod}`` would match nothing): such a value fails, naming the option. The task's
        arguments as given come from ``_load_params``, which ansible-core offers modules for this kind of use."""
        try:
            given = _load_params()
        except Exception:  # pylint: disable=broad-except  # a harness that feeds parameters another way
            return
        for name, option in spec.items():
            if option.get("type", "str") != "str":
                continue
            for key in [name] + list(option.get("aliases") or []):
                value = given.get(key)
                if isinstance(value, (dict, list)):
                    similar = [other for other in (name + "s", name + "_ids") if spec.get(other, {}).get("type") in ("dict", "list")]
                    self.ansible.fail_json(msg="%s must be a string, got a %s%s" % (
                        key, "dict" if isinstance(value, dict) else "list",
                        "; %s takes a %s" % (similar[0], spec[similar[0]]["type"]) if similar else ""))

    @property
    def client(self):
        """The API client, built on first use so that input errors are reported before credential ones."""
        if self._client is None:
            try:
                credentials, region, endpoint = _credentials.resolve(self.params)
                for secret in (credentials.access_key_secret, credentials.security_token):
                    self.hide(secret)
                self._client = PaiClient(
                    credentials, endpoint_url(endpoint, region),
                    connect_timeout=self.params["connect_timeout"], read_timeout=self.params["timeout"],
                    validate_certs=self.params["validate_certs"], max_retries=self.params["max_retries"],
                    retry_max_wait=self.params["retry_max_wait"])
                for value in list(self.ansible.no_log_values):
                    self._client.add_secret(value)
            except PaiError as error:
                self.fail_error(error)
        return self._client

    def hide(self, value):
        """Mask ``value`` everywhere in this task's output, and in client error messages."""
        if isinstance(value, str) and value:
            self.ansible.no_log_values.add(value)
            if self._client is not None:
                self._client.add_secret(value)

    def warn(self, text):
        """A warning, with every secret value of this task masked (Ansible does not mask warnings)."""
        for value in sorted(self.ansible.no_log_values, key=len, reverse=True):
            if isinstance(value, str) and value:
                text = text.replace(value, "********")
        self.ansible.warn(text)

    def fail(self, msg, **result):
        self.ansible.fail_json(msg=msg, **result)

    def fail_error(self, error, **result):
        """End the task with a client error: a readable msg plus the structured ``error``."""
        msg = str(error)
        if self._client is not None and any(word in (error.code or "") for word in AUTH_ERROR_WORDS):
            msg += " (credentials from %s)" % self._client.credentials.source
        self.ansible.fail_json(msg=msg, error=error.to_dict(), **result)

    def exit(self, **result):
        self.ansible.exit_json(**result)
