#!/bin/bash
# The pgbench part of bench/suite.py on a machine prepared by pack.sh's bundle, then Keel alone at
# other worker counts. Run from the repository root with .dev carried:
#   SECS=10 ROUNDS=3 CORES_LIST="4 8" bash bench/remote/suite.sh
SECS=${SECS:-10}; ROUNDS=${ROUNDS:-3}; SCALE=${SCALE:-10}; CORES_LIST=${CORES_LIST:-"4 8"}
source "$(dirname "$0")/env.sh" suite
python3 bench/suite.py --keel "$D/keel" --only pgbench --clients 8,32 --rounds "$ROUNDS" --seconds "$SECS"
newest=$(ls -t bench/results/suite-*.json | head -1)
cp "$newest" "${newest%.json}.svg" "$OUT/"
port=55432
for cores in $CORES_LIST; do
    rm -rf /tmp/remote-keel
    keel_up /tmp/remote-keel $port /tmp/remote-keel.log --cores "$cores"
    pgbench -h 127.0.0.1 -p $port -U postgres -i -q -s "$SCALE" keel > /dev/null 2>&1 || tail /tmp/remote-keel.log
    for flags in "-S -c 8" "-S -c 32" "-n -c 8"; do
        echo "keel cores=$cores [$flags]: $(pgbench -h 127.0.0.1 -p $port -U postgres -M prepared $flags -j 8 -T "$SECS" keel 2>&1 | grep -E '^tps|latency average' | tr '\n' ' ')"
    done
    kill $pid; wait $pid
done
date
