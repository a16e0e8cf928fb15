-- B: a new entity, versioned table (the C trigger assigns the rest).
INSERT INTO bench.imm (payload, note) VALUES (:client_id, 'note');
