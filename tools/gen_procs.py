#!/usr/bin/env python3
"""Writes node/sql/src/procs.rs: the pg_proc rows of PostgreSQL 15's built-in functions that Keel
binds, with PostgreSQL's OIDs and attributes.

For each function of PostgreSQL's pg_catalog whose arguments are ordinary types, a call is made
(`select f(NULL::t1, ...)`, an aggregate's `WITHIN GROUP`, a window function's `OVER ()`; the
polymorphic types stand for integer, integer[] and text) and described (Parse + Describe, never
executed) on both servers: a function is listed when Keel binds the call and gives its result
PostgreSQL's type. tests/test_pg_proc.py checks the list against both servers again, so a
function the binder stops knowing fails a test.

Usage: python3 tools/gen_procs.py [--keel BIN]   (starts a throwaway Keel and PostgreSQL)
"""

import argparse
import sys
import tempfile
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import servers  # noqa: E402

# Pseudo-types a call can be made with, and the type standing for each.
STAND_INS = {
    "anyelement": "integer",
    "anynonarray": "integer",
    "anycompatible": "integer",
    "anycompatiblenonarray": "integer",
    "anyarray": "integer[]",
    "anycompatiblearray": "integer[]",
    '"any"': "text",
}

# Types Keel spells otherwise: it keeps `name` and `pg_node_tree` as text.
KEEL_TYPES = {"name": "text", "pg_node_tree": "text", "name[]": "text[]"}

# Result types Keel gives in place of PostgreSQL's: name as text, void as (empty) text.
KEEL_RESULTS = {19: 25, 1003: 1009, 2278: 25}

# Functions whose text arguments Keel must know when it binds (an object or privilege name):
# the literals their text arguments take, in order.
SAMPLES = {
    "has_table_privilege": ["'t'", "'select'"],
    "has_any_column_privilege": ["'t'", "'select'"],
    "has_column_privilege": ["'t'", "'a'", "'select'"],
    "has_schema_privilege": ["'pg_catalog'", "'usage'"],
    "has_database_privilege": ["'postgres'", "'connect'"],
    "has_sequence_privilege": ["'s'", "'usage'"],
    "has_function_privilege": ["'now()'", "'execute'"],
    "has_tablespace_privilege": ["'pg_default'", "'create'"],
    "has_type_privilege": ["'int4'", "'usage'"],
    "pg_has_role": ["'postgres'", "'member'"],
    "current_setting": ["'search_path'"],
    "set_config": ["'search_path'", "'public'"],
}

# What the samples name, an enum type, a domain and a composite type (whose pg_type rows name
# the enum, domain and record functions), made on both servers.
SETUP = [
    "create table t (a int)",
    "create sequence s",
    "create type e as enum ('x')",
    "create domain d as int",
    "create type c as (a int)",
]

# The functions Keel's own catalogs name: PostgreSQL's input, output, ... functions of the types
# Keel's pg_type lists, and the handlers of the access methods its pg_am lists. Listed whether
# or not they can be called.
KEEL_TYPES_AND_AMS = "select array(select typname::text from pg_type), array(select amname::text from pg_am)"
NAMED = """
select distinct f::text from pg_type, unnest(array[typinput, typoutput, typreceive, typsend,
    typmodin, typmodout, typanalyze, typsubscript]) f
where f <> 0 and typname::text = any(%(types)s)
union select amhandler::text from pg_am where amname::text = any(%(ams)s)
"""

# Every function's row as PostgreSQL has it.
ROWS = """
select p.oid::int8, p.proname, p.prokind, p.proretset, p.provolatile, p.proisstrict,
       p.pronargs, p.pronargdefaults, p.prorettype::int8, p.proargtypes::oid[]::int8[],
       p.provariadic::int8, p.proargnames, p.prosrc, p.prolang::int8,
       coalesce(a.aggkind, ''), coalesce(a.aggnumdirectargs, 0),
       array(select format_type(t, null) from unnest(p.proargtypes::oid[]) with ordinality a(t, n)
             order by n),
       (select typtype from pg_type where oid = p.prorettype),
       array(select (select typtype from pg_type where oid = t)
             from unnest(p.proargtypes::oid[]) with ordinality a(t, n) order by n),
       p.procost::float8, p.prorows::float8, p.proparallel, p.prosecdef, p.proleakproof,
       pg_get_function_arguments(p.oid), pg_get_function_identity_arguments(p.oid),
       pg_get_function_result(p.oid), obj_description(p.oid, 'pg_proc'),
       p.proallargtypes::int8[], array_to_string(p.proargmodes, '')
from pg_proc p left join pg_aggregate a on a.aggfnoid = p.oid
where p.pronamespace = 'pg_catalog'::regnamespace
order by p.oid
"""


