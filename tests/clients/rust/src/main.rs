//! Rust drivers against a server on 127.0.0.1:PORT, database `keel`, user `postgres`:
//! `keel-rust-clients tokio-postgres PORT` or `keel-rust-clients sqlx PORT` prints one line per
//! step (what the driver returned, Debug-formatted), so tests/clients/test_rust_drivers.py can
//! compare Keel's run with PostgreSQL's.

use std::error::Error;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (driver, port) = match args.as_slice() {
        [_, driver, port] => (driver.as_str(), port.parse::<u16>()?),
        _ => return Err("usage: keel-rust-clients tokio-postgres|sqlx PORT".into()),
    };
    let lines = match driver {
        "tokio-postgres" => tokio_postgres_suite(port).await?,
        "sqlx" => sqlx_suite(port).await?,
        other => return Err(format!("unknown driver {other}").into()),
    };
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

/// tokio-postgres: binary parameters and results through prepared statements (the driver asks
/// the server for parameter types), typed gets, transactions, portals, COPY both ways, the
/// simple query protocol and SQLSTATEs.
async fn tokio_postgres_suite(port: u16) -> Result<Vec<String>> {
    use futures_util::{pin_mut, SinkExt, StreamExt};
    let dsn = format!("host=127.0.0.1 port={port} user=postgres dbname=keel");
    let (mut client, connection) = tokio_postgres::connect(&dsn, tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            eprintln!("connection: {error}");
        }
    });
    let mut seen = Vec::new();
    client
        .batch_execute(
            "drop table if exists rust_tp;
             create table rust_tp (id int primary key, name text not null, ratio float8,
                 weight real, big bigint, small smallint, flag boolean, data bytea,
                 tags text[], doc jsonb)",
        )
        .await?;
    let insert = client
        .prepare(
            "insert into rust_tp (id, name, ratio, weight, big, small, flag, data, tags, doc) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .await?;
    seen.push(format!("insert params {:?}", insert.params()));
    for i in 0..5i32 {
        let doc = serde_json::json!({ "k": i, "nested": [i, null] });
        let tags = vec![format!("t{i}"), "x".to_string()];
        let data: Vec<u8> = (0..=i as u8).collect();
        let inserted = client
            .execute(
                &insert,
                &[
                    &i,
                    &format!("n{i}"),
                    &(i as f64 / 3.0),
                    &(i as f32 * 1.1),
                    &((1i64 << 40) + i as i64),
                    &(i as i16),
                    &(i % 2 == 0),
                    &data,
                    &tags,
                    &doc,
                ],
            )
            .await?;
        seen.push(format!("inserted {inserted}"));
    }
    let rows = client
        .query("select id, name, ratio, weight, big, small, flag, data, tags, doc from rust_tp where id >= $1 order by id", &[&2i32])
        .await?;
    for row in &rows {
        let id: i32 = row.get(0);
        let name: String = row.get(1);
        let ratio: f64 = row.get(2);
        let weight: f32 = row.get(3);
        let big: i64 = row.get(4);
        let small: i16 = row.get(5);
        let flag: bool = row.get(6);
        let data: Vec<u8> = row.get(7);
        let tags: Vec<String> = row.get(8);
        let doc: serde_json::Value = row.get(9);
        seen.push(format!(
            "row {id} {name} {ratio} {weight} {big} {small} {flag} {data:?} {tags:?} {doc}"
        ));
    }
    let columns: Vec<String> = rows[0]
        .columns()
        .iter()
        .map(|c| format!("{}:{}", c.name(), c.type_()))
        .collect();
    seen.push(format!("columns {columns:?}"));
    let one = client
        .query_one(
            "select count(*), sum(big)::text from rust_tp where flag = $1",
            &[&true],
        )
        .await?;
    seen.push(format!(
        "count {} {:?}",
        one.get::<_, i64>(0),
        one.get::<_, Option<String>>(1)
    ));
    let none = client
        .query_opt("select name from rust_tp where id = $1", &[&99i32])
        .await?;
    seen.push(format!("missing {:?}", none.map(|r| r.get::<_, String>(0))));
    let nulls = client
        .query_one("select null::int, null::text, $1::text", &[&None::<String>])
        .await?;
    seen.push(format!(
        "nulls {:?} {:?} {:?}",
        nulls.get::<_, Option<i32>>(0),
        nulls.get::<_, Option<String>>(1),
        nulls.get::<_, Option<String>>(2)
    ));
    // A transaction that rolls back, then one that commits.
    {
        let txn = client.transaction().await?;
        txn.execute("update rust_tp set name = 'gone'", &[]).await?;
        txn.rollback().await?;
    }
    {
        let txn = client.transaction().await?;
        txn.execute(
            "update rust_tp set small = small + 10 where id = $1",
            &[&0i32],
        )
        .await?;
        // A portal read two rows at a time.
        let statement = txn.prepare("select id from rust_tp order by id").await?;
        let portal = txn.bind(&statement, &[]).await?;
        loop {
            let chunk = txn.query_portal(&portal, 2).await?;
            if chunk.is_empty() {
                break;
            }
            let ids: Vec<i32> = chunk.iter().map(|r| r.get(0)).collect();
            seen.push(format!("portal {ids:?}"));
        }
        txn.commit().await?;
    }
    let names: Vec<String> = client
        .query("select name from rust_tp order by id", &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    seen.push(format!("after transactions {names:?}"));
    // COPY in (text) and out.
    let sink = client
        .copy_in("copy rust_tp (id, name, flag) from stdin")
        .await?;
    pin_mut!(sink);
    sink.send(bytes::Bytes::from_static(
        b"10\tcopied ten\tt\n11\t\\N-not-null\tf\n",
    ))
    .await?;
    let copied = sink.finish().await?;
    seen.push(format!("copy in {copied}"));
    // A bad row fails the whole COPY with its SQLSTATE; nothing of it stays.
    let sink = client.copy_in("copy rust_tp (id, name) from stdin").await?;
    pin_mut!(sink);
    sink.send(bytes::Bytes::from_static(b"20\tfine\nnot a number\tbad\n"))
        .await?;
    let failed = sink.finish().await;
    seen.push(format!(
        "copy in bad row {:?}",
        failed.map_err(|e| e.code().map(|c| c.code().to_string()))
    ));
    let count: i64 = client
        .query_one("select count(*) from rust_tp where id = 20", &[])
        .await?
        .get(0);
    seen.push(format!("after failed copy {count}"));
    let stream = client
        .copy_out("copy (select id, name, flag from rust_tp where id >= 10 order by id) to stdout")
        .await?;
    pin_mut!(stream);
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk?);
    }
    seen.push(format!("copy out {:?}", String::from_utf8(out)?));
    // The simple query protocol: text values.
    for message in client
        .simple_query("select id, name from rust_tp where id = 1; select 'two'")
        .await?
    {
        if let tokio_postgres::SimpleQueryMessage::Row(row) = message {
            let values: Vec<Option<&str>> = (0..row.len()).map(|i| row.get(i)).collect();
            seen.push(format!("simple {values:?}"));
        }
    }
    // Errors carry their SQLSTATE and leave the connection usable.
    for sql in [
        "insert into rust_tp (id, name) values (1, 'dup')",
        "select 1/0",
        "select * from no_such_table",
        "insert into rust_tp (id) values (50)",
    ] {
        match client.execute(sql, &[]).await {
            Ok(n) => seen.push(format!("no error {n}")),
            Err(error) => seen.push(format!(
                "error {:?}",
                error.code().map(|c| c.code().to_string())
            )),
        }
    }
    let wrong_type = client
        .query("select name from rust_tp where id = $1", &[&"1"])
        .await;
    seen.push(format!(
        "wrong parameter type refused {}",
        wrong_type.is_err()
    ));
    seen.push(format!(
        "still usable {}",
        client
            .query_one("select 1::int", &[])
            .await?
            .get::<_, i32>(0)
    ));
    client.batch_execute("drop table rust_tp").await?;
    Ok(seen)
}

