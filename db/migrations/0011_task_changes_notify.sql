-- Tells every gateway instance (LISTEN task_changes) of each task state change. Sent from the
-- writing transaction, so it is delivered on commit and only then; the payload stays far below
-- NOTIFY's 8000-byte limit: listeners reload the row.
CREATE FUNCTION tasks_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(
    'task_changes',
    json_build_object('id', NEW.id, 'state', NEW.state, 'updatedAt', NEW.updated_at)::text
  );
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER tasks_notify_change AFTER UPDATE OF state ON tasks
FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION tasks_notify_change();
