#!/usr/bin/env bash
# The benchmarks of issue 8, end to end; prints a table. Not part of CI.
#   bash scripts/bench.sh                 # everything
#   ONLY=ingest|sweep|startup|update|delivery|reply|peer|cluster bash scripts/bench.sh
# Knobs: BUILD_DIR (build-bench), BIN (a build dir to measure instead of building one),
# DURATION (10 s per ingest kind), CONNECTIONS (32), PROJECTS (1000), TASKS (100), PORT (18080),
# KINDS ("slack-commands slack-events feishu dingtalk"), PLATFORMS (fake: replies and digests go to
# bench_platforms, the tests' fake Slack/Feishu/DingTalk, and are delivered once; closed: to a port
# nothing listens on, so they fail and are retried with back-off, as sessions 2-4 measured).
# The peer: PEER (1: required in `all`, 0: skipped; by default it runs when node and npm are there),
# PEER_CONNECTIONS ("1 4 32"), PEER_REPEAT (3), PEER_SRC (../shared/bench-peer).
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
#   reply    bench_reply: a reply on the wire to a platform REPLY_DELAY_MS (50) away each way
#            (a delaying TCP proxy), plain, TLS 1.3 and TLS 1.2: a connection per request with and
#            without TLS session resumption, and kept alive
#   stall    (ONLY=stall only) STALL_RUNS consecutive slash-command runs: p99, max, checkpoints
#   cluster  slash-command ingest on PostgreSQL (issue 24): a throw-away server (scripts/pg-server.sh)
#            holding a copy of the organisation (trackerctl copy), REPLICAS ("1 2 3") trackerd
#            replicas on it, each driven by its own wrk with CONNECTIONS/N connections; beside the
#            single SQLite node in the same run. CPU counts the replicas and the PostgreSQL server.
#            In `all` when PostgreSQL's binaries are there (CLUSTER=0 skips it, CLUSTER=1 requires it)
#   peer     slash-command ingest against the Slack Bolt for JS + better-sqlite3 peer, alternating
#            runs per connection count, medians and ratios (see the comment above its part)
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
  cmake --build "$BUILD_DIR" -j 2 --target trackerd trackerctl bench_org bench_sweep bench_update bench_platforms bench_reply >/dev/null
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

TABLE=()
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
  row "sweep: rules + digests + rows (target < 150 ms)" "$(get compute_ms) ms"
  row "sweep: total with the load" "$(get sweep_ms) ms"
fi

if [[ $ONLY == all || $ONLY == reply ]]; then
  out=$("$BIN/bench/bench_reply" --delay-ms "${REPLY_DELAY_MS:-50}" --requests 11)
  echo "$out" >&2
  while read -r _ wire pool resume _ cold warm conns resumed; do
    row "reply ${wire#wire=}, pool ${pool#pool=}, TLS resumption ${resume#resume=}: cold / warm (p50)" \
      "${cold#cold_ms=} / ${warm#warm_ms=} ms, ${conns#connections=} connections, ${resumed#resumed=} resumed"
  done < <(grep '^reply wire=' <<<"$out")
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

