# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The PAI API emulator's parts, one file per resource; tests/emulator/pai_emulator.py starts it (see README.md).

core: errors, parameter validation, behaviour switches, routes. state: PaiState. auth: signature checks.
workspaces, connections, models, model_versions: one resource each, with its routes. admin: /_emulator/.
server: routing and the HTTP server.
"""
