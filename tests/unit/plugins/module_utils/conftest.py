# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The local PAI emulator (tests/emulator), started in-process on a free port, and its admin endpoints."""

import json
import os
import sys

import pytest
import requests

EMULATOR_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "emulator"))
if EMULATOR_DIR not in sys.path:
    sys.path.insert(0, EMULATOR_DIR)

import pai_emulator  # noqa: E402  pylint: disable=wrong-import-position

KEY_ID = "emulator-access-key-id"
KEY_SECRET = "emulator-access-key-secret"


@pytest.fixture(scope="module")
def emulator():
    server = pai_emulator.serve_in_thread(host="127.0.0.1", port=0, access_key_id=KEY_ID,
                                          access_key_secret=KEY_SECRET)
    yield server
    server.stop()


class Admin(object):
    """The emulator's unsigned admin endpoints."""

    def __init__(self, url):
        self.url = url

    def call(self, method, name, payload=None):
        response = requests.request(method, "%s/_emulator/%s" % (self.url, name),
                                    data=None if payload is None else json.dumps(payload),
                                    headers={"content-type": "application/json"}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def reset(self):
        return self.call("POST", "reset")

    def fault(self, **spec):
        return self.call("POST", "faults", spec)

    def clear_faults(self):
        return self.call("DELETE", "faults")

    def seed(self, **spec):
        return self.call("POST", "seed", spec)

    def behave(self, **values):
        return self.call("POST", "behaviours", values)

    def requests(self, action=None):
        return [entry for entry in self.call("GET", "requests") if action is None or entry["action"] == action]

    def clear_requests(self):
        return self.call("DELETE", "requests")

    def state(self, plain=False):
        return self.call("GET", "state?secrets=plain" if plain else "state")


@pytest.fixture
def admin(emulator):
    admin = Admin(emulator.url)
    admin.reset()
    return admin


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty HOME, so ``~/.aliyun/config.json`` is under the test's control."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("USERPROFILE", raising=False)
    return tmp_path
