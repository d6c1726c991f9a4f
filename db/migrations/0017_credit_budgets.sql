CREATE TABLE "credit_budgets" (
	"owner" text PRIMARY KEY NOT NULL,
	"credits_per_day" integer,
	"credits_per_month" integer,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credit_charges" (
	"task_id" uuid PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"estimate" integer NOT NULL,
	"charged" integer,
	"reserved_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"settled_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "credits_consumed" integer;--> statement-breakpoint
CREATE INDEX "credit_charges_owner_reserved_idx" ON "credit_charges" USING btree ("owner","reserved_at");--> statement-breakpoint
-- Reserves a task's estimate for its owner, or says why not: one call, race-safe across
-- instances. The owner's budget row is locked first, so that creates of an owner with a budget
-- take turns; the sum that follows is a statement of its own and so sees every charge committed
-- by those that held the lock before (READ COMMITTED): a budget is never passed. Owners without a
-- budget lock nothing. No row back: reserved (or reserved already, by an earlier send of the same
-- task). One row: refused, with the period, its budget, what was spent and when the period ends.
CREATE FUNCTION reserve_credits(p_task uuid, p_owner text, p_estimate integer)
RETURNS TABLE (period text, budget integer, spent integer, retry_after_seconds integer)
LANGUAGE plpgsql AS $$
DECLARE
  limits credit_budgets%ROWTYPE;
  today timestamp := date_trunc('day', now() AT TIME ZONE 'UTC');
  this_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
  spent_today integer;
  spent_this_month integer;
BEGIN
  IF EXISTS (SELECT 1 FROM credit_charges WHERE task_id = p_task) THEN
    RETURN;
  END IF;
  SELECT * INTO limits FROM credit_budgets WHERE owner = p_owner FOR UPDATE;
  IF FOUND THEN
    SELECT
      coalesce(sum(coalesce(c.charged, c.estimate)) FILTER (WHERE c.reserved_at >= today AT TIME ZONE 'UTC'), 0),
      coalesce(sum(coalesce(c.charged, c.estimate)), 0)
    INTO spent_today, spent_this_month
    FROM credit_charges c
    WHERE c.owner = p_owner AND c.reserved_at >= this_month AT TIME ZONE 'UTC';
    IF limits.credits_per_day IS NOT NULL AND spent_today + p_estimate > limits.credits_per_day THEN
      RETURN QUERY SELECT 'DAY', limits.credits_per_day, spent_today,
        ceil(extract(epoch FROM (today + interval '1 day') AT TIME ZONE 'UTC' - now()))::integer;
      RETURN;
    END IF;
    IF limits.credits_per_month IS NOT NULL
      AND spent_this_month + p_estimate > limits.credits_per_month THEN
      RETURN QUERY SELECT 'MONTH', limits.credits_per_month, spent_this_month,
        ceil(extract(epoch FROM (this_month + interval '1 month') AT TIME ZONE 'UTC' - now()))::integer;
      RETURN;
    END IF;
  END IF;
  INSERT INTO credit_charges (task_id, owner, estimate)
  VALUES (p_task, p_owner, p_estimate)
  ON CONFLICT (task_id) DO NOTHING;
END
$$;
--> statement-breakpoint
-- Settles a task's charge when it ends, in the statement that ends it (no round trip of its own):
-- what kie.ai reported it cost, or the estimate when it reported nothing (kie.ai may still bill
-- a task that timed out here). A task that never reached kie.ai ends with 0, which releases it.
CREATE FUNCTION tasks_settle_credits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE credit_charges
  SET charged = coalesce(NEW.credits_consumed, estimate), settled_at = now()
  WHERE task_id = NEW.id AND settled_at IS NULL;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER tasks_settle_credits AFTER UPDATE OF state ON tasks
FOR EACH ROW WHEN (NEW.state IN ('SUCCESS', 'FAIL') AND OLD.state IS DISTINCT FROM NEW.state)
EXECUTE FUNCTION tasks_settle_credits();
