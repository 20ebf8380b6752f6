-- The run date's sales per event: tickets, revenue, commission, buyers and their share
-- of the day's revenue. The event side (event_dim) and the sales side (sales, listing,
-- users, the reconciled day) are built by independent steps and meet here. Replaced per
-- day in one transaction, so a rerun leaves one copy.
--
-- @param run_date date

CREATE TABLE IF NOT EXISTS tickit.daily_event_sales (
    saledate       date NOT NULL SORTKEY,
    eventid        integer NOT NULL,
    eventname      varchar(200),
    catgroup       varchar(10),
    catname        varchar(10),
    venuename      varchar(100),
    venuecity      varchar(30),
    tickets        integer NOT NULL,
    revenue        decimal(12,2) NOT NULL,
    commission     decimal(12,2) NOT NULL,
    buyers         integer NOT NULL,
    buyer_states   integer NOT NULL,
    avg_list_price decimal(8,2),
    day_share      decimal(6,4)
);

BEGIN;

DELETE FROM tickit.daily_event_sales WHERE saledate = '${run_date}';

INSERT INTO tickit.daily_event_sales
SELECT CAST('${run_date}' AS date), s.eventid, e.eventname, e.catgroup, e.catname,
       e.venuename, e.venuecity,
       sum(s.qtysold), sum(s.pricepaid), sum(s.commission),
       count(DISTINCT s.buyerid), count(DISTINCT u.state),
       CAST(avg(l.priceperticket) AS decimal(8,2)),
       CAST(sum(s.pricepaid) / max(d.revenue) AS decimal(6,4))
FROM tickit.sales s
JOIN tickit.event_dim e ON e.eventid = s.eventid
JOIN tickit.users u ON u.userid = s.buyerid
JOIN tickit.listing l ON l.listid = s.listid
JOIN tickit.lake_sales_daily d ON d.saledate = CAST(s.saletime AS date)
WHERE CAST(s.saletime AS date) = '${run_date}'
GROUP BY s.eventid, e.eventname, e.catgroup, e.catname, e.venuename, e.venuecity;

-- @check every_sale_reported: each of the run date's sales found its event, buyer and listing
SELECT day.sales AS sales, reported.tickets AS reported_tickets, day.tickets AS tickets
FROM (
    SELECT count(*) AS sales, coalesce(sum(qtysold), 0) AS tickets
    FROM tickit.sales
    WHERE CAST(saletime AS date) = '${run_date}'
) day
CROSS JOIN (
    SELECT coalesce(sum(tickets), 0) AS tickets
    FROM tickit.daily_event_sales
    WHERE saledate = '${run_date}'
) reported
WHERE day.tickets <> reported.tickets;

COMMIT;
