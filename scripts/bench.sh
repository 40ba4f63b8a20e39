#!/usr/bin/env bash
# The benchmarks of issue 8, end to end; prints a table. Not part of CI.
#   bash scripts/bench.sh                 # everything
#   ONLY=ingest|sweep|startup|update|delivery bash scripts/bench.sh
# Knobs: BUILD_DIR (build-bench), BIN (a build dir to measure instead of building one),
# DURATION (10 s per ingest kind), CONNECTIONS (32), PROJECTS (1000), TASKS (100), PORT (18080),
# KINDS ("slack-commands slack-events feishu dingtalk"), PLATFORMS (fake: replies and digests go to
# bench_platforms, the tests' fake Slack/Feishu/DingTalk, and are delivered once; closed: to a port
# nothing listens on, so they fail and are retried with back-off, as sessions 2-4 measured).
#
# What it does: builds trackerd and bench/ (RelWithDebInfo, -DTRACKERD_BENCH=ON), builds the
# synthetic organisation (PROJECTS x TASKS, cached per day), then
#   sweep    bench_sweep: load + rules + digest render + platform rows for every chat
#   startup  trackerd on that database until GET /healthz answers (10 runs), idle RSS
#   update   bench_update: SQLite's floor for the rows of one update (16 and 64 per commit), and
#            trackerd's update path below HTTP (InboundHandler, 32 threads), on a copy of the org
#   delivery PER_CHAT (3) messages queued for each of the PROJECTS chats (bench_update backlog:
#            each chat's real digest), then trackerd started with the fake platforms: time until
#            every row is sent, against the platforms' pacing (PLATFORMS=fake only)
#   ingest   per kind: pre-signed requests (bench_org requests), wrk -t1 -cCONNECTIONS, then the
#            progress-log rows written by that platform are counted in the database and
#            compared with the 2xx wrk saw. CPU per request from /proc/PID/stat, peak RSS VmHWM.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build-bench}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
PROJECTS=${PROJECTS:-1000}
TASKS=${TASKS:-100}
PORT=${PORT:-18080}
KINDS=${KINDS:-"slack-commands slack-events feishu dingtalk"}
ONLY=${ONLY:-all}

bash scripts/install-deps.sh --bench >/dev/null
if [ -z "${BIN:-}" ]; then  # BIN=another build dir measures that build instead (before/after)
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} -DTRACKERD_BENCH=ON >/dev/null
  cmake --build "$BUILD_DIR" -j 2 --target trackerd bench_org bench_sweep bench_update bench_platforms >/dev/null
  BIN=$ROOT/$BUILD_DIR
fi
WORK=$ROOT/$BUILD_DIR/bench-data
mkdir -p "$WORK"
TODAY=$(date -u +%F)
ORG=$WORK/org-$PROJECTS-$TASKS-$TODAY.db
if [ ! -f "$ORG" ]; then
  echo "building the synthetic organisation ($PROJECTS x $TASKS) ..." >&2
  rm -f "$ORG" "$ORG-wal" "$ORG-shm"
  "$BIN/bench/bench_org" db "$ORG.tmp" --projects "$PROJECTS" --tasks "$TASKS" --today "$TODAY"
  sqlite3 "$ORG.tmp" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  mv "$ORG.tmp" "$ORG"
fi

now_ms() { date +%s%3N; }
rss_kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)
PID=""
stop_trackerd() { if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; fi; }
FAKES_PID=""
stop_all() { stop_trackerd; if [ -n "$FAKES_PID" ]; then exec 9>&-; wait "$FAKES_PID" 2>/dev/null || true; fi; }
trap stop_all EXIT

# The platforms replies and digests go to (PLATFORMS=fake): bench_platforms serves until fd 9 closes.
PLATFORMS=${PLATFORMS:-fake}
API_ARGS=(); SESSION_ARGS=()
if [ "$PLATFORMS" = fake ]; then
  rm -f "$WORK/fakes.out"; mkfifo "$WORK/fakes.in" 2>/dev/null || true
  "$BIN/bench/bench_platforms" <"$WORK/fakes.in" >"$WORK/fakes.out" 2>>"$WORK/fakes.log" &
  FAKES_PID=$!
  exec 9>"$WORK/fakes.in"
  until [ -s "$WORK/fakes.out" ]; do sleep 0.01; done
  fake() { tr ' ' '\n' <"$WORK/fakes.out" | sed -n "s/^$1=//p"; }
  API_ARGS=(--slack-api "$(fake slack)" --feishu-api "$(fake feishu)" --dingtalk-api "$(fake dingtalk)")
  SESSION_ARGS=(--dingtalk-session "$(fake dingtalk_session)")
fi