# The ingest machinery, shared by ONLY=ingest and trackerd's half of ONLY=peer.
# ingest_start: a fresh copy of the organisation, trackerd on it (sets PID and DB).
ingest_start() {
  DB=$WORK/ingest.db
  rm -f "$DB" "$DB-wal" "$DB-shm"
  cp "$ORG" "$DB"
  start_trackerd "$DB"
  # The scheduler's first pass queues the day's digests and warnings of every chat: let it
  # finish (outbox stops growing) so it is not counted in the first kind's numbers.
  # A day with no digest due (a weekend, outside working hours) queues nothing: stable at 0.
  local last=-1 n
  sleep 1
  for _ in $(seq 120); do
    n=$(sqlite3 "$DB" "PRAGMA busy_timeout=5000; SELECT count(*) FROM outbox;" | tail -1)
    [ "$n" = "$last" ] && break
    last=$n; sleep 1
  done
}
count_rows() {  # once requests still in flight when wrk stopped have landed
  local last=-1 now
  while :; do
    now=$(sqlite3 "$DB" "PRAGMA busy_timeout=5000; SELECT count(*) FROM progress_log WHERE source LIKE '$1:%';" | tail -1)
    [ "$now" = "$last" ] && break
    last=$now; sleep 0.5
  done
  echo "$now"
}
make_requests() {  # kind duration: the pre-signed requests (hundreds of MB), made right before the run
  "$BIN/bench/bench_org" requests "$WORK/requests-$1.txt" --kind "$1" --count $(( $2 * 45000 + 20000 )) \
    --projects "$PROJECTS" --today "$TODAY" "${SESSION_ARGS[@]}"
}
run_wrk() {  # kind duration -> prints wrk's BENCH line (make_requests first); --timeout as the peer's harness
  BENCH_REQUESTS="$WORK/requests-$1.txt" wrk -t1 -c"$CONNECTIONS" -d"$2s" --timeout 5s --latency -s bench/requests.lua \
    "http://127.0.0.1:$PORT" | grep '^BENCH'
  rm -f "$WORK/requests-$1.txt"
}
ingest_warmup() { make_requests slack-commands 2; run_wrk slack-commands 2 >/dev/null; }  # caches, statements, page cache
metric() { curl -sf "http://127.0.0.1:$PORT/metrics" | awk -v k="$1" '$1 == k {v = $2} END {printf "%d\n", v}'; }
val() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$LINE"; }
# ingest_measure KIND: one measured wrk run of KIND against the running trackerd. Sets LINE (wrk's
# BENCH line), OK (2xx), ROWS (progress-log rows of that platform written meanwhile), CPU_US
# (trackerd's utime+stime over the wrk run, µs; the requests are made before it starts), BATCH
# (deliveries per inbound commit: trackerd's group commit) and VERDICT.
ingest_measure() {
  local platform=${1%%-*} before after cpu0 cpu1 commits0 items0
  make_requests "$1" "$DURATION"
  before=$(count_rows "$platform")
  commits0=$(metric trackerd_inbound_commits_total); items0=$(metric trackerd_inbound_committed_deliveries_total)
  cpu0=$(cpu_ticks "$PID")
  LINE=$(run_wrk "$1" "$DURATION")
  cpu1=$(cpu_ticks "$PID")
  after=$(count_rows "$platform")
  BATCH=$(awk -v c="$(( $(metric trackerd_inbound_commits_total) - commits0 ))" \
              -v i="$(( $(metric trackerd_inbound_committed_deliveries_total) - items0 ))" \
              'BEGIN {printf "%.1f", (c > 0 ? i / c : 0)}')
  echo "$1: $LINE" >&2
  OK=$(val ok); ROWS=$(( after - before )); CPU_US=$(( (cpu1 - cpu0) * 1000000 / TICK ))
  VERDICT="every 2xx persisted"
  if [ "$(val wrapped)" != 0 ]; then VERDICT="REQUEST FILE TOO SHORT (duplicates sent)"
  elif (( ROWS < OK )); then VERDICT="MISSING $(( OK - ROWS )) ROWS"
  elif (( ROWS > OK + CONNECTIONS )); then VERDICT="$(( ROWS - OK )) rows without a 2xx (more than in flight)"
  fi
}
ms() { echo "$(( $1 / 1000 )).$(( $1 % 1000 / 100 ))"; }  # µs -> ms, one decimal

# ONLY=stall (not in `all`): STALL_RUNS (10) consecutive slash-command runs at CONNECTIONS on one
# trackerd, each run's p99 and max latency beside the WAL checkpoints that ran during it — the
# stall hunt of issue 22 (target: no request over 50 ms).
if [[ $ONLY == stall ]]; then
  ingest_start
  ingest_warmup
  for run in $(seq "${STALL_RUNS:-10}"); do
    restarts0=$(metric 'trackerd_wal_checkpoints_total{mode="restart"}')
    ran0=$(metric 'trackerd_scheduler_projects_total{result="run"}'); sched_ms0=$(metric trackerd_scheduler_pass_milliseconds_total)
    ingest_measure slack-commands
    restarts1=$(metric 'trackerd_wal_checkpoints_total{mode="restart"}')
    ran1=$(metric 'trackerd_scheduler_projects_total{result="run"}'); sched_ms1=$(metric trackerd_scheduler_pass_milliseconds_total)
    row "stall run $run: req/s, p99, max" "$(val rps)/s, p99 $(ms "$(val p99_us)") ms, max $(ms "$(val max_us)") ms, restart checkpoints $(( restarts1 - restarts0 )), scheduler: $(( ran1 - ran0 )) projects run in $(( sched_ms1 - sched_ms0 )) ms, batch $BATCH, $VERDICT"
  done
  stop_trackerd
