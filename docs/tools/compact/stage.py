# stage.py: floor.py's staged rows in the compact form of docs/tools/compact/schema.sql (see README.md here).
#
#   python3 docs/tools/compact/stage.py AFTER.db STAGE.db FLOOR.sql OUT.sql [minimal|people|times]
#
# AFTER.db is the "after" database given to floor.py, STAGE.db its stage database and FLOOR.sql the SQL it wrote.
# Every UUID of the six big tables becomes the rowid its row has in AFTER.db (so a chain of jobs keeps the same
# integer keys: stage each job against its own AFTER and apply them in order to the compact database), every time
# becomes integer microseconds since 1970, and the messages' keys "<assignment>:<cycle>:<rest>" become
# "a<n>:c<n>:<rest>". The compact copies are written to STAGE.db as c_new_T, c_upd_T and c_del_T, and OUT.sql is
# FLOOR.sql applying those instead. Staging takes minutes at 100,000 people; only the shell's run is measured.
#
# With "minimal" (session 18; schema.sql with those keys as text, see README.md): only the keys of assignments, cycles and imported
# completions become integers (and the references among them); people, courses, rules and messages keep their
# text IDs, and the messages' keys are left as they are, as a migration would have to leave them.
#
# With "people" (session 19): the minimal variant, and people's keys as integers too (employee_id, manager_id).
#
# With "times" (session 19; schema.sql with every key as text, see README.md here): every key stays as it is and only
# the times become integers: what SQLite alone would gain without any change of key.
import re, sqlite3, sys

after, stage, floor_sql, out = sys.argv[1:5]
variant = (sys.argv[5:6] or ["full"])[0]
minimal = variant in ("minimal", "people", "times")
con = sqlite3.connect(stage)
con.execute(f"ATTACH '{after}' AS a")
maps = {"emp": "employees", "course": "courses", "rule": "assignment_rules", "asg": "assignments", "cyc": "cycles", "out": "outbox",
        "imp": "imported_completions"}
for m, t in maps.items():
    con.execute(f"DROP TABLE IF EXISTS temp.m_{m}")
    con.execute(f"CREATE TEMP TABLE m_{m} (uuid TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
    con.execute(f"INSERT INTO temp.m_{m} SELECT id, rowid FROM a.{t}")

def key(m):
    if variant == "times" or (minimal and m in ("emp", "course", "rule", "out") and not (variant == "people" and m == "emp")):
        return lambda c: c
    return lambda c: f"(SELECT n FROM temp.m_{m} WHERE uuid = {c})"

def time(c):
    return f"CAST(ROUND((julianday(substr({c}, 1, 26)) - 2440587.5) * 86400000000) AS INTEGER)"

def msgkey(c):
    if minimal:
        return c
    return (f"CASE WHEN substr({c}, 37, 1) = ':' AND substr({c}, 74, 1) = ':' "
            f"AND (SELECT n FROM temp.m_asg WHERE uuid = substr({c}, 1, 36)) IS NOT NULL "
            f"AND (SELECT n FROM temp.m_cyc WHERE uuid = substr({c}, 38, 36)) IS NOT NULL "
            f"THEN 'a' || (SELECT n FROM temp.m_asg WHERE uuid = substr({c}, 1, 36)) || ':c' || "
            f"(SELECT n FROM temp.m_cyc WHERE uuid = substr({c}, 38, 36)) || substr({c}, 74) ELSE {c} END")

# How each column of the five tables is converted (the others are copied). The UUIDs of assignments and cycles
# stay in a column of their own (uuid) for the edges.
convert = {
    "assignments": {"id": key("asg"), "employee_id": key("emp"),
                    "course_id": key("course"), "rule_id": key("rule"), "created_at": time, "closed_at": time},
    "cycles": {"id": key("cyc"), "assignment_id": key("asg"), "employee_id": key("emp"),
               "course_id": key("course"), **{t: time for t in ("window_opens_at", "due_at", "started_at",
               "completed_at", "expires_at", "closed_at", "created_at", "updated_at", "exempt_until", "next_event_at")}},
    "rule_matches": {"rule_id": key("rule"), "employee_id": key("emp"), "first_matched_at": time},
    "outbox_keys": {"dedupe_key": msgkey, "outbox_id": key("out"), "created_at": time},
    "compliance_status": {"employee_id": key("emp"), "course_id": key("course"), "assignment_id": key("asg"),
                          "cycle_id": key("cyc"), "manager_id": key("emp"),
                          **{t: time for t in ("due_at", "completed_at", "expires_at", "refreshed_at")}},
    "imported_completions": {"id": key("imp"), "cycle_id": key("cyc"), "employee_id": key("emp"), "course_id": key("course"),
                             "completed_at": time, "imported_at": time},
}
uuid_of = {} if variant == "times" else {"assignments": "id", "cycles": "id", "imported_completions": "id"}

sql = open(floor_sql).read()
for t, conv in convert.items():
    for p in ("new", "upd", "del"):
        src = f"{p}_{t}"
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (src,)).fetchone():
            continue
        cols = [r[1] for r in con.execute(f"PRAGMA table_info('{src}')")]
        sel = []
        for c in cols:
            f = conv.get(c)
            sel.append(f'{f(chr(34) + c + chr(34)) if f else chr(34) + c + chr(34)} AS "{c}"')
        if t in uuid_of and "id" in cols and p != "del":
            sel.append('"id" AS "uuid"')
        con.execute(f"DROP TABLE IF EXISTS c_{src}")
        con.execute(f"CREATE TABLE c_{src} AS SELECT {', '.join(sel)} FROM {src} ORDER BY rowid")
        n = con.execute(f"SELECT COUNT(*) FROM c_{src}").fetchone()[0]
        print(f"c_{src}: {n} rows", file=sys.stderr)
        # The shell's statements for this table read the compact copies; an INSERT names its columns.
        sql = sql.replace(f"s.{src} ", f"s.c_{src} ").replace(f"s.{src};", f"s.c_{src};")
        if p == "new":
            names = ", ".join(f'"{c}"' for c in cols + (["uuid"] if t in uuid_of and "id" in cols else []))
            sql = re.sub(rf'INSERT INTO "{t}" \([^)]*\) SELECT \* FROM s\.c_{src};',
                         f'INSERT INTO "{t}" ({names}) SELECT * FROM s.c_{src};', sql)
con.commit()
open(out, "w").write(sql)
