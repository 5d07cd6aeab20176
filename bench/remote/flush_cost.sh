#!/bin/bash
# What the log's durable writes cost: PostgreSQL 15 and Keel, each with its data directory on the
# machine's disk and on a tmpfs (/dev/shm: an fdatasync there costs nothing), pgbench scale 10,
# tpcb-like at 8 and 32 clients and select-only at 8, rounds alternating which server goes first.
# Beside each tps: pg_stat_wal per transaction (durable writes, records) and the mean time of one
# write (track_wal_io_timing on in both). Run from the repository root with .dev carried:
#   SECS=6 ROUNDS=2 bash bench/remote/flush_cost.sh
# KEEL_ARGS adds serve options (e.g. "--cores 8"); DIRS chooses the places (default: /tmp and /dev/shm);
# KEELS names keel binaries in .dev to compare in the same run (default "keel"; e.g. "keel keel-c9b3818",
# each on its own data directory, reported as keel@place and keel-c9b3818@place). KEEL (a path)
# replaces the bundle's keel.
SECS=${SECS:-6}; ROUNDS=${ROUNDS:-2}; J=${J:-8}; DIRS=${DIRS:-"/tmp/flush-cost /dev/shm/flush-cost"}
KEELS=${KEELS:-keel}
source "$(dirname "$0")/env.sh" flush_cost
df -T $(for dir in $DIRS; do dirname "$dir"; done) | cat
pg_port=55433; keel_port=55434
pg_up() { # base
    runuser -u postgres -- pg_ctl -D "$1/pg" -l "$1/pg.log" -w start > /dev/null -o "-c listen_addresses=127.0.0.1 \
        -c port=$pg_port -c unix_socket_directories=$1 -c fsync=on -c synchronous_commit=on -c max_connections=300 \
        -c shared_buffers=1024MB -c track_wal_io_timing=on" || { cat "$1/pg.log"; exit 1; }
}
pg_down() { runuser -u postgres -- pg_ctl -D "$1/pg" -m fast stop > /dev/null; }
setup() { # base
    rm -rf "$1"; mkdir -p "$1"; chmod 755 "$1"; chown postgres "$1"
    runuser -u postgres -- initdb -D "$1/pg" -U postgres -A trust --no-sync -E UTF8 --locale=C > /dev/null || exit 1
    pg_up "$1"
    psql -X -q -h 127.0.0.1 -p $pg_port -U postgres postgres -c "create database keel" || exit 1
    pgbench -h 127.0.0.1 -p $pg_port -U postgres -i -q -s 10 keel > /dev/null 2>&1 || echo "PostgreSQL's pgbench -i failed"
    pg_down "$1"
    for name in $KEELS; do
        keel_named "$name" keel_up "$1/$name" $keel_port "$1/$name.log" $KEEL_ARGS
        pgbench -h 127.0.0.1 -p $keel_port -U postgres -i -q -s 10 keel > /dev/null 2>&1 || { echo "$name's pgbench -i failed"; tail "$1/$name.log"; }
        kill $pid; wait $pid
    done
}
keel_named() { # name command...: runs the command with KEEL set to binary `name` ($KEEL for "keel" if set)
    local name=$1; shift
    if [ "$name" = keel ] && [ -n "${KEEL:-}" ]; then "$@"; else KEEL=$D/$name "$@"; fi
}
measure() { # name port
    local sql="psql -X -qAt -h 127.0.0.1 -p $2 -U postgres keel"
    for flags in "-n -c 8" "-n -c 32" "-S -c 8"; do
        $sql -c "select pg_stat_reset_shared('wal')" > /dev/null
        out=$(pgbench -h 127.0.0.1 -p "$2" -U postgres -M prepared $flags -j "$J" -T "$SECS" keel 2>&1)
        tps=$(awk '/^tps/ {print $3}' <<< "$out")
        txns=$(awk '/transactions actually processed/ {print $NF}' <<< "$out")
        wal=$($sql -c "set track_wal_io_timing = on" \
            -c "select wal_write, wal_sync, wal_records, round((wal_write_time + wal_sync_time)::numeric, 1) from pg_stat_wal")
        echo "RESULT $1 [$flags]: tps=$tps $(awk -F'|' -v n="${txns:-0}" '{
            if (n > 0) printf "writes/txn=%.2f syncs/txn=%.2f records/txn=%.1f", $1 / n, $2 / n, $3 / n
            if ($2 > 0) printf " ms/sync=%.3f", $4 / $2 }' <<< "$wal")"
    done
}
for dir in $DIRS; do setup "$dir"; done
for round in $(seq "$ROUNDS"); do
    for dir in $DIRS; do
        place=$(basename "$(dirname "$dir")")
        [ $((round % 2)) = 1 ] && { pg_up "$dir"; measure "postgres@$place" $pg_port; pg_down "$dir"; }
        for name in $KEELS; do
            keel_named "$name" keel_up "$dir/$name" $keel_port "$dir/$name.log" $KEEL_ARGS
            measure "$name@$place" $keel_port
            kill $pid; wait $pid
        done
        [ $((round % 2)) = 0 ] && { pg_up "$dir"; measure "postgres@$place" $pg_port; pg_down "$dir"; }
    done
done
echo; grep RESULT "$OUT/flush_cost.log" | sort -k2,2 -k3,5 | sed 's/RESULT //'
for dir in $DIRS; do rm -rf "$dir"; done
date
