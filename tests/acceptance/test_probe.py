# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The acceptance probe tells every value of every emulator behaviour switch apart, and leaves nothing behind."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'emulator'))

import probe  # noqa: E402  pylint: disable=wrong-import-position
import pai_emulator  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.alicloud.pai.plugins.module_utils._client import PaiClient  # noqa: E402
from ansible_collections.alicloud.pai.plugins.module_utils._credentials import Credentials  # noqa: E402

# Switches the probe does not report. workspace_transitions is a timing knob for tests: telling its values apart
# means creating workspaces, whose names then stay reserved for 14 days on a real account. sts_assume_role,
# sts_duration and ecs_metadata are test knobs of the emulated credential services (STS, instance metadata), not
# PAI behaviours: the probe asks PAI only, and a real account's STS and metadata service are what they are.
NOT_PROBED = frozenset(['workspace_transitions', 'sts_assume_role', 'sts_duration', 'ecs_metadata'])
CASES = [(name, value) for name, values in sorted(pai_emulator.BEHAVIOURS.items()) for value in values
         if name not in NOT_PROBED]


def probe_under(behaviours, page_objects=0):
    server = pai_emulator.serve_in_thread(port=0, behaviours=behaviours)
    try:
        client = PaiClient(Credentials(pai_emulator.DEFAULT_ACCESS_KEY_ID, pai_emulator.DEFAULT_ACCESS_KEY_SECRET),
                           server.url, sleep=lambda seconds: None)
        report = probe.run(client, pai_emulator.DEFAULT_WORKSPACE_ID, 'acc-test', page_objects)
        left = (dict(server.state.connections), dict(server.state.models))
    finally:
        server.stop()
    return report, left


@pytest.mark.parametrize('name, value', CASES, ids=['%s=%s' % case for case in CASES])
def test_probe_tells_each_behaviour_and_cleans_up(name, value):
    report, left = probe_under({name: value}, page_objects=51 if name == 'page_size' else 0)
    assert report['behaviours'][name]['value'] == value, report['behaviours'][name]
    assert report['errors'] == {} and report['cleanup_problems'] == []
    assert left == ({}, {})
    others = dict((other, finding['value']) for other, finding in report['behaviours'].items()
                  if other in probe.DEFAULTS and other != name)
    expected = dict((other, default) for other, default in probe.DEFAULTS.items() if other != name)
    if name != 'page_size':
        expected['page_size'] = others['page_size']  # inconclusive without the extra objects
    assert others == expected


def test_markdown_report_names_every_behaviour_and_escapes_pipes():
    report, dummy = probe_under({})
    text = probe.markdown(report)
    for name in probe.DEFAULTS:
        assert '| `%s` |' % name in text
    report['errors'] = {'x': 'a | b'}
    assert 'a \\| b' in probe.markdown(report)


def test_a_failing_probe_is_reported_and_its_objects_are_still_deleted():
    server = pai_emulator.serve_in_thread(port=0)
    try:
        server.state.faults.append({'action': 'GetModel', 'count': 1, 'type': 'error', 'status': 400,
                                    'code': 'InvalidParameter', 'message': 'no', 'seconds': 0, 'retry_after': None})
        client = PaiClient(Credentials(pai_emulator.DEFAULT_ACCESS_KEY_ID, pai_emulator.DEFAULT_ACCESS_KEY_SECRET),
                           server.url, sleep=lambda seconds: None)
        report = probe.run(client, pai_emulator.DEFAULT_WORKSPACE_ID, 'acc-fail')
        assert 'InvalidParameter' in report['errors']['update_fields']
        assert 'update_fields' not in report['behaviours'] and 'plain_text' in report['behaviours']
        assert server.state.connections == {} and server.state.models == {}
    finally:
        server.stop()


def test_the_probe_reports_every_switch_but_the_excluded_ones():
    assert set(probe.DEFAULTS) == set(pai_emulator.BEHAVIOURS) - NOT_PROBED
    assert all(probe.DEFAULTS[name] == pai_emulator.DEFAULT_BEHAVIOURS[name] for name in probe.DEFAULTS)
