#!/usr/bin/python3
"""Grades every institution from the seven contract CSV files with pandas.

`make bench` runs this beside creditsync on the same files, for two
reasons: its time is the yardstick of issue 25 (a cold path within 2x of
pandas' read and grade), and its grades are an independent check of
creditsync's. It is written from docs/rules.md (sections 1-3), not from
creditsync's SQL, and reads the files as docs/data.md describes them; it
uses the default thresholds of grade/rules.default.toml.

It validates nothing: the bench's files are exported from a store, so
every value is already in its contract form (ISO dates, list keys,
normalised text). Only the columns grading needs are read.

Usage: pandas_grade.py DIR AS_OF > grades.csv
Output: uscc,grade,clauses (clauses joined by ';', D first; empty for A),
one row per institution graded at AS_OF, ordered by USCC.
"""

import calendar
import datetime
import os
import sys

import pandas as pd

# The defaults of grade/rules.default.toml.
WINDOW_MONTHS = 12
C1_VIOLATIONS = 2
C4_MONTHS = 12
C5_YEARS = 3
DUE_MONTH, DUE_DAY = 3, 31

CLAUSE_ORDER = ["D1", "D2", "D3", "D4", "D5",
                "C1", "C2", "C3", "C4", "C5", "C6",
                "B1", "B2", "B3", "B4", "B5", "B6"]

# Public credit evaluations are A-D or 优/良/中/差, read in that order
# (docs/data.md).
EVAL_GRADES = {"A": "A", "B": "B", "C": "C", "D": "D",
               "优": "A", "良": "B", "中": "C", "差": "D"}


def months_before(t, months):
    """The same day `months` months before t, clamped to the month's end:
    29 February a year back is 28 February (docs/rules.md §1)."""
    y, m = divmod(t.year * 12 + t.month - 1 - months, 12)
    m += 1
    return datetime.date(y, m, min(t.day, calendar.monthrange(y, m)[1]))


OPEN_BRACKETS = "[〔【〖〘〚{"
CLOSE_BRACKETS = "]〕】〗〙〛}"
NAME_TABLE = {ord(c): "(" for c in OPEN_BRACKETS}
NAME_TABLE.update({ord(c): ")" for c in CLOSE_BRACKETS})
NAME_TABLE.update({ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})


def name_keys(names):
    """The keys names are matched by when a list row has no USCC
    (docs/data.md): NFKC, no white space (nor a byte-order mark at either
    end), Latin letters in lower case, one bracket style."""
    s = names.str.normalize("NFKC").str.replace(r"\s", "", regex=True)
    return s.str.strip("\ufeff").str.translate(NAME_TABLE)


def dates(df, columns):
    """Parses the ISO dates of columns; an empty cell is no date (NaT)."""
    for c in columns:
        df[c] = pd.to_datetime(df[c], format="%Y-%m-%d", errors="coerce")
    return df


def read(folder, name, columns, chunksize=None):
    """The file's columns as text ('' when empty); in chunks of rows when
    chunksize is given."""
    return pd.read_csv(os.path.join(folder, name + ".csv"), usecols=columns, dtype=str,
                       keep_default_na=False, encoding="utf-8-sig", chunksize=chunksize)


def latest(df, key):
    """A later record with the same key replaces the earlier one."""
    return df.drop_duplicates(subset=key, keep="last")