fi

if [[ $ONLY == all || $ONLY == ingest ]]; then
  ingest_start
  ingest_warmup
  for kind in $KINDS; do
    platform=${kind%%-*}
    ingest_measure "$kind"
    row "$kind: requests/s" "$(val rps) (${OK} 2xx, $(val other) other, $(val errors) errors)"
    row "$kind: latency p50 / p90 / p99" "$(ms "$(val p50_us)") / $(ms "$(val p90_us)") / $(ms "$(val p99_us)") ms"
    row "$kind: CPU per request" "$(( CPU_US / (OK > 0 ? OK : 1) )) µs (trackerd, user+sys)"
    row "$kind: durability" "$ROWS progress rows for $OK 2xx: $VERDICT"
    if [ "$kind" != slack-commands ]; then  # the others answer through the outbox
      replies=$(sqlite3 "$DB" "PRAGMA busy_timeout=5000; SELECT state || ' ' || count(*) FROM outbox WHERE platform = '$platform' AND kind = 'reply' GROUP BY state;" | tail -n +2 | tr '\n' ' ')
      row "$kind: replies in the outbox" "${replies:-none} (PLATFORMS=$PLATFORMS)"
    fi
  done
  row "ingest: peak RSS (VmHWM)" "$(( $(rss_kb "$PID" VmHWM) / 1024 )) MB (target < 30)"
  stop_trackerd
fi

