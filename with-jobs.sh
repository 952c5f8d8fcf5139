#!/bin/bash
# with-jobs.sh COMMAND…: run COMMAND (the web server) with the job consumer beside it
# (huey: `huey_consumer webapp.ops.jobs.huey`, which runs OneRoster imports). A signal to
# this script stops both; when either of them ends, the other is stopped too.
set -u
"${HUEY_CONSUMER:-huey_consumer}" webapp.ops.jobs.huey --workers "${JOB_WORKERS:-2}" &
consumer=$!
"$@" &
server=$!
stop() { kill -TERM "$server" "$consumer" 2>/dev/null; }
trap stop INT TERM
wait -n "$server" "$consumer"
status=$?
stop
wait
exit "$status"