def main():
    folder, as_of = sys.argv[1], sys.argv[2]
    t_date = datetime.date.fromisoformat(as_of)
    t = pd.Timestamp(t_date)
    window_start = pd.Timestamp(months_before(t_date, WINDOW_MONTHS))
    c4_since = pd.Timestamp(months_before(t_date, C4_MONTHS))

    def in_window(d):
        return (d > window_start) & (d <= t)

    clauses = []  # frames of (uscc, clause)

    def hold(uscc, clause):
        clauses.append(pd.DataFrame({"uscc": uscc.to_numpy(), "clause": clause}))

    # §2: who is graded.
    inst = latest(dates(read(folder, "institutions",
                             ["uscc", "name", "licensed_on", "license_status", "license_status_on",
                              "commitment_signed_on", "lost_contact_since"]),
                        ["licensed_on", "license_status_on", "commitment_signed_on", "lost_contact_since"]),
                  ["uscc"])
    # The contract requires a status date when the status is not valid; a
    # status without one is taken to hold at every date.
    status_by_t = inst["license_status_on"].isna() | (inst["license_status_on"] <= t)
    cancelled = (inst["license_status"] == "cancelled") & status_by_t
    graded = inst[(inst["licensed_on"] <= t) & ~cancelled]

    # Register clauses: D3, C4, B1 (no commitment on file).
    hold(graded.loc[(graded["license_status"] == "revoked") & status_by_t[graded.index], "uscc"], "D3")
    hold(graded.loc[graded["lost_contact_since"] <= c4_since, "uscc"], "C4")
    no_commitment = graded["commitment_signed_on"].isna() | (graded["commitment_signed_on"] > t)
    hold(graded.loc[no_commitment, "uscc"], "B1")

    # Inspection records.
    ins = latest(dates(read(folder, "inspections",
                            ["record_id", "uscc", "kind", "severity", "handled_on", "rectified_on", "refused"]),
                       ["handled_on", "rectified_on"]),
                 ["record_id"])
    ins = ins[ins["handled_on"] <= t]
    w = in_window(ins["handled_on"])
    violation = ins["kind"] == "violation"
    hold(ins.loc[w & violation & (ins["severity"] == "major"), "uscc"], "D1")
    hold(ins.loc[w & (ins["kind"] == "fund_fraud"), "uscc"], "D2")
    violations = ins.loc[w & violation].groupby("uscc").size()
    hold(violations[violations >= C1_VIOLATIONS].index.to_series(), "C1")
    hold(ins.loc[w & violation & (ins["severity"] == "serious"), "uscc"], "C2")
    refused = ins["refused"] == "true"
    open_at_t = ins["rectified_on"].isna() | (ins["rectified_on"] > t)
    hold(ins.loc[refused & (w | open_at_t), "uscc"], "C3")
    hold(ins.loc[w & (ins["kind"] == "commitment_breach"), "uscc"], "B1")
    hold(ins.loc[w & violation & ins["severity"].isin(["minor", "general"]), "uscc"], "B2")
    hold(ins.loc[w & (ins["kind"] == "compliance_failure"), "uscc"], "B3")
    hold(ins.loc[w & (ins["kind"] == "false_materials"), "uscc"], "B4")
    hold(ins.loc[w & (ins["kind"] == "conditions_unmet"), "uscc"], "B5")

    # §3.1 annual reports: the report for year N is due on N+1-03-31; the
    # due years run from the year of licensing to the latest due by T.
    latest_due = t_date.year - (1 if datetime.date(t_date.year, DUE_MONTH, DUE_DAY) <= t_date else 2)
    latest_due_on = pd.Timestamp(datetime.date(latest_due + 1, DUE_MONTH, DUE_DAY))
    rep = latest(dates(read(folder, "annual_reports", ["uscc", "year", "submitted_on"]), ["submitted_on"]),
                 ["uscc", "year"])
    rep["year"] = rep["year"].astype(int)
    licensed_year = graded["licensed_on"].dt.year
    # C5: the C5_YEARS most recent due years all lack a report submitted by T.
    c5_from = latest_due - C5_YEARS + 1
    reported = set(rep.loc[(rep["submitted_on"] <= t) & rep["year"].between(c5_from, latest_due), "uscc"])
    hold(graded.loc[(licensed_year <= c5_from) & ~graded["uscc"].isin(reported), "uscc"], "C5")
    # B3: the latest due year, due inside the window, lacks a report
    # submitted by its due date.
    if window_start < latest_due_on <= t:
        in_time = set(rep.loc[(rep["year"] == latest_due) & (rep["submitted_on"] <= latest_due_on), "uscc"])
        hold(graded.loc[(licensed_year <= latest_due) & ~graded["uscc"].isin(in_time), "uscc"], "B3")

    # External lists: a row with a USCC belongs to it; a row without one to
    # the one registered institution whose name has its key (none or several:
    # left for review, not guessed). Most rows concern other enterprises:
    # they are dropped chunk by chunk, so memory follows the register, not
    # the lists.
    keys = name_keys(inst["name"])
    counts = keys.value_counts()
    owner_by_name = pd.Series(inst["uscc"].to_numpy(), index=keys.to_numpy())
    owner_by_name = owner_by_name[counts[owner_by_name.index].to_numpy() == 1]
    registered = set(inst["uscc"])
    registered_keys = set(keys)

    def external(name, columns, date_columns, key):
        kept = []
        kept_keys = set()  # the keys of the rows kept so far
        for df in read(folder, name, ["uscc", "name"] + columns, chunksize=500_000):
            no_code = df["uscc"] == ""
            df["name_key"] = ""
            df.loc[no_code, "name_key"] = name_keys(df.loc[no_code, "name"])
            about = df["uscc"].isin(registered) | (no_code & df["name_key"].isin(registered_keys))
            if key == ["record_id"]:
                # A later version of a decision may name another enterprise:
                # it replaces an earlier version kept, so it is kept too.
                kept_keys.update(df.loc[about, "record_id"])
                about |= df["record_id"].isin(kept_keys)
            # (Other lists' keys hold the USCC and name key themselves, so a
            # row dropped here never replaces one kept.)
            kept.append(df[about])
        df = latest(dates(pd.concat(kept, ignore_index=True), date_columns), key)
        df["owner"] = df["uscc"]
        no_code = df["uscc"] == ""
        df.loc[no_code, "owner"] = df.loc[no_code, "name_key"].map(owner_by_name).fillna("")
        return df[df["owner"] != ""]

    pen = external("penalties", ["record_id", "decided_on", "publicity_ended_on"],
                   ["decided_on", "publicity_ended_on"], ["record_id"])
    publicized = pen["publicity_ended_on"].isna() | (pen["publicity_ended_on"] > t)
    hold(pen.loc[in_window(pen["decided_on"]) & publicized, "owner"], "B6")

    for name, clause in (("abnormal", "C6"), ("dishonest", "D5")):
        df = external(name, ["listed_on", "removed_on"], ["listed_on", "removed_on"],
                      ["uscc", "name_key", "listed_on"])
        listed = (df["listed_on"] <= t) & (df["removed_on"].isna() | (df["removed_on"] > t))
        hold(df.loc[listed, "owner"], clause)

    ev = external("public_eval", ["grade", "evaluated_on"], ["evaluated_on"],
                  ["uscc", "name_key", "evaluated_on"])
    ev = ev[ev["evaluated_on"] <= t]
    newest = ev.groupby("owner")["evaluated_on"].transform("max")
    # Two evaluations on the newest date (one by code, one by name): any D
    # among them holds.
    d = ev[(ev["evaluated_on"] == newest) & (ev["grade"].str.strip().map(EVAL_GRADES) == "D")]
    hold(d["owner"], "D4")

    held = pd.concat(clauses, ignore_index=True).drop_duplicates()
    held = held[held["uscc"].isin(graded["uscc"])]
    held["order"] = held["clause"].map(CLAUSE_ORDER.index)
    held = held.sort_values(["uscc", "order"])
    joined = held.groupby("uscc")["clause"].agg(";".join)

    out = pd.DataFrame({"uscc": graded["uscc"].sort_values()})
    out["clauses"] = out["uscc"].map(joined).fillna("")
    # The worst clause decides; the clauses are in D, C, B order.
    out["grade"] = out["clauses"].str[:1].replace("", "A")
    out[["uscc", "grade", "clauses"]].to_csv(sys.stdout, index=False)


if __name__ == "__main__":
    main()
