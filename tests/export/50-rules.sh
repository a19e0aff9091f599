#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's fleet recipe is valid and is what the repository ships:
# promtool checks contrib/prometheus/kscope.rules.yml (recording rules:
# run-queue p99, lost-events rate; the alert on losing events) and runs
# its unit test (kscope.rules.test.yml: given series, the recorded values
# and the alert firing after 2 minutes of loss, not before), checks the
# scrape configuration (file-based service discovery), and every line of
# those files is in the README.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-export.sh"
ex_need promtool
# a checkout's, or the kscope package's examples
C=$KS_TOP/contrib/prometheus
[ -d "$C" ] || C=/usr/share/doc/kscope/examples
[ -f "$C/kscope.rules.yml" ] ||
	ks_skip_all "no kscope.rules.yml: neither a checkout nor the kscope package's examples"
ktap_plan 4

out=$(promtool check rules "$C/kscope.rules.yml" 2>&1)
ktap_check "promtool check rules kscope.rules.yml ($(grep -o '[0-9]* rules found' <<<"$out"))" \
	"$out" grep -q 'SUCCESS: 4 rules found' <<<"$out"
out=$(cd "$C" && promtool test rules kscope.rules.test.yml 2>&1)
ktap_check "promtool test rules: recorded rates, p99 bucket, the alert fires after 2 m of loss" \
	"$out" test $? = 0
out=$(cd "$C" && promtool check config prometheus.yml 2>&1)
ktap_check "promtool check config prometheus.yml (file_sd scrape jobs, the rules)" \
	"$out" test $? = 0
missing=""
if [ -f "$KS_TOP/README.md" ] && [ -d "$KS_TOP/contrib" ]; then
	for f in prometheus.yml kscope.rules.yml kscope-targets.yml; do
		while IFS= read -r l; do
			[[ -z $l || $l == "# SPDX"* ]] && continue
			grep -qxF "    $l" "$KS_TOP/README.md" || missing="$missing
$f: $l"
		done <"$C/$f"
	done
	ktap_check "README's recipe is the shipped files, line for line" "$missing" test -z "$missing"
else
	ktap_skip "README's recipe is the shipped files" "no README.md beside the tests"
fi
ktap_done
