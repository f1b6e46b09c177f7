-- Undoes 20261216002000_compliance_open_events: the one-open-event-per-rule-and-target index.
drop index if exists public.compliance_events_open_key;