# start_trackerd DB: runs trackerd on a fresh config for DB; sets PID and STARTUP_MS.
start_trackerd() {
  "$BIN/bench/bench_org" config "$WORK/bench.json" --db "$1" --listen "127.0.0.1:$PORT" --projects "$PROJECTS" "${API_ARGS[@]}"
  local t0; t0=$(now_ms)
  "$BIN/bot/trackerd" --config "$WORK/bench.json" >>"$WORK/trackerd.log" 2>&1 &
  PID=$!
  until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
    kill -0 "$PID" 2>/dev/null || { echo "trackerd died; see $WORK/trackerd.log" >&2; exit 1; }
    sleep 0.002
  done
  STARTUP_MS=$(( $(now_ms) - t0 ))
}

declare -a TABLE
row() { TABLE+=("$(printf '| %-34s | %s |' "$1" "$2")"); }

if [[ $ONLY == all || $ONLY == sweep ]]; then
  out=$("$BIN/bench/bench_sweep" "$ORG" --projects "$PROJECTS" --today "$TODAY" --repeat 5)
  echo "$out" >&2
  get() { awk -v k="$1" '$1 == k {print $2}' <<<"$out"; }
  row "sweep: $(head -1 <<<"$out" | cut -d, -f1-2)" ""
  row "sweep: load from SQLite" "$(get load_ms) ms"
  row "sweep: rules (evaluate)" "$(get evaluate_ms) ms"
  row "sweep: digest build + render" "$(get digest_ms) ms"
  row "sweep: platform rows (push)" "$(get push_ms) ms"
  row "sweep: rules + digests + rows (target < 250 ms)" "$(get compute_ms) ms"
  row "sweep: total with the load" "$(get sweep_ms) ms"
fi

if [[ $ONLY == all || $ONLY == startup ]]; then
  cp "$ORG" "$WORK/startup.db"
  times=()
  for i in 1 2 3 4 5 6 7 8 9 10; do
    start_trackerd "$WORK/startup.db"
    times+=("$STARTUP_MS")
    stop_trackerd
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  row "start-up to /healthz (10 runs)" "median $(sed -n 5p <<<"$sorted") ms, max $(tail -1 <<<"$sorted") ms (target < 200)"
  start_trackerd "$WORK/startup.db"
  sleep 5
  row "idle RSS 5 s after start (VmRSS)" "$(( $(rss_kb "$PID" VmRSS) / 1024 )) MB (target < 15)"
  row "idle peak RSS (VmHWM)" "$(( $(rss_kb "$PID" VmHWM) / 1024 )) MB"
  stop_trackerd
fi

if [[ $ONLY == all || $ONLY == update ]]; then
  UPDATES=${UPDATES:-40000}
  run_update() {  # mode extra-args... -> bench_update's line
    local db=$WORK/update.db
    rm -f "$db" "$db-wal" "$db-shm"; cp "$ORG" "$db"
    "$BIN/bench/bench_update" "$db" --mode "$@" --count "$UPDATES" --projects "$PROJECTS" --tasks "$TASKS" --today "$TODAY"
    rm -f "$db" "$db-wal" "$db-shm"
  }
  uval() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }
  for batch in 16 64; do
    line=$(run_update floor --batch "$batch"); echo "$line" >&2
    row "update floor: SQLite alone, $batch per commit" "$(uval updates_per_s "$line")/s, $(uval cpu_us_per_update "$line") µs CPU each"
  done
  line=$(run_update inbound --threads 32); echo "$line" >&2
  row "update path below HTTP (32 threads)" "$(uval updates_per_s "$line")/s, $(uval cpu_us_per_update "$line") µs CPU each, p50 / p99 $(uval p50_us "$line") / $(uval p99_us "$line") µs, batch $(uval average_batch "$line")"
fi

if [[ $ONLY == all || $ONLY == delivery ]] && [ "$PLATFORMS" = fake ]; then
  PER_CHAT=${PER_CHAT:-3}
  DB=$WORK/delivery.db
  rm -f "$DB" "$DB-wal" "$DB-shm"; cp "$ORG" "$DB"
  line=$("$BIN/bench/bench_update" "$DB" --mode backlog --per-chat "$PER_CHAT" --projects "$PROJECTS" --tasks "$TASKS" --today "$TODAY")
  echo "$line" >&2
  t0=$(now_ms)
  start_trackerd "$DB"
  pending=1
  for _ in $(seq 6000); do  # up to 10 min
    pending=$(sqlite3 "$DB" "PRAGMA busy_timeout=5000; SELECT count(*) FROM outbox WHERE state = 'pending';" | tail -1)
    [ "$pending" = 0 ] && break
    sleep 0.1
  done
  elapsed=$(( $(now_ms) - t0 ))
  cpu_ms=$(( $(cpu_ticks "$PID") * 1000 / TICK ))
  states=$(sqlite3 "$DB" "PRAGMA busy_timeout=5000; SELECT state || ' ' || count(*) FROM outbox GROUP BY state;" | tail -n +2 | tr '\n' ' ')
  stop_trackerd
  row "delivery: $(sed -n 's/.*rows=\([0-9]*\).*/\1/p' <<<"$line") rows to $PROJECTS chats" "all out in $(( elapsed / 1000 )).$(( elapsed % 1000 / 100 )) s, trackerd CPU ${cpu_ms} ms (${states}; DingTalk is paced at 3 s a chat: $(( (PER_CHAT - 1) * 3 )) s at best)"
