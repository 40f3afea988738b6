# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the AWX-style job tests: the collection installed from its tarball, as in an execution environment.

``PAI_COLLECTION_TARBALL`` (set by ``tests/utils/ci.py``) names the tarball to install; without it the tarball is
built from the checkout with ``ansible-galaxy collection build``. The ``guide`` fixture reads the code blocks of
``docs/docsite/rst/guide_awx.rst``, so that the tests use what the guide documents, not a copy of it.
"""

import os
import re
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUIDE = os.path.join(ROOT, 'docs', 'docsite', 'rst', 'guide_awx.rst')

sys.path.insert(0, os.path.join(ROOT, 'tests', 'utils'))

from collection_fixtures import collection_tarball, collections_path, venv_tool  # noqa: E402,F401 pylint: disable=unused-import


def rst_code_blocks(text):
    """``[(lead, language, body)]`` for every ``.. code-block::`` of an RST text; ``lead`` is the last text line before it."""
    lines = text.splitlines()
    blocks = []
    lead = ''
    index = 0
    while index < len(lines):
        line = lines[index]
        match = re.match(r'^(\s*)\.\. code-block::\s*(\S+)\s*$', line)
        if not match:
            if line.strip() and not line.lstrip().startswith('..'):
                lead = line.strip()
            index += 1
            continue
        indent = len(match.group(1))
        body = []
        index += 1
        while index < len(lines) and (not lines[index].strip() or len(lines[index]) - len(lines[index].lstrip()) > indent):
            body.append(lines[index])
            index += 1
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        width = min(len(item) - len(item.lstrip()) for item in body if item.strip())
        blocks.append((lead, match.group(2), '\n'.join(item[width:] for item in body) + '\n'))
    return blocks


class Guide:
    """The code blocks of the AWX guide."""

    def __init__(self, path):
        self.path = path
        with open(path, encoding='utf-8') as handle:
            self.blocks = rst_code_blocks(handle.read())

    def text(self, lead=None, contains=None):
        """The one code block after the text line ``lead`` and/or containing ``contains``."""
        found = [body for block_lead, _language, body in self.blocks
                 if (lead is None or block_lead == lead) and (contains is None or contains in body)]
        assert len(found) == 1, 'expected one code block in %s (after %r, containing %r), found %d' % (
            os.path.relpath(self.path, ROOT), lead, contains, len(found))
        return found[0]

    def yaml(self, lead=None, contains=None):
        """The one code block after ``lead`` and/or containing ``contains``, parsed as YAML."""
        return yaml.safe_load(self.text(lead, contains))


@pytest.fixture(scope='session')
def guide():
    return Guide(GUIDE)
