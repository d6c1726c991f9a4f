-- Statement-level: a bulk insert (the seeder writes 50,000 characters a statement) indexes its
-- lexemes in one set-based statement rather than once per row.
DROP TRIGGER characters_search_terms ON characters;
--> statement-breakpoint
DROP FUNCTION characters_search_terms();
--> statement-breakpoint
CREATE FUNCTION characters_index_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO character_terms (owner, term, rank, created_at, character_id)
  SELECT c.owner, t.lexeme, ts_rank_cd(c.search_vector, quote_literal(t.lexeme)::tsquery), c.created_at, c.id
  FROM inserted c, unnest(c.search_vector) t;
  -- In one order, so that two inserts adding the same new words cannot deadlock.
  INSERT INTO search_terms (owner, term)
  SELECT DISTINCT c.owner, t.lexeme FROM inserted c, unnest(c.search_vector) t
  ORDER BY 1, 2
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER characters_index_terms AFTER INSERT ON characters
REFERENCING NEW TABLE AS inserted
FOR EACH STATEMENT EXECUTE FUNCTION characters_index_terms();
--> statement-breakpoint
INSERT INTO character_terms (owner, term, rank, created_at, character_id)
SELECT c.owner, t.lexeme, ts_rank_cd(c.search_vector, quote_literal(t.lexeme)::tsquery), c.created_at, c.id
FROM characters c, unnest(c.search_vector) t;