def call_of(row, keel=False, required=None):
    """The SELECT that calls this function, or None when it cannot be called with casts; with
    `keel`, the types as Keel spells them and the sample literals Keel needs."""
    (_, name, kind, _, _, _, _, _, _, _, variadic, _, _, _, aggkind, direct,
     argnames, _, argtyptypes) = row[:19]
    args = []
    # Samples go to the text arguments from the last on (the privilege is always last).
    samples = list(SAMPLES.get(name, [])) if keel else []
    texts = [i for i, t in enumerate(argnames) if t == "text"]
    sampled = dict(zip(reversed(texts), reversed(samples)))
    for i, (type_name, typtype) in enumerate(zip(argnames, argtyptypes)):
        if typtype == "p":
            if type_name not in STAND_INS:
                return None
            type_name = STAND_INS[type_name]
        if i in sampled:
            args.append(f"{sampled[i]}::text")
            continue
        if keel and type_name == "name" and name in SAMPLES:
            # A role, which Keel must know when it binds.
            args.append("'postgres'::text")
            continue
        if keel:
            type_name = KEEL_TYPES.get(type_name, type_name)
        args.append(f"NULL::{type_name}")
    if required is not None:
        args = args[:required]
    if variadic and args and required is None:
        # VARIADIC text[]: one element's worth; VARIADIC "any": one text.
        last = args[-1]
        if last.endswith("[]") and variadic != 2276:
            args[-1] = last[:-2]
    quoted = '"' + name.replace('"', '""') + '"'
    if kind == "w":
        return f"select pg_catalog.{quoted}({', '.join(args)}) over ()"
    if kind == "a" and aggkind in ("o", "h"):
        if aggkind == "o":
            d, rest = args[:direct], args[direct:]
        else:
            # Hypothetical-set: as many direct as aggregated arguments.
            half = len(args) // 2
            d, rest = args[:half], args[half:]
        if not rest:
            return None
        return (f"select pg_catalog.{quoted}({', '.join(d)}) within group "
                f"(order by {', '.join(rest)})")
    if kind not in ("f", "a"):
        return None
    if kind == "a" and not args:
        # count(): written count(*).
        return f"select pg_catalog.{quoted}(*)"
    return f"select pg_catalog.{quoted}({', '.join(args)})"


def named_functions(kconn, pconn):
    """The names of the functions Keel's catalogs name (see NAMED)."""
    types, ams = kconn.execute(KEEL_TYPES_AND_AMS).fetchone()
    return {name for (name,) in pconn.execute(NAMED, {"types": types, "ams": ams}).fetchall()}


def described(conn, sql):
    """The result column's type OID of `sql` (Parse + Describe), or None when it does not bind."""
    pg = conn.pgconn
    res = pg.prepare(b"", sql.encode())
    if res.status != psycopg.pq.ExecStatus.COMMAND_OK:
        return None
    res = pg.describe_prepared(b"")
    if res.status != psycopg.pq.ExecStatus.COMMAND_OK or res.nfields != 1:
        return None
    return res.ftype(0)


