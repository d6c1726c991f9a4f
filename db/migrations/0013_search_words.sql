-- Search ranks a prompt by its words as written, not only by their stems: "robot" must rank
-- "a tin robot" above "a robotic arm" although both hold the lexeme robot, and "runn" must find
-- "running" although its lexeme is run. So the ranked lists (character_terms) and the vocabulary
-- (search_terms) now hold the words of each prompt as written (the 'simple' configuration: lower
-- case, unstemmed), stop words left out as the English configuration leaves them out; stems are
-- still in search_vector, whose GIN index keeps finding matches.
CREATE OR REPLACE FUNCTION characters_index_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH indexed AS (
    INSERT INTO character_terms (owner, term, rank, created_at, character_id)
    SELECT c.owner, w.lexeme, ts_rank_cd(c.words, quote_literal(w.lexeme)::tsquery), c.created_at, c.id
    -- OFFSET 0: parsed once per character, not once per word.
    FROM inserted i
    CROSS JOIN LATERAL (
      SELECT i.owner, i.created_at, i.id, to_tsvector('simple', coalesce(i.prompt, '')) AS words OFFSET 0
    ) c
    CROSS JOIN LATERAL unnest(c.words) w
    WHERE ts_lexize('english_stem', w.lexeme) <> '{}'
    RETURNING owner, term
  )
  -- In one order, so that two inserts adding the same new words cannot deadlock.
  INSERT INTO search_terms (owner, term)
  SELECT DISTINCT owner, term FROM indexed
  ORDER BY 1, 2
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
--> statement-breakpoint
TRUNCATE character_terms, search_terms;
--> statement-breakpoint
-- Built again after the rows are in: faster than keeping it up to date row by row.
DROP INDEX character_terms_ranked_idx;
--> statement-breakpoint
INSERT INTO character_terms (owner, term, rank, created_at, character_id)
SELECT c.owner, w.lexeme, ts_rank_cd(c.words, quote_literal(w.lexeme)::tsquery), c.created_at, c.id
FROM characters i
CROSS JOIN LATERAL (
  SELECT i.owner, i.created_at, i.id, to_tsvector('simple', coalesce(i.prompt, '')) AS words OFFSET 0
) c
CROSS JOIN LATERAL unnest(c.words) w
WHERE ts_lexize('english_stem', w.lexeme) <> '{}';
--> statement-breakpoint
CREATE INDEX character_terms_ranked_idx ON character_terms USING btree (owner, term, rank DESC NULLS FIRST, created_at DESC NULLS FIRST, character_id DESC NULLS FIRST);
--> statement-breakpoint
INSERT INTO search_terms (owner, term)
SELECT DISTINCT owner, term FROM character_terms
ON CONFLICT DO NOTHING;
