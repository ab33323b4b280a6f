-- ATR quality: of the action-taken reports a citizen was asked about, how often the citizen
-- said "not resolved" (the case escalated with reason citizen_not_resolved), per office.
-- param from_date = 2000-01-01
-- param to_date = 9999-12-31
WITH verdicts AS (
    SELECT department, office_code, official_id,
           CASE WHEN event = 'resolved' THEN 1 ELSE 0 END AS resolved,
           CASE WHEN reason = 'citizen_not_resolved' THEN 1 ELSE 0 END AS not_resolved,
           CASE WHEN reason = 'citizen_no_answer' THEN 1 ELSE 0 END AS no_answer
    FROM case_events
    WHERE "date" BETWEEN '{{from_date}}' AND '{{to_date}}'
      AND (event = 'resolved'
           OR (event = 'escalated'
               AND reason IN ('citizen_not_resolved', 'citizen_no_answer')))
),
counted AS (
    SELECT department, office_code, official_id,
           COUNT(*) AS atrs_asked,
           SUM(resolved) AS resolved,
           SUM(not_resolved) AS not_resolved,
           SUM(no_answer) AS no_answer
    FROM verdicts
    GROUP BY department, office_code, official_id
)
SELECT department, office_code, official_id, atrs_asked, resolved, not_resolved, no_answer,
       CASE WHEN resolved + not_resolved > 0
            THEN ROUND(CAST(not_resolved AS DOUBLE) / (resolved + not_resolved), 4)
       END AS not_resolved_share
FROM counted
ORDER BY not_resolved_share DESC NULLS LAST, atrs_asked DESC, department, office_code,
         official_id
