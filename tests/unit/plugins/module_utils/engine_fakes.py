# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the resource engine uses of PaiModule, as a fake the unit tests drive."""

import json
import pytest

COMMON_DEFAULTS = dict(recovery_timeout=30)


class Exit(Exception):
    def __init__(self, result):
        super(Exit, self).__init__(result)
        self.result = result


class Failed(Exception):
    def __init__(self, result):
        super(Failed, self).__init__(result.get("msg"))
        self.result = dict(result, failed=True)


class FakeAnsible(object):
    def __init__(self, diff):
        self._diff = diff
        self.warnings = []
        self.no_log_values = set()

    def warn(self, text):
        self.warnings.append(text)


class FakeModule(object):
    """The module side of the engine: parameters, check mode, exits; ``hide`` and ``warn`` as PaiModule has them."""

    def __init__(self, params, client, check_mode=False, diff=True):
        self.params = dict(COMMON_DEFAULTS, **params)
        self.client = client
        self.check_mode = check_mode
        self.ansible = FakeAnsible(diff)
        self.hidden = set()

    def hide(self, value):
        self.hidden.add(value)

    def warn(self, text):
        for value in sorted(self.hidden, key=len, reverse=True):
            text = text.replace(value, "********")
        self.ansible.warn(text)

    def fail(self, msg, **result):
        result["msg"] = msg
        raise Failed(result)

    def fail_error(self, error, **result):
        raise Failed(dict(result, msg=str(error), error=error.to_dict()))

    def exit(self, **result):
        raise Exit(result)


def run(resource):
    """Run the engine; the result of exit or fail (``failed`` set for a failure), warnings included."""
    with pytest.raises((Exit, Failed)) as caught:
        resource.run()
    result = dict(caught.value.result)
    result["warnings"] = list(resource.module.ansible.warnings)
    return result


def diff_data(result, side):
    """One side of a result's ``diff`` (JSON text, "" for an absent object) as data."""
    text = result["diff"][side]
    assert isinstance(text, str) and (text == "" or text.endswith("\n"))
    return json.loads(text) if text else {}
