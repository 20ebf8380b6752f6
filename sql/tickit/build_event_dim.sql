-- One row per event with what reports group it by: its venue, its category and the
-- calendar day it takes place on. Rebuilt whole from the loaded dimensions in one
-- transaction (a delete-insert), so readers never see it half built.

CREATE TABLE IF NOT EXISTS tickit.event_dim (
    eventid    integer NOT NULL DISTKEY,
    eventname  varchar(200),
    starttime  timestamp,
    event_day  date,
    holiday    boolean,
    catgroup   varchar(10),
    catname    varchar(10),
    venuename  varchar(100),
    venuecity  varchar(30),
    venuestate char(2),
    venueseats integer
);

BEGIN;

DELETE FROM tickit.event_dim;

INSERT INTO tickit.event_dim
SELECT e.eventid, e.eventname, e.starttime, d.caldate, d.holiday,
       c.catgroup, c.catname, v.venuename, v.venuecity, v.venuestate, v.venueseats
FROM tickit.event e
JOIN tickit.venue v ON v.venueid = e.venueid
JOIN tickit.category c ON c.catid = e.catid
JOIN tickit.date d ON d.dateid = e.dateid;

COMMIT;
