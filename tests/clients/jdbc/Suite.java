// pgjdbc (Debian's libpostgresql-jdbc-java) against a server on 127.0.0.1:PORT: prepared and batch
// statements (server-side prepared after five runs, binary then), generated keys, arrays, a
// transaction, errors, DatabaseMetaData (getTables, getColumns), and timestamptz in the JVM's zone
// (America/New_York, sent as the session's TimeZone). Prints one line per step, so
// the pytest wrapper can compare Keel's run with PostgreSQL's.
import java.math.BigDecimal;
import java.sql.*;
import java.util.*;

public class Suite {
    static List<String> lines = new ArrayList<>();

    static void rows(String label, ResultSet rs, String... columns) throws SQLException {
        StringBuilder out = new StringBuilder(label + ":");
        while (rs.next()) {
            out.append(" [");
            for (int i = 0; i < columns.length; i++) {
                if (i > 0) out.append(", ");
                out.append(columns[i]).append('=').append(rs.getString(columns[i]));
            }
            out.append(']');
        }
        rs.close();
        lines.add(out.toString());
    }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + args[0] + "/keel";
        try (Connection conn = DriverManager.getConnection(url, "postgres", "")) {
            Statement st = conn.createStatement();
            st.execute("drop table if exists jdbc_items");
            st.execute("drop table if exists jdbc_owners");
            st.execute("create table jdbc_owners (id serial primary key, name varchar(40) not null unique)");
            st.execute("create table jdbc_items (id bigint primary key, owner int references jdbc_owners, "
                    + "price numeric(8,2), label text default 'x', made date, tags text[])");
            st.execute("create index jdbc_items_price on jdbc_items (price)");
            try (PreparedStatement ps = conn.prepareStatement(
                    "insert into jdbc_owners (name) values (?)", Statement.RETURN_GENERATED_KEYS)) {
                for (String name : new String[] {"ann", "bob"}) {
                    ps.setString(1, name);
                    ps.executeUpdate();
                    ResultSet keys = ps.getGeneratedKeys();
                    keys.next();
                    lines.add("generated key: " + keys.getInt(1));
                }
            }
            conn.setAutoCommit(false);
            try (PreparedStatement ps = conn.prepareStatement(
                    "insert into jdbc_items (id, owner, price, made, tags) values (?, ?, ?, ?, ?)")) {
                for (int i = 1; i <= 50; i++) {
                    ps.setLong(1, i);
                    ps.setInt(2, 1 + i % 2);
                    ps.setBigDecimal(3, new BigDecimal(i).divide(new BigDecimal(4)));
                    ps.setDate(4, java.sql.Date.valueOf("2024-01-01"));
                    ps.setArray(5, conn.createArrayOf("text", new String[] {"t" + i, "all"}));
                    ps.addBatch();
                }
                lines.add("batch: " + Arrays.toString(ps.executeBatch()).length());
            }
            conn.commit();
            conn.setAutoCommit(true);
            try (PreparedStatement ps = conn.prepareStatement(
                    "select id, price, label, tags from jdbc_items where owner = ? and price > ? order by id")) {
                ps.setInt(1, 2);
                ps.setBigDecimal(2, new BigDecimal("10"));
                for (int round = 0; round < 6; round++) {
                    rows("prepared round " + round, ps.executeQuery(), "id", "price", "label", "tags");
                }
            }
            try {
                st.execute("insert into jdbc_items (id, owner) values (1, 1)");
            } catch (SQLException e) {
                lines.add("error: " + e.getSQLState());
            }
            try {
                st.execute("insert into jdbc_items (id, owner) values (99, 42)");
            } catch (SQLException e) {
                lines.add("error: " + e.getSQLState());
            }
            DatabaseMetaData md = conn.getMetaData();
            rows("tables", md.getTables(null, "public", "jdbc_%", new String[] {"TABLE"}),
                    "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE");
            rows("columns", md.getColumns(null, "public", "jdbc_items", "%"),
                    "COLUMN_NAME", "TYPE_NAME", "DATA_TYPE", "COLUMN_SIZE", "DECIMAL_DIGITS",
                    "NULLABLE", "COLUMN_DEF", "ORDINAL_POSITION", "IS_AUTOINCREMENT");
            st.execute("create index jdbc_items_owner on jdbc_items (owner desc)");
            // Their queries use information_schema._pg_expandarray (a record per element) and
            // pg_index.indoption.
            rows("primary keys", md.getPrimaryKeys(null, "public", "jdbc_items"),
                    "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME");
            rows("indexes", md.getIndexInfo(null, "public", "jdbc_items", false, false),
                    "TABLE_NAME", "NON_UNIQUE", "INDEX_NAME", "TYPE", "ORDINAL_POSITION",
                    "COLUMN_NAME", "ASC_OR_DESC");
            rows("imported keys", md.getImportedKeys(null, "public", "jdbc_items"),
                    "PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_NAME", "FKCOLUMN_NAME", "KEY_SEQ",
                    "UPDATE_RULE", "DELETE_RULE", "FK_NAME", "PK_NAME", "DEFERRABILITY");
            rows("exported keys", md.getExportedKeys(null, "public", "jdbc_owners"),
                    "PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_NAME", "FKCOLUMN_NAME", "FK_NAME");
            // Built-in functions both servers have alike (pg_proc).
            rows("functions", md.getFunctions(null, "pg_catalog", "concat_ws"),
                    "FUNCTION_SCHEM", "FUNCTION_NAME", "REMARKS", "FUNCTION_TYPE", "SPECIFIC_NAME");
            rows("function columns", md.getFunctionColumns(null, "pg_catalog", "pg_terminate_backend", "%"),
                    "FUNCTION_NAME", "COLUMN_NAME", "COLUMN_TYPE", "DATA_TYPE", "TYPE_NAME",
                    "ORDINAL_POSITION", "SPECIFIC_NAME");
            rows("procedures", md.getProcedures(null, "pg_catalog", "now"),
                    "PROCEDURE_SCHEM", "PROCEDURE_NAME", "REMARKS", "PROCEDURE_TYPE", "SPECIFIC_NAME");
            rows("procedure columns", md.getProcedureColumns(null, "pg_catalog", "generate_series", "%"),
                    "PROCEDURE_NAME", "COLUMN_NAME", "COLUMN_TYPE", "DATA_TYPE", "TYPE_NAME", "SPECIFIC_NAME");
            st.execute("drop table jdbc_items");
            st.execute("drop table jdbc_owners");
        }
        // timestamptz in a session zone: pgjdbc sends the JVM's zone as TimeZone at startup.
        TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
        try (Connection conn = DriverManager.getConnection(url, "postgres", "")) {
            Statement st = conn.createStatement();
            ResultSet rs = st.executeQuery("select current_setting('TimeZone'), "
                    + "'2024-07-01 12:00'::timestamptz, '2024-07-01 12:00+00'::timestamptz::date, "
                    + "date_trunc('day', '2024-03-10 12:00'::timestamptz)");
            rs.next();
            lines.add("zone: " + rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3)
                    + " " + rs.getString(4) + " " + rs.getTimestamp(2).getTime());
            try (PreparedStatement ps = conn.prepareStatement(
                    "select ?::timestamptz + interval '1 day', (?::timestamptz)::text")) {
                for (int i = 0; i < 6; i++) {
                    ps.setTimestamp(1, Timestamp.valueOf("2024-03-09 12:00:00"));
                    ps.setString(2, "2024-11-03 01:30");
                    ResultSet r = ps.executeQuery();
                    r.next();
                    lines.add("zoned " + i + ": " + r.getString(1) + " " + r.getString(2) + " "
                            + r.getObject(1, java.time.OffsetDateTime.class));
                }
            }
        }
        for (String line : lines) System.out.println(line);
    }
}
