# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment(object):
    # The option `workspace` of every module that takes `workspace_id` for the workspace an object lives in.
    DOCUMENTATION = r"""
options:
  workspace:
    description:
      - The name of the workspace, instead of O(workspace_id); mutually exclusive with it. It can be set once in
        C(module_defaults) for C(group/alicloud.pai.pai) (then set O(workspace_id) nowhere in that scope).
      - Resolved by exact name with one more request (a list of workspaces by name) on every run.
      - When no workspace has the name, the task fails listing the workspaces there are, except with
        C(state=absent) of a resource module, where nothing can exist in it and the task reports no change.
    type: str
"""
