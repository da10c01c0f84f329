# floor.py: what a job's writes cost at least, measured with the sqlite3 shell (docs/performance.md, session 15).
#
#   python3 docs/tools/floor.py BEFORE.db AFTER.db STAGE.db OUT.sql
#   cp BEFORE.db /tmp/t.db && time sqlite3 /tmp/t.db < OUT.sql
#
# BEFORE.db and AFTER.db are copies of Onramp's database before and after one job (an import, a pass). The script
# stages in STAGE.db, table by table, the rows AFTER has and BEFORE has not (new_T), the rows both have that differ
# (upd_T: only the columns that differ anywhere), and the rows only BEFORE has (del_T), and writes OUT.sql: the
# shell applies them to a copy of BEFORE in one transaction, with the settings of Onramp's bulk transactions, and
# checkpoints the log. Staging takes minutes at 100,000 people; only the shell's run is the measurement.
import sqlite3, sys
before, after, stage, out = sys.argv[1:5]
con = sqlite3.connect(stage)
con.execute(f"ATTACH '{before}' AS b"); con.execute(f"ATTACH '{after}' AS a")
tables = [r[0] for r in con.execute("SELECT name FROM a.sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'")]
sql = ["PRAGMA cache_size=-65536;", "PRAGMA synchronous=NORMAL;", "PRAGMA temp_store=MEMORY;", f"ATTACH '{stage}' AS s;", "BEGIN;"]
for t in tables:
    cols = con.execute(f"PRAGMA a.table_info('{t}')").fetchall()
    names = [c[1] for c in cols]
    pk = [c[1] for c in sorted(cols, key=lambda c: c[5]) if c[5] > 0]
    if not pk:
        pk = ["rowid"]
    on = " AND ".join(f'x."{k}" = y."{k}"' for k in pk)
    q = lambda n: '"' + n + '"'
    con.execute(f"DROP TABLE IF EXISTS main.new_{t}"); con.execute(f"DROP TABLE IF EXISTS main.upd_{t}"); con.execute(f"DROP TABLE IF EXISTS main.del_{t}")
    sel = ", ".join(f"x.{q(n)}" for n in names) if pk != ["rowid"] else "x.*"
    con.execute(f"CREATE TABLE main.new_{t} AS SELECT {sel} FROM a.{q(t)} x WHERE NOT EXISTS (SELECT 1 FROM b.{q(t)} y WHERE {on})")
    con.execute(f"CREATE TABLE main.del_{t} AS SELECT {', '.join('x.'+q(k) for k in pk)} FROM b.{q(t)} x WHERE NOT EXISTS (SELECT 1 FROM a.{q(t)} y WHERE {on})")
    nonpk = [n for n in names if n not in pk]
    diff = " OR ".join(f"x.{q(n)} IS NOT y.{q(n)}" for n in nonpk) or "0"
    con.execute(f"CREATE TABLE main.upd_{t} AS SELECT {', '.join('x.'+q(n) for n in names)} FROM a.{q(t)} x JOIN b.{q(t)} y ON {on} WHERE {diff}")
    changed = [n for n in nonpk if con.execute(f"SELECT 1 FROM main.upd_{t} x JOIN b.{q(t)} y ON {on} WHERE x.{q(n)} IS NOT y.{q(n)} LIMIT 1").fetchone()]
    nn, nu, nd = (con.execute(f"SELECT COUNT(*) FROM main.{p}_{t}").fetchone()[0] for p in ("new", "upd", "del"))
    if nn + nu + nd == 0:
        continue
    print(f"{t}: {nn} new, {nu} changed ({', '.join(changed)}), {nd} gone", file=sys.stderr)
    if nd:
        sql.append(f"DELETE FROM {q(t)} AS x WHERE EXISTS (SELECT 1 FROM s.del_{t} y WHERE {on});")
    if nu and changed:
        sets = ", ".join(f"{q(n)} = y.{q(n)}" for n in changed)
        sql.append(f"UPDATE {q(t)} AS x SET {sets} FROM s.upd_{t} AS y WHERE {on};")
    if nn:
        sql.append(f"INSERT INTO {q(t)} ({', '.join(q(n) for n in names)}) SELECT * FROM s.new_{t};")
con.commit()
sql += ["COMMIT;", "PRAGMA wal_checkpoint(TRUNCATE);"]
open(out, "w").write("\n".join(sql) + "\n")
