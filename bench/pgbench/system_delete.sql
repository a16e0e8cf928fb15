-- B: DELETE of one row of {table} by primary key: the rows the INSERT run of
-- the round inserted, in the order client c inserted them.  run_system.sh
-- runs it for a number of transactions (-t) no client's INSERT run fell
-- short of, so every transaction deletes a row.
\set id :ibase + :k * :clients + :client_id
DELETE FROM {table} WHERE id = :id;
\set k :k + 1
