-- B: a new entity, table with the hand-written PL/pgSQL trigger.
INSERT INTO bench.plpgsql (payload, note) VALUES (:client_id, 'note');
