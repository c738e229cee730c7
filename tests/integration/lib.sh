# Shared by the shell tests (sourced, bash): locations of the programs and sources, and the TAP
# helpers of the lab (tests/lab/tap.sh).
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${MXSENTRY:=$top_builddir/mxsentry}"
: "${MXSENTRYD:=$top_builddir/mxsentryd}"
. "$top_srcdir/tests/lab/tap.sh"

# Run a command, capturing stdout, stderr and the exit code into OUT, ERR and RC.
run()
{
	local o e
	o=$(mktemp) e=$(mktemp)
	"$@" >"$o" 2>"$e" && RC=0 || RC=$?
	OUT=$(cat "$o") ERR=$(cat "$e")
	rm -f "$o" "$e"
}