# cluster (issue 24): slash-command ingest with 1, 2 and 3 replicas on one PostgreSQL, each reply
# durable (committed before its 2xx), against the single node on SQLite, in the same run. Each
# replica gets its own wrk (CONNECTIONS/N connections, -t1) over its own share of the pre-signed
# requests (split by line, so no delivery goes twice); req/s is the sum, p99 the worst replica's.
# The database is a fresh copy of the organisation for every N (trackerctl copy, ~5 s). CPU per
# request: the replicas' and the PostgreSQL server's (postmaster, its backends, and the children
# it reaped) utime+stime over the measured window, divided by the rows written.
pg_available() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; }
if [[ $ONLY == cluster ]] || { [[ $ONLY == all ]] && [ "${CLUSTER:-}" != 0 ] && { [ "${CLUSTER:-}" = 1 ] || pg_available; }; }; then
  PGDIR=$WORK/pg
  rm -rf "$PGDIR"
  PG_URI=$(bash scripts/pg-server.sh start "$PGDIR" 2>>"$WORK/pg.log")
  PG_ADMIN=${PG_URI/\/trackerd\?//postgres?}
  PG_PIDS=()
  stop_replicas() { local p; for p in "${PG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; PG_PIDS=(); }
  trap 'stop_replicas; bash scripts/pg-server.sh stop "$PGDIR" >/dev/null 2>&1 || true; stop_all' EXIT
  psql_q() { psql -X -q -t -A "$PG_URI" -c "$1"; }
  pg_cpu_ticks() {  # the server: postmaster with what it reaped, and its live children
    local master; master=$(head -1 "$PGDIR/data/postmaster.pid")
    { awk '{print $14 + $15 + $16 + $17}' "/proc/$master/stat"
      for c in $(pgrep -P "$master"); do awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || true; done; } | awk '{s += $1} END {print s}'
  }
  pg_rows() {
    local last=-1 now
    while :; do
      now=$(psql_q "SELECT count(*) FROM progress_log WHERE source LIKE 'slack:%'")
      [ "$now" = "$last" ] && break
      last=$now; sleep 0.5
    done
    echo "$now"
  }
  # run_split_wrk N DURATION: the requests file split in N by line, one wrk per replica at once;
  # sets C_OK, C_RPS, C_P99 (µs, the worst), C_WRAPPED.
  run_split_wrk() {
    local n=$1 d=$2 i per=$(( CONNECTIONS / $1 > 0 ? CONNECTIONS / $1 : 1 ))
    split -n "r/$n" -d -a 1 "$WORK/requests-slack-commands.txt" "$WORK/requests-part-"
    rm -f "$WORK/requests-slack-commands.txt"
    local wrks=()
    for (( i = 0; i < n; i++ )); do
      { BENCH_REQUESTS="$WORK/requests-part-$i" wrk -t1 -c"$per" -d"${d}s" --timeout 5s --latency -s bench/requests.lua \
          "http://127.0.0.1:$(( PORT + 1 + i ))" | grep '^BENCH' >"$WORK/wrk-$i.out"; } &
      wrks+=($!)
    done
    wait "${wrks[@]}"
    C_OK=0 C_RPS=0 C_P99=0 C_WRAPPED=0
    for (( i = 0; i < n; i++ )); do
      LINE=$(cat "$WORK/wrk-$i.out"); echo "replica $i: $LINE" >&2
      C_OK=$(( C_OK + $(val ok) )); C_RPS=$(awk -v a="$C_RPS" -v b="$(val rps)" -v ok="$(val ok)" -v r="$(val requests)" 'BEGIN {printf "%.0f", a + (r > 0 ? b * ok / r : 0)}')
      (( $(val p99_us) > C_P99 )) && C_P99=$(val p99_us)
      (( $(val wrapped) > 0 )) && C_WRAPPED=1
      rm -f "$WORK/requests-part-$i" "$WORK/wrk-$i.out"
    done
  }
  # trackerctl copy round trip on the organisation: SQLite -> PostgreSQL -> SQLite, and the
  # exports of three projects from all three byte-identical.
  t0=$(now_ms); "$BIN/bot/trackerctl" copy --from "$ORG" --to "$PG_URI" >>"$WORK/pg.log" 2>&1; to_pg=$(( $(now_ms) - t0 ))
  rm -f "$WORK/roundtrip.db"*
  t0=$(now_ms); "$BIN/bot/trackerctl" copy --from "$PG_URI" --to "$WORK/roundtrip.db" >>"$WORK/pg.log" 2>&1; to_file=$(( $(now_ms) - t0 ))
  same="identical"
  for project in P0001 P$(printf %04d $(( PROJECTS / 2 ))) P$(printf %04d "$PROJECTS"); do
    a=$("$BIN/bot/trackerctl" --db "$ORG" export --project "$project" | sha256sum)
    b=$("$BIN/bot/trackerctl" --db "$PG_URI" export --project "$project" | sha256sum)
    c=$("$BIN/bot/trackerctl" --db "$WORK/roundtrip.db" export --project "$project" | sha256sum)
    [ "$a" = "$b" ] && [ "$a" = "$c" ] || same="DIFFERENT ($project)"
  done
  rm -f "$WORK/roundtrip.db"*
  row "copy: org SQLite -> PG -> SQLite" "$(ms "$to_pg") s into PostgreSQL, $(ms "$to_file") s back; exports of 3 projects $same"
  # The single node on SQLite first, measured the same way (one replica, one wrk).
  ingest_start
  ingest_warmup
  ingest_measure slack-commands
  row "cluster: SQLite, 1 node" "$(awk -v r="$(val rps)" -v ok="$OK" -v q="$(val requests)" 'BEGIN {printf "%.0f", r * ok / q}')/s, p99 $(ms "$(val p99_us)") ms, $(( CPU_US / (ROWS > 0 ? ROWS : 1) )) µs CPU per update, $VERDICT"
  stop_trackerd
  for n in ${REPLICAS:-1 2 3}; do
    psql -X -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS trackerd WITH (FORCE)" -c "CREATE DATABASE trackerd" >/dev/null
    t0=$(now_ms)
    "$BIN/bot/trackerctl" copy --from "$ORG" --to "$PG_URI" >>"$WORK/pg.log" 2>&1
    copy_ms=$(( $(now_ms) - t0 ))
    for (( i = 0; i < n; i++ )); do
      "$BIN/bench/bench_org" config "$WORK/bench-$i.json" --db "$PG_URI" --listen "127.0.0.1:$(( PORT + 1 + i ))" --projects "$PROJECTS" "${API_ARGS[@]}"
      "$BIN/bot/trackerd" --config "$WORK/bench-$i.json" >>"$WORK/trackerd-$i.log" 2>&1 &
      PG_PIDS+=($!)
    done
    for (( i = 0; i < n; i++ )); do
      until curl -sf "http://127.0.0.1:$(( PORT + 1 + i ))/healthz" >/dev/null 2>&1; do
        kill -0 "${PG_PIDS[i]}" 2>/dev/null || { echo "replica $i died; see $WORK/trackerd-$i.log" >&2; exit 1; }
        sleep 0.01
      done
    done
    last=-1  # the leader's first pass queues the day's pushes: let it finish
    for _ in $(seq 120); do n_out=$(psql_q "SELECT count(*) FROM outbox"); [ "$n_out" = "$last" ] && break; last=$n_out; sleep 1; done
    make_requests slack-commands 2; run_split_wrk "$n" 2 >/dev/null 2>&1  # warm-up
    make_requests slack-commands "$DURATION"
    before=$(pg_rows)
    cpu0=0; for p in "${PG_PIDS[@]}"; do cpu0=$(( cpu0 + $(cpu_ticks "$p") )); done; pg0=$(pg_cpu_ticks)
    run_split_wrk "$n" "$DURATION"
    cpu1=0; for p in "${PG_PIDS[@]}"; do cpu1=$(( cpu1 + $(cpu_ticks "$p") )); done; pg1=$(pg_cpu_ticks)
    after=$(pg_rows)
    rows=$(( after - before ))
    verdict="every 2xx persisted"
    if (( C_WRAPPED )); then verdict="REQUEST FILE TOO SHORT"; elif (( rows < C_OK )); then verdict="MISSING $(( C_OK - rows )) ROWS"; fi
    rss=0; for p in "${PG_PIDS[@]}"; do r=$(rss_kb "$p" VmHWM); (( r > rss )) && rss=$r; done
    per=$(( rows > 0 ? rows : 1 ))
    row "cluster: PostgreSQL, $n replica(s)" "${C_RPS}/s, p99 $(ms "$C_P99") ms, $(( (cpu1 - cpu0) * 1000000 / TICK / per )) µs trackerd + $(( (pg1 - pg0) * 1000000 / TICK / per )) µs PostgreSQL CPU per update, peak RSS $(( rss / 1024 )) MB a replica, $verdict (copy in $(( copy_ms / 100 ))00 ms)"
    stop_replicas
  done
  bash scripts/pg-server.sh stop "$PGDIR" >/dev/null 2>&1 || true
fi

# peer (issue 22): trackerd's Slack slash-command ingest against "the peer", the Slack Bolt for
# JavaScript app + better-sqlite3 of shared/bench-peer (PEER_SRC), copied to $BUILD_DIR/peer and
# driven by its own harness (run.sh). For each N of PEER_CONNECTIONS the two alternate, PEER_REPEAT
# times each (trackerd, peer, trackerd, peer, ...), each run on a fresh server and database; the
# medians and their ratios (trackerd / peer: above 1 means more req/s, or more latency, CPU, memory)
# are printed per N, with a `ratio conns=N ...` line. In `all` it runs when node (>= 20) and npm are
# there, or with PEER=1; PEER=0 skips it.
#
# Measured the same way on both sides:
#   req/s  2xx responses per second of the measured wrk run (the peer: ok2xx / duration; trackerd:
#          requests.lua's rps x ok / requests — its rps counts every response), wrk -t1 -cN
#          --timeout 5s, one request in flight per keep-alive connection.
#   p99    wrk's latency:percentile(99) of that run.
#   CPU    the server's utime+stime (/proc/PID/stat, all threads) over the measured wrk run,
#          divided by the rows it wrote (task_updates for the peer, slack progress_log rows for
#          trackerd), not by the 2xx (ONLY=ingest's "CPU per request" divides by the 2xx). The
#          requests are made before the window opens; the peer's window also holds wrk loading
#          its list into Lua (server idle), requests.lua reads its file as it goes.
#   RSS    VmHWM (/proc/PID/status) read right after the measured run: the peak since the server
#          started (the peer's sums its process tree; trackerd is one process).
#   Both get a warm-up at the same -cN first (the peer 3 s, trackerd 2 s) and both count rows
#   against 2xx afterwards (the peer also SIGKILLs its server and checks an exact sample).
# Where they differ (so the ratios are not like for like):
#   - Work per update. The peer does about a fifth of trackerd's: Bolt checks the signature and
#     the timestamp, a regex reads `update T003 60%`, then BEGIN IMMEDIATE, one UPDATE of tasks,
#     one INSERT into task_updates, COMMIT. trackerd also checks the Slack user is the task's
#     owner, de-duplicates on trigger_id (a row), reads the task's plan slice and the people it
#     names, and writes the task, an audit row and a progress row: 15-18 statements, ~4 random
#     B-tree pages per update.
#   - Data. trackerd runs on the synthetic organisation (PROJECTS x TASKS: 100,000 tasks, 2,000
#     people, 100,000 progress entries, 1,000 chats); the peer on 50 tasks in a fresh file, all
#     of it in cache.
#   - Commits. The peer commits once per update, as its contract asks; trackerd's group commit
#     shares one transaction among the updates in flight together (the `batch` figure: 1.0 at
#     -c1, more at -c32). The peer's README counts that as a separate configuration; trackerd
#     has no switch to turn it off.
#   - Process. trackerd also runs its scheduler (its first pass is over before the measured run
#     starts), checkpointer and outbox (which, on a digest day, is delivering the day's digests to
#     bench_platforms meanwhile; its CPU counts) and serves with a thread per connection; the peer
#     is one Node.js thread (+ libuv). Its peak RSS includes V8's heap; trackerd's includes the
#     scheduler's pass over the organisation.
#   - Requests. Both are signed Slack slash commands of the same shape; the peer's go to
#     /slack/events with `update TNNN N%`, trackerd's to /slack/commands with `update TNNN N% bench i`
#     and the owner as user_id. The peer's list is sized from its warm-up rate, trackerd's is
#     DURATION x 45,000 + 20,000 requests.
#   - SQLite. The peer links better-sqlite3's own (3.53), trackerd Debian's (3.40); WAL and
#     synchronous=NORMAL on both.
PEER_SRC=${PEER_SRC:-$ROOT/../shared/bench-peer}
PEER_DIR=$ROOT/$BUILD_DIR/peer
PEER_CONNECTIONS=${PEER_CONNECTIONS:-"1 4 32"}
PEER_REPEAT=${PEER_REPEAT:-3}
peer_missing() {  # prints why the peer cannot run here, or nothing
  command -v node >/dev/null 2>&1 || { echo "no node"; return; }
  command -v npm >/dev/null 2>&1 || { echo "no npm"; return; }
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  (( major >= 20 )) || { echo "node $major (better-sqlite3 12 wants 20 or later)"; return; }
  [ -f "$PEER_SRC/run.sh" ] || echo "no $PEER_SRC/run.sh (PEER_SRC)"
}
peer_setup() {  # copies the peer out of PEER_SRC (read-only) and installs its dependencies once
  if [ -f "$PEER_DIR/package-lock.json" ] && ! cmp -s "$PEER_SRC/package-lock.json" "$PEER_DIR/package-lock.json"; then
    rm -rf "$PEER_DIR/node_modules"  # other pinned versions: install again
  fi
  mkdir -p "$PEER_DIR"
  cp -R "$PEER_SRC/." "$PEER_DIR/"
  find "$PEER_DIR" -path "$PEER_DIR/node_modules" -prune -o -exec chmod u+w {} +
  local check="require('better-sqlite3'); require('@slack/bolt')"
  if ! (cd "$PEER_DIR" && node -e "$check" >/dev/null 2>&1); then
    # better-sqlite3 has no prebuilt binary to download here, so node-gyp builds it (~75 s) against
    # the headers of the nodejs package (nodedir), not ones it would download.
    echo "peer: npm ci in $PEER_DIR (builds better-sqlite3 from source, ~75 s) ..." >&2
    local nodedir=${npm_config_nodedir:-}
    [ -z "$nodedir" ] && [ -d /usr/include/node ] && nodedir=/usr
    if ! (cd "$PEER_DIR" && npm_config_nodedir=$nodedir npm ci --no-audit --no-fund >"$WORK/peer-npm.log" 2>&1); then
      tail -20 "$WORK/peer-npm.log" >&2; echo "peer: npm ci failed; see $WORK/peer-npm.log" >&2; exit 1
    fi
    (cd "$PEER_DIR" && node -e "$check") || { echo "peer: its dependencies do not load" >&2; exit 1; }
  fi
}
median() {  # FORMAT values...: the median (of an even count, the mean of the middle two)
  local format=$1; shift
  printf '%s\n' "$@" | sort -g | awk -v f="$format" '{v[NR] = $1} END {printf f, (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
PEER_TABLE=(); PEER_LINES=()
RUN_PEER=0
if [[ $ONLY == peer ]]; then RUN_PEER=1
elif [[ $ONLY == all && ${PEER:-} != 0 ]]; then
  why=$(peer_missing)
  if [ -z "$why" ]; then RUN_PEER=1
  elif [ "${PEER:-}" = 1 ]; then echo "peer: cannot run: $why" >&2; exit 1
  else echo "peer: skipped ($why)" >&2
  fi
fi
if (( RUN_PEER )); then
  why=$(peer_missing)
  [ -z "$why" ] || { echo "peer: cannot run: $why" >&2; exit 1; }
  peer_setup
  SAVED_CONNECTIONS=$CONNECTIONS
  for n in $PEER_CONNECTIONS; do
    CONNECTIONS=$n
    t_rps=(); t_p99=(); t_cpu=(); t_rss=(); t_batch=(); p_rps=(); p_p99=(); p_cpu=(); p_rss=(); t_check=ok; p_check=ok
    for r in $(seq "$PEER_REPEAT"); do
      ingest_start
      ingest_warmup
      ingest_measure slack-commands
      hwm_kb=$(rss_kb "$PID" VmHWM)
      stop_trackerd
      t_rps+=("$(awk -v r="$(val rps)" -v ok="$OK" -v n="$(val requests)" 'BEGIN {printf "%.0f", (n > 0 ? r * ok / n : 0)}')")
      t_p99+=("$(awk -v u="$(val p99_us)" 'BEGIN {printf "%.2f", u / 1000}')")
      t_cpu+=("$(( CPU_US / (ROWS > 0 ? ROWS : 1) ))")
      t_rss+=("$(awk -v k="$hwm_kb" 'BEGIN {printf "%.1f", k / 1024}')")
      t_batch+=("$BATCH")
      check=ok
      [[ $VERDICT == "every 2xx persisted" && $(val other) == 0 ]] || { check=FAIL; t_check=FAIL; }
      echo "run conns=$n repeat=$r target=trackerd rps=${t_rps[-1]} p99_ms=${t_p99[-1]} cpu_us_per_req=${t_cpu[-1]} rss_mb=${t_rss[-1]} batch=$BATCH rows=$ROWS/$OK non2xx=$(val other) errors=$(val errors) check=$check ($VERDICT)" >&2
      out=$(cd "$PEER_DIR" && BENCH_JSON="$WORK/peer-results.jsonl" ./run.sh peer -c "$n" --duration "$DURATION" 2>>"$WORK/peer.log") || true
      out=$(grep '^target=' <<<"$out" | tail -1)
      echo "run conns=$n repeat=$r ${out:-target=peer check=FAIL (no summary line; see $WORK/peer.log)}" >&2
      pv() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$out"; }
      if [[ $out == *check=ok* ]]; then
        p_rps+=("$(pv rps)"); p_p99+=("$(pv p99_ms)"); p_cpu+=("$(pv cpu_us_per_req)"); p_rss+=("$(pv rss_mb)")
      else
        p_check=FAIL; echo "peer: run failed; see $WORK/peer.log" >&2
      fi
    done
    [ ${#p_rps[@]} -gt 0 ] || { echo "peer: every run at -c$n failed; see $WORK/peer.log" >&2; exit 1; }
    tr=$(median %.0f "${t_rps[@]}"); tp=$(median %.2f "${t_p99[@]}"); tc=$(median %.0f "${t_cpu[@]}")
    tm=$(median %.1f "${t_rss[@]}"); tb=$(median %.1f "${t_batch[@]}")
    pr=$(median %.0f "${p_rps[@]}"); pp=$(median %.2f "${p_p99[@]}"); pc=$(median %.0f "${p_cpu[@]}")
    pm=$(median %.1f "${p_rss[@]}")
    PEER_LINES+=("median conns=$n target=trackerd runs=${#t_rps[@]} rps=$tr p99_ms=$tp cpu_us_per_req=$tc rss_mb=$tm batch=$tb check=$t_check")
    PEER_LINES+=("median conns=$n target=peer runs=${#p_rps[@]} rps=$pr p99_ms=$pp cpu_us_per_req=$pc rss_mb=$pm batch=1.0 check=$p_check")
    PEER_LINES+=("ratio conns=$n rps=$(ratio "$tr" "$pr") p99=$(ratio "$tp" "$pp") cpu=$(ratio "$tc" "$pc") rss=$(ratio "$tm" "$pm")")
    PEER_TABLE+=("" "wrk -t1 -c$n -d${DURATION}s, median of ${#t_rps[@]} trackerd / ${#p_rps[@]} peer runs, alternating (ratio = trackerd / peer)")
    prow() {  # cells, padded by characters (µ is two bytes, printf pads bytes)
      local cells="" cell width i=0 widths=(28 30 30 6)
      for cell in "$@"; do
        width=${widths[i++]}
        cells+=$(printf ' %-*s |' $(( width + ($(printf %s "$cell" | wc -c) - $(printf %s "${cell//µ/}" | wc -c)) / 2 )) "$cell")
      done
      PEER_TABLE+=("|$cells")
    }
    prow measure trackerd peer ratio
    PEER_TABLE+=("|------------------------------|--------------------------------|--------------------------------|--------|")
    prow "requests/s (2xx)" "$tr (runs: $(echo "${t_rps[@]}"))" "$pr (runs: $(echo "${p_rps[@]}"))" "$(ratio "$tr" "$pr")"
    prow "latency p99" "$tp ms" "$pp ms" "$(ratio "$tp" "$pp")"
    prow "CPU per request (user+sys)" "$tc µs" "$pc µs" "$(ratio "$tc" "$pc")"
    prow "peak RSS (VmHWM)" "$tm MB" "$pm MB" "$(ratio "$tm" "$pm")"
    prow "updates per commit" "$tb (group commit)" "1" ""
    prow "checks" "$t_check" "$p_check" ""
  done
  CONNECTIONS=$SAVED_CONNECTIONS
fi

echo
if [ ${#TABLE[@]} -gt 0 ]; then
  echo "trackerd benchmarks — $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(date -u +%F), wrk -t1 -c$CONNECTIONS -d${DURATION}s"
  printf '| %-34s | %s |\n|%s|%s|\n' "measure" "result" "------------------------------------" "--------"
  printf '%s\n' "${TABLE[@]}"
fi
if [ ${#PEER_LINES[@]} -gt 0 ]; then
  [ ${#TABLE[@]} -gt 0 ] && echo
  version() { node -p "require('$PEER_DIR/node_modules/$1/package.json').version"; }
  echo "trackerd vs. the peer (Slack Bolt for JS $(version @slack/bolt) + better-sqlite3 $(version better-sqlite3), Node.js $(node --version)): Slack slash commands — $(nproc) cores, $(date -u +%F)"
  printf '%s\n' "${PEER_TABLE[@]}"
  echo
  printf '%s\n' "${PEER_LINES[@]}"
fi