fi

if [[ $ONLY == all || $ONLY == ingest ]]; then
  DB=$WORK/ingest.db
  rm -f "$DB" "$DB-wal" "$DB-shm"
  cp "$ORG" "$DB"
  start_trackerd "$DB"
  # The scheduler's first pass queues the day's digests and warnings of every chat: let it
  # finish (outbox stops growing) so it is not counted in the first kind's numbers.
  last=-1
  # A day with no digest due (a weekend, outside working hours) queues nothing: stable at 0.
  sleep 1
  for _ in $(seq 120); do
    n=$(sqlite3 "$DB" "PRAGMA busy_timeout=5000; SELECT count(*) FROM outbox;" | tail -1)
    [ "$n" = "$last" ] && break
    last=$n; sleep 1
  done
  count_rows() {  # once requests still in flight when wrk stopped have landed
    local last=-1 now
    while :; do
      now=$(sqlite3 "$DB" "PRAGMA busy_timeout=5000; SELECT count(*) FROM progress_log WHERE source LIKE '$1:%';" | tail -1)
      [ "$now" = "$last" ] && break
      last=$now; sleep 0.5
    done
    echo "$now"
  }
  run_wrk() {  # kind duration -> prints wrk's BENCH line
    local platform=${1%%-*}
    "$BIN/bench/bench_org" requests "$WORK/requests-$1.txt" --kind "$1" --count $(( $2 * 45000 + 20000 )) \
      --projects "$PROJECTS" --today "$TODAY" "${SESSION_ARGS[@]}"
    BENCH_REQUESTS="$WORK/requests-$1.txt" wrk -t1 -c"$CONNECTIONS" -d"$2s" --latency -s bench/requests.lua \
      "http://127.0.0.1:$PORT" | grep '^BENCH'
    rm -f "$WORK/requests-$1.txt"  # hundreds of MB
  }
  run_wrk slack-commands 2 >/dev/null  # warm-up: caches, statement cache, page cache
  for kind in $KINDS; do
    platform=${kind%%-*}
    before=$(count_rows "$platform")
    cpu0=$(cpu_ticks "$PID")
    line=$(run_wrk "$kind" "$DURATION")
    cpu1=$(cpu_ticks "$PID")
    after=$(count_rows "$platform")
    echo "$kind: $line" >&2
    val() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$line"; }
    ok=$(val ok); rows=$(( after - before ))
    cpu_us=$(( (cpu1 - cpu0) * 1000000 / TICK / (ok > 0 ? ok : 1) ))
    verdict="every 2xx persisted"
    if [ "$(val wrapped)" != 0 ]; then verdict="REQUEST FILE TOO SHORT (duplicates sent)"
    elif (( rows < ok )); then verdict="MISSING $(( ok - rows )) ROWS"
    elif (( rows > ok + CONNECTIONS )); then verdict="$(( rows - ok )) rows without a 2xx (more than in flight)"
    fi
    row "$kind: requests/s" "$(val rps) (${ok} 2xx, $(val other) other, $(val errors) errors)"
    row "$kind: latency p50 / p90 / p99" "$(( $(val p50_us) / 1000 )).$(( $(val p50_us) % 1000 / 100 )) / $(( $(val p90_us) / 1000 )).$(( $(val p90_us) % 1000 / 100 )) / $(( $(val p99_us) / 1000 )).$(( $(val p99_us) % 1000 / 100 )) ms"
    row "$kind: CPU per request" "${cpu_us} µs (trackerd, user+sys)"
    row "$kind: durability" "$rows progress rows for $ok 2xx: $verdict"
    if [ "$kind" != slack-commands ]; then  # the others answer through the outbox
      replies=$(sqlite3 "$DB" "PRAGMA busy_timeout=5000; SELECT state || ' ' || count(*) FROM outbox WHERE platform = '$platform' AND kind = 'reply' GROUP BY state;" | tail -n +2 | tr '\n' ' ')
      row "$kind: replies in the outbox" "${replies:-none} (PLATFORMS=$PLATFORMS)"
    fi
  done
  row "ingest: peak RSS (VmHWM)" "$(( $(rss_kb "$PID" VmHWM) / 1024 )) MB (target < 30)"
  stop_trackerd
fi

echo
echo "trackerd benchmarks — $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(date -u +%F), wrk -t1 -c$CONNECTIONS -d${DURATION}s"
printf '| %-34s | %s |\n|%s|%s|\n' "measure" "result" "------------------------------------" "--------"
printf '%s\n' "${TABLE[@]}"
