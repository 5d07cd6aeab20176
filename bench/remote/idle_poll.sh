#!/bin/bash
# Keel at several node.idle_poll_us settings against PostgreSQL 15: pgbench scale 10, select-only
# and tpcb-like at 8 and 32 clients, rounds alternating which server goes first. Run from the
# repository root with .dev carried:
#   SECS=8 ROUNDS=2 POLLS="0 50 200" bash bench/remote/idle_poll.sh
# CONFIGS compares builds too: BINARY:POLL pairs, each binary a file in .dev (another commit's
# keel copied there beside pack.sh's), e.g. CONFIGS="keel:0 keel:200 keel-628cf2d:0".
SECS=${SECS:-8}; ROUNDS=${ROUNDS:-2}; POLLS=${POLLS:-"0 50 200"}; J=${J:-8}
CONFIGS=${CONFIGS:-$(for poll in $POLLS; do printf 'keel:%s ' "$poll"; done)}
source "$(dirname "$0")/env.sh" idle_poll
W=/tmp/remote-ab
rm -rf $W; mkdir -p $W; chmod 755 $W; chown postgres $W
runuser -u postgres -- initdb -D $W/pg -U postgres -A trust --no-sync -E UTF8 --locale=C > /dev/null || exit 1
runuser -u postgres -- pg_ctl -D $W/pg -l $W/pg.log -w start > /dev/null -o "-c listen_addresses=127.0.0.1 -c port=55433 \
    -c unix_socket_directories=$W -c fsync=on -c synchronous_commit=on -c max_connections=300 -c shared_buffers=1024MB" ||
    { cat $W/pg.log; exit 1; }
psql -X -q -h 127.0.0.1 -p 55433 -U postgres postgres -c "create database keel" || exit 1
pgbench -h 127.0.0.1 -p 55433 -U postgres -i -q -s 10 keel > /dev/null 2>&1 || echo "PostgreSQL's pgbench -i failed"
port=55434
keel_start() { # binary poll
    chmod 755 "$D/$1"
    KEEL=$D/$1 keel_up $W/keel $port $W/keel.log --set node.idle_poll_us="$2"
}
keel_start keel 0
pgbench -h 127.0.0.1 -p $port -U postgres -i -q -s 10 keel > /dev/null 2>&1 || { echo "Keel's pgbench -i failed"; tail $W/keel.log; }
kill $pid; wait $pid
measure() { # name port
    for flags in "-S -c 8" "-S -c 32" "-n -c 8" "-n -c 32"; do
        result=$(pgbench -h 127.0.0.1 -p "$2" -U postgres -M prepared $flags -j "$J" -T "$SECS" keel 2>&1 |
            awk '/latency average/ {latency = $4} /^tps/ {tps = $3} END {print tps, latency}')
        echo "RESULT $1 [$flags]: tps lat_ms = $result"
    done
}
for round in $(seq "$ROUNDS"); do
    [ $((round % 2)) = 1 ] && measure postgres 55433
    for config in $CONFIGS; do
        keel_start "${config%:*}" "${config#*:}"
        measure "${config%:*}-poll${config#*:}" $port
        kill $pid; wait $pid
    done
    [ $((round % 2)) = 0 ] && measure postgres 55433
done
runuser -u postgres -- pg_ctl -D $W/pg -m fast stop > /dev/null
echo; grep RESULT "$OUT/idle_poll.log" | sort -k2,2 -k3,5 | sed 's/RESULT //'
date
