-- Compliance evaluation (issue 16, `compliance` edge function): at most one open event per
-- organization, rule and target, so an evaluation that runs twice at once (a schedule and an admin)
-- opens each violation once (`insert … on conflict … do nothing`), and resolving "the open event of
-- this rule and target" is unambiguous. Closed events stay as history (any number per target).
-- The table keeps its RLS, grants and audit trigger (20260110000500, 20261203000400).
create unique index compliance_events_open_key on public.compliance_events (org_id, rule, entity_key) where status = 'open';
