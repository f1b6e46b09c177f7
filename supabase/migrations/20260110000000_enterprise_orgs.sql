-- Enterprise, part 1: organizations, teams, members, roles, the permission catalog, role
-- assignments and invitations. Access rules (RLS) come in a later migration; every table is created
-- with RLS enabled and no client privileges so nothing is exposed between migrations.

create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (name ~ '^[a-z0-9][a-z0-9_-]{1,62}$'),
  display_name text not null,
  domain text,
  plan text not null default 'free' check (plan in ('free', 'team', 'enterprise')),
  max_users integer not null default 5 check (max_users > 0),
  status text not null default 'active' check (status in ('active', 'suspended', 'deleted')),
  settings jsonb not null default '{}'::jsonb,
  sso_provider text check (sso_provider in ('saml', 'oidc')),
  -- Non-secret SSO metadata only (entity id, metadata URL); IdP secrets never live here.
  sso_config jsonb not null default '{}'::jsonb,
  -- Set for the personal organization the single-user migration created for this user.
  personal_owner_id uuid unique references auth.users (id) on delete set null,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.organization_members (
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  status text not null default 'active' check (status in ('active', 'suspended')),
  joined_at timestamptz not null default now(),
  primary key (org_id, user_id)
);
create index organization_members_user_id_idx on public.organization_members (user_id);

create table public.teams (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  parent_id uuid,
  name text not null,
  description text not null default '',
  created_at timestamptz not null default now(),
  unique (org_id, name),
  unique (org_id, id),
  -- A parent must live in the same organization.
  foreign key (org_id, parent_id) references public.teams (org_id, id) on delete cascade,
  check (parent_id is distinct from id)
);
create index teams_parent_id_idx on public.teams (parent_id);

create table public.team_members (
  team_id uuid not null,
  org_id uuid not null,
  user_id uuid not null,
  added_at timestamptz not null default now(),
  primary key (team_id, user_id),
  foreign key (org_id, team_id) references public.teams (org_id, id) on delete cascade,
  foreign key (org_id, user_id) references public.organization_members (org_id, user_id) on delete cascade
);
create index team_members_org_id_idx on public.team_members (org_id);
create index team_members_user_id_idx on public.team_members (user_id);

create table public.permissions (
  key text primary key check (key ~ '^[a-z_]+\.[a-z_]+$'),
  area text not null,
  description text not null
);

create table public.roles (
  id uuid primary key default gen_random_uuid(),
  -- Null for the built-in roles shared by every organization.
  org_id uuid references public.organizations (id) on delete cascade,
  key text not null check (key ~ '^[a-z][a-z0-9_-]{1,40}$'),
  name text not null,
  description text not null default '',
  -- Inheritance: a role holds its own permissions plus those of its parent chain.
  parent_role_id uuid references public.roles (id) on delete restrict,
  is_builtin boolean not null default false,
  created_at timestamptz not null default now(),
  check (is_builtin = (org_id is null)),
  check (parent_role_id is distinct from id)
);
create unique index roles_builtin_key_idx on public.roles (key) where org_id is null;
create unique index roles_org_key_idx on public.roles (org_id, key) where org_id is not null;
create index roles_parent_role_id_idx on public.roles (parent_role_id);

create table public.role_permissions (
  role_id uuid not null references public.roles (id) on delete cascade,
  permission_key text not null references public.permissions (key),
  -- Denormalized from roles so RLS can filter by organization without a join.
  org_id uuid references public.organizations (id) on delete cascade,
  primary key (role_id, permission_key)
);
create index role_permissions_org_id_idx on public.role_permissions (org_id);
create index role_permissions_permission_key_idx on public.role_permissions (permission_key);

create table public.role_assignments (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role_id uuid not null references public.roles (id) on delete restrict,
  -- Null: the whole organization; otherwise the team and all its descendants.
  team_id uuid,
  -- Time-bound access: the grant stops counting after this instant.
  expires_at timestamptz,
  granted_by uuid references auth.users (id) on delete set null,
  granted_at timestamptz not null default now(),
  foreign key (org_id, team_id) references public.teams (org_id, id) on delete cascade
);
create unique index role_assignments_unique_idx
  on public.role_assignments (org_id, user_id, role_id, coalesce(team_id, '00000000-0000-0000-0000-000000000000'::uuid));
create index role_assignments_user_id_idx on public.role_assignments (user_id);
create index role_assignments_role_id_idx on public.role_assignments (role_id);
create index role_assignments_team_id_idx on public.role_assignments (team_id);

create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  email text not null check (position('@' in email) > 1),
  role_id uuid not null references public.roles (id) on delete cascade,
  team_id uuid,
  -- sha256 of the one-time token; the token itself is shown once to the inviter and never stored.
  token_hash bytea not null unique,
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  invited_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  foreign key (org_id, team_id) references public.teams (org_id, id) on delete cascade
);
create index invitations_org_id_idx on public.invitations (org_id);
create index invitations_team_id_idx on public.invitations (team_id);
create index invitations_email_idx on public.invitations (lower(email));

