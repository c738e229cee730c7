# shellcheck shell=bash
# Readers of scenarios.tsv shared by pki.sh, mail.sh, web.sh and selftest-tls.sh (sourced, bash).
#
#   lab_mx_rows        one line per MX entry that has a listener address, in file order:
#                      DOMAIN HOST IPV4 IPV6 PROFILE POLICY TLSA   (IPV6 is "-" when absent)
#   lab_policy_rows    one line per domain with an MTA-STS policy host, in file order:
#                      DOMAIN POLICY HOST...   (the domain's MX hosts, in file order)
#
# The caller must have sourced lab.env. LAB_SCENARIOS may point at another table (tests do).
# Output is space-separated: no field of the table contains a space once the MX column is split.

LAB_SCENARIOS=${LAB_SCENARIOS:-$(dirname "${BASH_SOURCE[0]}")/../scenarios.tsv}

# Yields the table's data lines as "DOMAIN ZONE MX STS POLICY RPT TLSA" with MX still joined by
# spaces (so it stays the third TAB field); comments and blank lines are dropped.
lab_scenario_lines()
{
	# The expected finding (last column) is for the agent's tests, not for the lab's servers.
	local domain zone mx sts policy rpt tlsa
	while IFS=$'\t' read -r domain zone mx sts policy rpt tlsa _; do
		[[ -z $domain || $domain == \#* ]] && continue
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
			"$domain" "$zone" "$mx" "$sts" "$policy" "$rpt" "$tlsa"
	done <"$LAB_SCENARIOS"
}

lab_mx_rows()
{
	local domain zone mx sts policy rpt tlsa entry host addrs profile v4 v6
	while IFS=$'\t' read -r domain zone mx sts policy rpt tlsa; do
		# RFC 7505 null MX: nothing listens for it.
		[[ $mx == null ]] && continue
		for entry in $mx; do
			IFS=/ read -r _ host addrs profile <<<"$entry"
			v4=${addrs%%,*}
			v6=-
			[[ $addrs == *,* ]] && v6=${addrs#*,}
			printf '%s %s %s %s %s %s %s\n' \
				"$domain" "$host" "$v4" "$v6" "$profile" "$policy" "$tlsa"
		done
	done < <(lab_scenario_lines)
}

lab_policy_rows()
{
	local domain zone mx sts policy rpt tlsa entry host rest hosts
	while IFS=$'\t' read -r domain zone mx sts policy rpt tlsa; do
		[[ $policy == - ]] && continue
		hosts=
		for entry in $mx; do
			IFS=/ read -r _ host rest <<<"$entry"
			hosts+=" $host"
		done
		printf '%s %s%s\n' "$domain" "$policy" "$hosts"
	done < <(lab_scenario_lines)
}
