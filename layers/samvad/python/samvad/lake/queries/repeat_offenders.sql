-- Repeat offenders: offices and officials with poor feedback or a grievance case opened in at
-- least {{min_months}} of the last 6 calendar months (ending with the latest month in the lake).
-- param min_months = 3
WITH flagged AS (
    SELECT department, office_code, official_id, substr("date", 1, 7) AS month,
           1 AS poor_feedback, 0 AS cases_opened
    FROM feedback
    WHERE poor
    UNION ALL
    SELECT department, office_code, official_id, substr("date", 1, 7) AS month,
           0 AS poor_feedback, 1 AS cases_opened
    FROM case_events
    WHERE event = 'opened'
),
indexed AS (
    SELECT flagged.*,
           CAST(substr(month, 1, 4) AS INTEGER) * 12 + CAST(substr(month, 6, 2) AS INTEGER)
               AS month_index
    FROM flagged
),
latest AS (
    SELECT max(month_index) AS last_index FROM indexed
)
SELECT department, office_code, official_id,
       COUNT(DISTINCT month) AS months_flagged,
       SUM(poor_feedback) AS poor_feedback,
       SUM(cases_opened) AS cases_opened,
       MIN(month) AS first_month,
       MAX(month) AS last_month
FROM indexed CROSS JOIN latest
WHERE month_index > last_index - 6
GROUP BY department, office_code, official_id
HAVING COUNT(DISTINCT month) >= {{min_months}}
ORDER BY months_flagged DESC, poor_feedback DESC, department, office_code, official_id
