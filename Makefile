# SPDX-License-Identifier: GPL-2.0
#
# kscope: the out-of-tree module contract.
#   make                  modules for the running kernel (or KDIR=...), and the reader
#   make KDIR=/path       modules against any configured kernel tree
#   make install          modules_install + depmod, reader to $(PREFIX)/sbin, its
#                         man page, bash completion and JSON schema under $(PREFIX)/share
#   make kernels          modules (with test modules) for every kernel fetched
#                         by scripts/fetch-kernels, in .cache/build/<version>/
#   make check            the test suite in a guest of every supported kernel

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local
KSCOPE_KERNELS ?= 6.1 6.12 7.2

.PHONY: all modules reader install install-reader modules_install clean kernels check

all: modules reader

modules:
	@test -d "$(KDIR)" || { echo "kscope: no kernel build tree at $(KDIR); install the headers for $(KVER) or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

reader:
	$(MAKE) -C userspace

modules_install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(KVER) || true

install: modules_install install-reader

install-reader: reader
	install -D -m 0755 userspace/kscope $(DESTDIR)$(PREFIX)/sbin/kscope
	install -D -m 0644 userspace/kscope.8 $(DESTDIR)$(PREFIX)/share/man/man8/kscope.8
	install -D -m 0644 userspace/kscope.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/kscope
	install -D -m 0644 userspace/kscope.schema.json \
		$(DESTDIR)$(PREFIX)/share/kscope/kscope.schema.json

kernels:
	@for v in $(KSCOPE_KERNELS); do scripts/build-modules --kernel $$v || exit 1; done

check:
	scripts/run-tests

clean:
	-test -d "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C userspace clean
