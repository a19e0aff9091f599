# SPDX-License-Identifier: GPL-2.0
#
# Header checks for kscope_probe (see include/kscope/compat-probe.h).

# 6.4: kallsyms_on_each_symbol() callbacks lost their struct module argument
KSCOPE_FEATURES += $(call kscope_has,linux/kallsyms.h,void \*. const char \*. unsigned long,KSCOPE_HAVE_KALLSYMS_EACH_NOMOD)
