# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for the ``get-pip.py`` bootstrap script that ansible-test downloads.

ansible-test creates its virtual environments without pip and then runs a ``get-pip`` script that it
downloads from a host this machine cannot reach, unless a copy is cached at
``~/.ansible/test/cache/get_pip_<version>.py``. The ansible-test sessions of ``noxfile.py`` copy this file
to that cache path for every pip version pinned by the ansible-core releases installed under ``.nox/``.

It bootstraps pip with the standard library's ``ensurepip`` and then runs
``python -m pip install --upgrade <arguments>``, where the arguments are those ansible-test passes to
get-pip (for example ``pip==25.2``), minus get-pip's own ``--no-setuptools``/``--no-wheel`` switches.

``ensurepip`` removes the ``PIP_*`` variables from the environment and points pip's configuration at
``/dev/null``; the environment is saved before it runs and handed unchanged to the pip install, so the
machine's pip settings (index, certificates, timeouts) still apply.
"""

from __future__ import annotations

import os
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel', '--no-pip')


def main():
    """Bootstrap pip with ensurepip, then install the requested packages with it."""
    saved_env = dict(os.environ)
    arguments = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]

    status = subprocess.call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])

    if status == 0 and arguments:
        status = subprocess.call([sys.executable, '-m', 'pip', 'install', '--upgrade'] + arguments, env=saved_env)

    sys.exit(status)


if __name__ == '__main__':
    main()
