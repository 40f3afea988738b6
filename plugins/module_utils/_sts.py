# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module_utils file is PRIVATE to the alicloud.pai collection. It may change at any time.

"""Temporary credentials from Alibaba Cloud STS: the RPC (signature V2, HMAC-SHA1) requests AssumeRole and
AssumeRoleWithOIDC send."""

import base64
import hashlib
import hmac

from urllib.parse import quote

STS_VERSION = "2015-04-01"


def rpc_encode(value):
    """RFC 3986 percent-encoding as the RPC signature wants it: ``A-Z a-z 0-9 - _ . ~`` kept, a space as %20."""
    return quote(str(value), safe="-_.~")


def rpc_string_to_sign(method, query):
    """``GET&%2F&<encoded canonical query>``: the sorted, encoded ``name=value`` pairs, encoded once more."""
    canonical = "&".join("%s=%s" % (rpc_encode(name), rpc_encode(value)) for name, value in sorted(query.items()))
    return "%s&%s&%s" % (method.upper(), rpc_encode("/"), rpc_encode(canonical))


def rpc_signature(access_key_secret, method, query):
    """The ``Signature`` of an RPC request: base64 HMAC-SHA1 keyed with the secret and ``&``."""
    digest = hmac.new((access_key_secret + "&").encode("utf-8"), rpc_string_to_sign(method, query).encode("utf-8"),
                      hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")
