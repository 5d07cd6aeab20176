// node-postgres against a server on 127.0.0.1:PORT: prints what each step returned as JSON, so the
// pytest wrapper can compare Keel's run with PostgreSQL's.
const { Client, Pool } = require("pg");

async function main(port) {
  const config = { host: "127.0.0.1", port, user: "postgres", database: "keel" };
  const client = new Client(config);
  await client.connect();
  const seen = [];
  const rows = async (sql, params) => (await client.query(sql, params)).rows;
  await client.query("drop table if exists node_t");
  await client.query(
    "create table node_t (id serial primary key, name text not null, amount numeric(10,2), " +
      "tags text[], doc jsonb, at timestamptz, flag boolean, big bigint)"
  );
  for (let i = 0; i < 10; i++) {
    await client.query(
      "insert into node_t (name, amount, tags, doc, at, flag, big) values ($1, $2, $3, $4, $5, $6, $7)",
      [`n${i}`, (i * 1.25).toFixed(2), ["a", `t${i}`], { k: i, nested: [i, null] },
        new Date(Date.UTC(2024, 0, 1, i)), i % 2 === 0, (2n ** 40n + BigInt(i)).toString()]
    );
  }
  seen.push(await rows("select id, name, amount, tags, doc, flag, big from node_t where id > $1 order by id", [7]));
  seen.push(await rows("select count(*)::int as n, sum(amount) as total from node_t"));
  seen.push((await rows("select at from node_t order by id limit 2")).map((r) => r.at.toISOString()));
  // Named prepared statement, reused.
  const named = { name: "by_name", text: "select id from node_t where name = $1" };
  seen.push(await rows({ ...named, values: ["n3"] }));
  seen.push(await rows({ ...named, values: ["n4"] }));
  // Row mode and a transaction that rolls back.
  seen.push((await client.query({ text: "select name, flag from node_t where id <= 2 order by id", rowMode: "array" })).rows);
  await client.query("begin");
  await client.query("update node_t set amount = 0");
  await client.query("rollback");
  seen.push(await rows("select sum(amount) as total from node_t"));
  // Errors carry the SQLSTATE and leave the connection usable.
  for (const sql of ["insert into node_t (id, name) values (1, 'dup')", "select 1/0", "select * from nosuch"]) {
    try {
      await client.query(sql);
      seen.push("no error");
    } catch (error) {
      seen.push([error.code, error.message]);
    }
  }
  seen.push(await rows("select $1::int + 1 as next", [41]));
  // A pool of connections running at once.
  const pool = new Pool({ ...config, max: 4 });
  const counts = await Promise.all(
    [1, 2, 3, 4, 5, 6].map((i) => pool.query("select count(*)::int as n from node_t where id <= $1", [i]))
  );
  seen.push(counts.map((r) => r.rows[0].n));
  await pool.end();
  await client.query("drop table node_t");
  await client.end();
  process.stdout.write(JSON.stringify(seen));
}

main(Number(process.argv[2])).catch((error) => {
  console.error(error);
  process.exit(1);
});
