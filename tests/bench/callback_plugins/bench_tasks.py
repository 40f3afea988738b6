# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmark's callback (tests/bench/bench.py enables it): the wall time of every task and, when the emulator's
URL is given, the PAI API requests each task sent, written as JSON when the playbook ends."""

from __future__ import annotations

DOCUMENTATION = """
name: bench_tasks
type: aggregate
short_description: the wall time and the emulator requests of every task, for tests/bench/bench.py
description:
  - Writes a JSON list, one entry per task, to the file named by C(BENCH_TASKS_FILE).
  - With C(BENCH_EMULATOR_URL) set, it reads and then clears the emulator's request log after every task.
requirements:
  - enabled by tests/bench/bench.py
"""

import json
import os
import time
import urllib.request

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_tasks'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tasks = []
        self.current = None
        self.emulator = os.environ.get('BENCH_EMULATOR_URL')

    def _admin(self, method):
        request = urllib.request.Request(self.emulator.rstrip('/') + '/_emulator/requests', method=method)
        with urllib.request.urlopen(request, timeout=60) as response:  # nosec: the loopback emulator
            return json.load(response)

    def _close(self):
        """Finish the current task: its requests are all in the log by now (the next task has not started)."""
        if self.current is not None:
            if self.emulator:
                entries = self._admin('GET')
                self._admin('DELETE')
                self.current['requests'] = [entry.get('action') or '%s %s' % (entry.get('method'), entry.get('path'))
                                            for entry in entries]
            self.tasks.append(self.current)
            self.current = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        if self.emulator:
            self._admin('DELETE')  # what ran between tasks (nothing does, but never count it)
        self.current = {'name': task.get_name(), 'status': None, 'changed': None, 'start': time.monotonic(), 'seconds': None}

    def _result(self, result, status):
        if self.current is not None:
            self.current['seconds'] = time.monotonic() - self.current['start']  # first: reading the result takes time
            self.current['status'] = status
            self.current['changed'] = bool((result.result if hasattr(result, 'result') else result._result).get('changed'))

    def v2_runner_on_ok(self, result):
        self._result(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, 'ignored' if ignore_errors else 'failed')

    def v2_runner_on_skipped(self, result):
        self._result(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._result(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        self._close()
        with open(os.environ['BENCH_TASKS_FILE'], 'w', encoding='utf-8') as handle:
            json.dump(self.tasks, handle, indent=1)
