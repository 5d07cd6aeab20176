# Sourced by bench/remote's scripts on the machine that runs them: unpacks the PostgreSQL that
# pack.sh carried (once, into $PG_PREFIX), puts it first on PATH and its libraries on
# LD_LIBRARY_PATH (glibc stays the machine's own: its version there must be at least this one's),
# gives it the UTC zone and a `postgres` user to run as, and sends all output to $OUT/$1.log too.
OUT=${OUT:-/tmp/remote-out}
mkdir -p "$OUT"
exec > >(tee -a "$OUT/$1.log") 2>&1
D=$PWD/.dev
P=${PG_PREFIX:-/opt/pg}
date; nproc; free -g | head -2; uname -r; grep -m1 'model name' /proc/cpuinfo; grep -m1 PRETTY /etc/os-release
if [ ! -x $P/usr/lib/postgresql/15/bin/postgres ]; then
    mkdir -p $P
    python3 -c "import tarfile, sys; t = tarfile.open(sys.argv[1]); t.extractall(sys.argv[2], **({'filter': 'fully_trusted'} if hasattr(tarfile, 'fully_trusted_filter') else {}))" "$D/pg.tar.xz" $P || exit 1
    chmod 755 $P  # initdb and the server run as the postgres user
fi
export PG_BIN=$P/usr/lib/postgresql/15/bin LD_LIBRARY_PATH=$P/libs TZ=UTC LC_ALL=C PYTHONUNBUFFERED=1
export PATH=$PG_BIN:$PATH
# The commit the bundle was packed at, for the results (the tree travels without .git).
KEEL_GIT_COMMIT=$(cat "$D/commit" 2>/dev/null)
export KEEL_GIT_COMMIT
if [ -n "${KEEL:-}" ]; then
    echo "commit $KEEL_GIT_COMMIT (but keel is $KEEL, not the bundled binary)"
else
    echo "commit $KEEL_GIT_COMMIT"
fi
if [ ! -e /usr/share/zoneinfo/UTC ]; then
    mkdir -p /usr/share/zoneinfo/Etc
    for zone in UTC Etc/UTC GMT; do cp "$D/UTC" /usr/share/zoneinfo/$zone; done
fi
id postgres > /dev/null 2>&1 || useradd -r -M -d /nonexistent -s /bin/sh postgres ||
    { echo 'postgres:x:990:990::/nonexistent:/bin/sh' >> /etc/passwd; echo 'postgres:x:990:' >> /etc/group; }
chmod 755 "$D" "$D/keel"
postgres --version && "$D/keel" --version || exit 1

# keel_up DATA_DIR PORT LOG [serve options...]: starts the carried keel ($KEEL if set) with a 1 GiB pool (the
# size PostgreSQL's shared_buffers gets), its pid in $pid, and waits until it answers.
keel_up() {
    local dir=$1 port=$2 log=$3
    shift 3
    "${KEEL:-$D/keel}" serve --data-dir "$dir" --listen 127.0.0.1:"$port" \
        --set storage.buffer_pool_bytes=$((1024 << 20)) "$@" >> "$log" 2>&1 &
    pid=$!
    for _ in $(seq 200); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 0.05; done
}
