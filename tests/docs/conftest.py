# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the module documentation tests (shared with tests/awx, in tests/utils/collection_fixtures.py).

``PAI_COLLECTION_TARBALL`` (set by ``tests/utils/ci.py``) names the tarball to install; without it the tarball is
built from the checkout with ``ansible-galaxy collection build``.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'utils'))

from collection_fixtures import collection_tarball, collections_path  # noqa: E402,F401 pylint: disable=unused-import
