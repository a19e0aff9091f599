# SPDX-License-Identifier: GPL-2.0
#
# kscope_net header checks (see compat-net.h).
