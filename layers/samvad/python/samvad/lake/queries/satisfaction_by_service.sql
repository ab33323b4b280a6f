-- Satisfaction by service across districts: responses, assessable and satisfied responses and
-- the satisfied share (rating 4-5, work done, no money asked) per service and district.
-- param from_date = 2000-01-01
-- param to_date = 9999-12-31
WITH judged AS (
    SELECT service, district, rating, work_done,
           COALESCE(rating < 4, false) OR COALESCE(NOT work_done, false)
               OR COALESCE(bribe_asked, false) AS negative
    FROM feedback
    WHERE "date" BETWEEN '{{from_date}}' AND '{{to_date}}'
),
counted AS (
    SELECT service, district,
           COUNT(*) AS responses,
           SUM(CASE WHEN negative OR (rating IS NOT NULL AND work_done IS NOT NULL)
                    THEN 1 ELSE 0 END) AS assessable,
           SUM(CASE WHEN NOT negative AND rating IS NOT NULL AND work_done IS NOT NULL
                    THEN 1 ELSE 0 END) AS satisfied
    FROM judged
    GROUP BY service, district
)
SELECT service, district, responses, assessable, satisfied,
       CASE WHEN assessable > 0
            THEN ROUND(CAST(satisfied AS DOUBLE) / assessable, 4) END AS satisfied_share
FROM counted
ORDER BY service, satisfied_share DESC NULLS LAST, district
