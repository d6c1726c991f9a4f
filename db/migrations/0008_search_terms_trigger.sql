CREATE FUNCTION characters_search_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_terms (owner, term)
  SELECT NEW.owner, unnest(tsvector_to_array(NEW.search_vector))
  ON CONFLICT DO NOTHING;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER characters_search_terms AFTER INSERT ON characters
FOR EACH ROW EXECUTE FUNCTION characters_search_terms();
--> statement-breakpoint
INSERT INTO search_terms (owner, term)
SELECT DISTINCT owner, unnest(tsvector_to_array(search_vector)) FROM characters
ON CONFLICT DO NOTHING;
