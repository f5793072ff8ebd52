-- Every version of every unit's quarterly IT report: each save, upload,
-- submission, return and approval appends a row; none is ever changed or
-- removed. The row with the highest n of a (unit_id, quarter) is the
-- report's current state. answers is the JSON of form.Answers (value,
-- collected figure, explanation per indicator); form names the report
-- definition's version they follow. Small (a row per unit per action), so
-- kept whole on every node, not partitioned.
CREATE TABLE IF NOT EXISTS {{.DB}}.report_versions {{.OnCluster}}
(
    unit_id String,
    quarter String,
    n       UInt32,
    state   Enum8('draft' = 1, 'submitted' = 2, 'returned' = 3, 'resubmitted' = 4, 'approved' = 5),
    form    String,
    answers String,
    action  String,
    comment String,
    actor   String,
    at      DateTime
)
ENGINE = {{globalEngine "report_versions" "MergeTree()"}}
ORDER BY (unit_id, quarter, n)