alter table public.organizations enable row level security;
alter table public.organization_members enable row level security;
alter table public.teams enable row level security;
alter table public.team_members enable row level security;
alter table public.permissions enable row level security;
alter table public.roles enable row level security;
alter table public.role_permissions enable row level security;
alter table public.role_assignments enable row level security;
alter table public.invitations enable row level security;

revoke all on public.organizations, public.organization_members, public.teams, public.team_members,
  public.permissions, public.roles, public.role_permissions, public.role_assignments, public.invitations
  from anon, authenticated;

-- The permission catalog: every area of the product.
insert into public.permissions (key, area, description) values
  ('org.read', 'org', 'See the organization'),
  ('org.manage', 'org', 'Change organization settings, plan and SSO'),
  ('org.delete', 'org', 'Delete the organization'),
  ('datasource.read', 'datasource', 'See data sources'),
  ('datasource.manage', 'datasource', 'Add, change and remove data sources'),
  ('catalog.read', 'catalog', 'Read catalog entities, columns, docs and tags'),
  ('catalog.write', 'catalog', 'Create and edit catalog entries'),
  ('catalog.delete', 'catalog', 'Delete catalog entries'),
  ('lineage.read', 'lineage', 'Read lineage edges'),
  ('lineage.write', 'lineage', 'Write lineage edges'),
  ('scan.run', 'scan', 'Run a scan / extraction'),
  ('scan.schedule', 'scan', 'Schedule recurring scans'),
  ('rule_sets.read', 'rule_sets', 'See quality and classification rule sets'),
  ('rule_sets.manage', 'rule_sets', 'Edit rule sets'),
  ('classification.read', 'classification', 'See data classifications'),
  ('classification.manage', 'classification', 'Classify columns and entities'),
  ('compliance.read', 'compliance', 'See compliance events'),
  ('compliance.manage', 'compliance', 'Record and resolve compliance events'),
  ('docs.generate', 'docs', 'Generate documentation drafts (AI)'),
  ('docs.approve', 'docs', 'Approve documentation'),
  ('members.read', 'members', 'See members and their roles'),
  ('members.invite', 'members', 'Invite people'),
  ('members.manage', 'members', 'Add, suspend and remove members'),
  ('teams.read', 'teams', 'See teams'),
  ('teams.manage', 'teams', 'Create, change and remove teams and team members'),
  ('roles.read', 'roles', 'See roles and their permissions'),
  ('roles.manage', 'roles', 'Create and edit custom roles'),
  ('roles.assign', 'roles', 'Grant and revoke roles'),
  ('connectors.read', 'connectors', 'See connectors'),
  ('connectors.manage', 'connectors', 'Create, change and remove connectors'),
  ('connectors.run', 'connectors', 'Run connectors'),
  ('keys.read', 'keys', 'See LLM provider keys (metadata only)'),
  ('keys.manage', 'keys', 'Add, rotate and remove LLM provider keys'),
  ('tokens.read', 'tokens', 'See API tokens (metadata only)'),
  ('tokens.manage', 'tokens', 'Create and revoke API tokens'),
  ('audit.view', 'audit', 'Read the audit log'),
  ('flags.read', 'flags', 'See feature flags'),
  ('flags.manage', 'flags', 'Change feature flags'),
  ('usage.view', 'usage', 'See everyone''s AI and tool usage');

-- Built-in roles: owner ⊃ admin ⊃ editor ⊃ viewer through the parent chain.
insert into public.roles (id, org_id, key, name, description, parent_role_id, is_builtin) values
  ('00000000-0000-4000-8000-000000000001', null, 'viewer', 'Viewer', 'Read the catalog and the organization', null, true),
  ('00000000-0000-4000-8000-000000000002', null, 'editor', 'Editor', 'Viewer plus editing the catalog', '00000000-0000-4000-8000-000000000001', true),
  ('00000000-0000-4000-8000-000000000003', null, 'admin', 'Admin', 'Editor plus administration', '00000000-0000-4000-8000-000000000002', true),
  ('00000000-0000-4000-8000-000000000004', null, 'owner', 'Owner', 'Admin plus organization ownership', '00000000-0000-4000-8000-000000000003', true);

insert into public.role_permissions (role_id, permission_key)
select '00000000-0000-4000-8000-000000000001'::uuid, unnest(array[
  'org.read', 'datasource.read', 'catalog.read', 'lineage.read', 'rule_sets.read', 'classification.read',
  'compliance.read', 'members.read', 'teams.read', 'roles.read', 'connectors.read', 'flags.read'])
union all
select '00000000-0000-4000-8000-000000000002'::uuid, unnest(array[
  'catalog.write', 'catalog.delete', 'lineage.write', 'scan.run', 'docs.generate', 'classification.manage'])
union all
select '00000000-0000-4000-8000-000000000003'::uuid, unnest(array[
  'datasource.manage', 'scan.schedule', 'rule_sets.manage', 'compliance.manage', 'docs.approve',
  'members.invite', 'members.manage', 'teams.manage', 'roles.manage', 'roles.assign', 'connectors.manage',
  'connectors.run', 'keys.read', 'keys.manage', 'tokens.read', 'tokens.manage', 'audit.view', 'flags.manage',
  'usage.view'])
union all
select '00000000-0000-4000-8000-000000000004'::uuid, unnest(array['org.manage', 'org.delete']);