def rust_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keel", default=None)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="keel-procs-") as tmp:
        keel = servers.Keel(Path(tmp) / "keel", binary=opts.keel)
        keel.start()
        pg = servers.Postgres()
        try:
            with psycopg.connect(pg.dsn(), autocommit=True) as pconn, \
                    psycopg.connect(keel.dsn(), autocommit=True) as kconn:
                for statement in SETUP:
                    pconn.execute(statement)
                    kconn.execute(statement)
                rows = pconn.execute(ROWS).fetchall()
                named = named_functions(kconn, pconn)
                kept, tried = [], 0
                for row in rows:
                    if row[1] in named:
                        kept.append(row)
                        continue
                    sql = call_of(row)
                    if sql is None:
                        continue
                    tried += 1
                    want = described(pconn, sql)
                    if want is None:
                        continue
                    got = described(kconn, call_of(row, keel=True))
                    if got is None and row[7]:
                        # Without the arguments that have defaults.
                        got = described(kconn, call_of(row, keel=True, required=row[6] - row[7]))
                    if got is not None and got == KEEL_RESULTS.get(want, want):
                        kept.append(row)
                print(f"{len(kept)} functions listed ({len(named)} named by catalogs, the others of {tried} "
                      "callable ones bind alike)", file=sys.stderr)
        finally:
            keel.stop()
            pg.stop()
    out = [
        "//! PostgreSQL 15's `pg_proc` rows for the built-in functions Keel binds: what `pg_proc`,",
        "//! `regproc`, `regprocedure`, `information_schema.routines` and psql's `\\df` list.",
        "//!",
        "//! Generated by `tools/gen_procs.py` (do not edit): a function is here when a call of it",
        "//! with arguments of its declared types binds in Keel to PostgreSQL's result type.",
        "//! tests/test_pg_proc.py checks every row against both servers.",
        "",
        "/// One built-in function, as PostgreSQL's `pg_proc` has it.",
        "#[derive(Debug)]",
        "pub struct BuiltinProc {",
        "    pub oid: i64,",
        "    pub name: &'static str,",
        "    /// `f` function, `a` aggregate, `w` window function.",
        "    pub kind: char,",
        "    pub retset: bool,",
        "    /// `i` immutable, `s` stable, `v` volatile.",
        "    pub volatility: char,",
        "    pub strict: bool,",
        "    pub nargdefaults: i16,",
        "    pub rettype: i64,",
        "    pub args: &'static [i64],",
        "    /// The element type of a VARIADIC last argument (0: none).",
        "    pub variadic: i64,",
        "    pub argnames: Option<&'static [&'static str]>,",
        "    pub src: &'static str,",
        "    pub lang: i64,",
        "    pub cost: f64,",
        "    pub rows: f64,",
        "    /// `s` safe, `r` restricted, `u` unsafe.",
        "    pub parallel: char,",
        "    pub secdef: bool,",
        "    pub leakproof: bool,",
        "    /// `pg_get_function_arguments`, `pg_get_function_identity_arguments` and",
        "    /// `pg_get_function_result` as PostgreSQL prints them.",
        "    pub arguments: &'static str,",
        "    pub identity: &'static str,",
        "    pub result: &'static str,",
        "    /// Its comment (`obj_description(oid, 'pg_proc')`).",
        "    pub description: Option<&'static str>,",
        "    /// With OUT (or TABLE) parameters: every parameter's type, and their modes (`i` in,",
        "    /// `o` out, `b` in and out, `v` variadic, `t` table column), one letter each.",
        "    pub allargtypes: Option<&'static [i64]>,",
        "    pub argmodes: Option<&'static str>,",
        "}",
        "",
        "pub const BUILTIN_PROCS: &[BuiltinProc] = &[",
    ]
    for row in kept:
        (oid, name, kind, retset, volatile, strict, _, nargdefaults, rettype, args, variadic,
         argnames, src, lang) = row[:14]
        cost, prorows, parallel, secdef, leakproof, arguments, identity, result, comment = row[19:28]
        description = f"Some({rust_str(comment)})" if comment is not None else "None"
        allargtypes, argmodes = row[28:30]
        allargtypes = f"Some(&{list(allargtypes)})" if allargtypes is not None else "None"
        argmodes = f"Some({rust_str(argmodes)})" if argmodes is not None else "None"
        names = ("Some(&[" + ", ".join(rust_str(n) for n in argnames) + "])") if argnames else "None"
        out.append(
            f"    BuiltinProc {{ oid: {oid}, name: {rust_str(name)}, kind: '{kind}', "
            f"retset: {str(retset).lower()}, volatility: '{volatile}', strict: {str(strict).lower()}, "
            f"nargdefaults: {nargdefaults}, rettype: {rettype}, args: &{list(args)}, "
            f"variadic: {variadic}, argnames: {names}, src: {rust_str(src)}, lang: {lang}, "
            f"cost: {float(cost)!r}, rows: {float(prorows)!r}, parallel: '{parallel}', "
            f"secdef: {str(secdef).lower()}, leakproof: {str(leakproof).lower()}, "
            f"arguments: {rust_str(arguments)}, identity: {rust_str(identity)}, "
            f"result: {rust_str(result)}, description: {description}, "
            f"allargtypes: {allargtypes}, argmodes: {argmodes} }},"
        )
    out.append("];")
    (ROOT / "node/sql/src/procs.rs").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
