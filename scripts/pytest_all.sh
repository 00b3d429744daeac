#!/usr/bin/env bash
# `make pytest`: the whole suite, the Spark tests included. The Spark tests (a JVM that keeps
# about one core busy for minutes) run in the background while the others run, each half in
# its own pytest session and temp folder; both halves must pass. The others run on two
# pytest-xdist workers, a test module per worker at a time (`--dist loadscope`: a module's
# fixtures, such as a build, are made once): most of their time is dbt's single-threaded
# Python, so one session alone leaves a core idle. Usage: pytest_all.sh BIN (the virtual
# environment's bin folder). Any further arguments go to both sessions.
set -u
bin=${1:?usage: pytest_all.sh BIN [pytest args]}
shift
work=$(mktemp -d "${TMPDIR:-/tmp}/fullfunnel-pytest.XXXXXX")
spark_log="$work/spark.log"

FULLFUNNEL_SPARK_PARITY=1 "$bin/pytest" -k spark --basetemp "$work/spark" "$@" \
    >"$spark_log" 2>&1 &
spark_pid=$!
# a make interrupted here must not leave the Spark session running
trap 'kill "$spark_pid" 2>/dev/null; exit 130' INT TERM

echo "==> pytest: the Spark tests run in the background (their output follows the rest)"
FULLFUNNEL_REQUIRE_CHROMIUM=1 FULLFUNNEL_SPARK_PARITY=1 "$bin/pytest" -k "not spark" \
    --numprocesses 2 --dist loadscope --basetemp "$work/rest" "$@"
rest=$?

echo "==> pytest: waiting for the Spark tests"
wait "$spark_pid"
spark=$?
cat "$spark_log"
echo "==> pytest: exit $rest (all but Spark), exit $spark (Spark)"
if [ "$rest" -eq 0 ] && [ "$spark" -eq 0 ]; then
    rm -rf "$work"
    exit 0
fi
echo "pytest failed; its temp folders are kept in $work" >&2
exit 1
