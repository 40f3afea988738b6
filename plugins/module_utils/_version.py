# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module_utils file is PRIVATE to the alicloud.pai collection. It may change at any time.

"""The collection version, kept equal to galaxy.yml by a unit test."""

COLLECTION_VERSION = "0.1.0"