/// sqlx: its statement cache (named prepared statements reused), typed binds and decodes,
/// tuples and rows by name, transactions, and database errors' codes.
async fn sqlx_suite(port: u16) -> Result<Vec<String>> {
    use sqlx::{Connection, Row};
    let url = format!("postgres://postgres@127.0.0.1:{port}/keel");
    let mut conn = sqlx::PgConnection::connect(&url).await?;
    let mut seen = Vec::new();
    sqlx::query("drop table if exists rust_sqlx")
        .execute(&mut conn)
        .await?;
    sqlx::query(
        "create table rust_sqlx (id bigserial primary key, name text not null unique, \
         score float8, tags text[], doc jsonb, active boolean not null default true)",
    )
    .execute(&mut conn)
    .await?;
    for i in 0..6 {
        let done =
            sqlx::query("insert into rust_sqlx (name, score, tags, doc) values ($1, $2, $3, $4)")
                .bind(format!("s{i}"))
                .bind(i as f64 * 0.5)
                .bind(vec![format!("t{i}")])
                .bind(serde_json::json!({ "i": i }))
                .execute(&mut conn)
                .await?;
        seen.push(format!("inserted {}", done.rows_affected()));
    }
    let tuples: Vec<(i64, String, Option<f64>)> =
        sqlx::query_as("select id, name, score from rust_sqlx where score > $1 order by id")
            .bind(1.0f64)
            .fetch_all(&mut conn)
            .await?;
    seen.push(format!("tuples {tuples:?}"));
    let row = sqlx::query("select name, tags, doc, active from rust_sqlx where id = $1")
        .bind(3i64)
        .fetch_one(&mut conn)
        .await?;
    let name: String = row.try_get("name")?;
    let tags: Vec<String> = row.try_get("tags")?;
    let doc: serde_json::Value = row.try_get("doc")?;
    let active: bool = row.try_get("active")?;
    seen.push(format!("row {name} {tags:?} {doc} {active}"));
    let missing: Option<(String,)> = sqlx::query_as("select name from rust_sqlx where id = $1")
        .bind(99i64)
        .fetch_optional(&mut conn)
        .await?;
    seen.push(format!("missing {missing:?}"));
    let (count,): (i64,) = sqlx::query_as("select count(*) from rust_sqlx")
        .fetch_one(&mut conn)
        .await?;
    seen.push(format!("count {count}"));
    {
        let mut txn = conn.begin().await?;
        sqlx::query("delete from rust_sqlx")
            .execute(&mut *txn)
            .await?;
        txn.rollback().await?;
    }
    {
        let mut txn = conn.begin().await?;
        sqlx::query("update rust_sqlx set active = false where id <= $1")
            .bind(2i64)
            .execute(&mut *txn)
            .await?;
        txn.commit().await?;
    }
    let active: Vec<(i64, bool)> = sqlx::query_as("select id, active from rust_sqlx order by id")
        .fetch_all(&mut conn)
        .await?;
    seen.push(format!("after transactions {active:?}"));
    for sql in [
        "insert into rust_sqlx (name) values ('s1')",
        "select 1/0",
        "insert into rust_sqlx (name) values (null)",
    ] {
        match sqlx::query(sql).execute(&mut conn).await {
            Ok(done) => seen.push(format!("no error {}", done.rows_affected())),
            Err(error) => seen.push(format!(
                "error {:?}",
                error
                    .as_database_error()
                    .and_then(|e| e.code())
                    .map(|c| c.to_string())
            )),
        }
    }
    // The same statement again comes from sqlx's cache (a named statement on the server).
    for id in [1i64, 2] {
        let (name,): (String,) = sqlx::query_as("select name from rust_sqlx where id = $1")
            .bind(id)
            .fetch_one(&mut conn)
            .await?;
        seen.push(format!("cached {name}"));
    }
    sqlx::query("drop table rust_sqlx")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(seen)
}
