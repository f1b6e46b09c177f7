import type { ConnectorDefinition, ConnectorField, TestResult } from '../../core/connectors/connector';
import { checkField, textOf } from './fieldValues';

/**
 * The step machine of "Mallard: Add Connector" (and of Edit, prefilled): type → scope → name → one
 * step per field of the definition → "Test connection" → the decision to save. It knows nothing
 * about VS Code: it asks a `FlowPort` (quick picks and input boxes in the extension, a script in
 * tests) and goes back one step when the port answers `back`. Secrets are kept apart from the config
 * from the first keystroke, so the result's `config` can never hold one.
 */

/** Where a connector is saved: this workspace's personal catalog, or the signed-in organization. */
export type ConnectorScope = 'workspace' | 'org';

/** What a port answers for one step. */
export type Answer<T> = { kind: 'value'; value: T } | { kind: 'back' } | { kind: 'cancel' };

/** Title and position of a step ("Add PostgreSQL connector", 3 of 8). */
export interface StepInfo {
  title: string;
  step: number;
  totalSteps: number;
}

/** One choice of a pick step. */
export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
}

/** The UI the flow drives. Every step but the first offers "back". */
export interface FlowPort {
  pick<T>(step: StepInfo & { placeholder: string; items: readonly PickItem<T>[]; active?: T }): Promise<Answer<T>>;
  /** An input box whose text is checked by `validate` on every change; the message shows under the input. */
  input(step: StepInfo & { prompt: string; placeholder?: string; value: string; password: boolean; validate: (text: string) => string | undefined }): Promise<Answer<string>>;
  /** Runs the connection test with visible, cancellable progress. */
  progress(step: StepInfo & { message: string }, run: (signal: AbortSignal) => Promise<TestResult>): Promise<TestResult>;
}

/** The connector being added or edited, as far as it is filled in. */
export interface FlowDraft {
  type: string;
  scope: ConnectorScope;
  name: string;
  /** Non-secret settings only. */
  config: Record<string, unknown>;
  /** Secrets typed in this flow (an edit's blank secret is absent here and listed in `keptSecrets`). */
  secrets: Record<string, unknown>;
  /** Secret keys left blank while editing: the stored value is kept. */
  keptSecrets: string[];
}

/** A finished flow: the draft and the last test's outcome (failed when the user chose "Save anyway"). */
export interface FlowResult extends FlowDraft {
  tested: TestResult;
}

/** An existing connector to edit. */
export interface EditTarget {
  id: string;
  type: string;
  scope: ConnectorScope;
  name: string;
  config: Record<string, unknown>;
  /** Keys of the secrets stored for it (their values are never shown). */
  storedSecrets: readonly string[];
}

export interface FlowOptions {
  definitions: readonly ConnectorDefinition[];
  /** Offered as a scope when signed in to sync and allowed to manage the organization's connectors. */
  org?: { name: string };
  /** Names already taken in each scope (a connector's name is its project in the catalog). */
  takenNames: (scope: ConnectorScope) => readonly string[];
  editing?: EditTarget;
  /** Tests the draft's connection (locally or through the organization's `connectors` function). */
  test: (draft: FlowDraft, signal: AbortSignal) => Promise<TestResult>;
}

type Step = { kind: 'type' } | { kind: 'scope' } | { kind: 'name' } | { kind: 'field'; field: ConnectorField } | { kind: 'test' };

const MAX_NAME = 60;
/** Config key a definition may use for the project name its facts are shown under. */
const NAME_FIELD = 'name';

/** Runs the flow to its end: the result to save, or undefined when the user cancelled. */
export async function runConnectorFlow(port: FlowPort, options: FlowOptions): Promise<FlowResult | undefined> {
  const editing = options.editing;
  const draft: FlowDraft = editing
    ? { type: editing.type, scope: editing.scope, name: editing.name, config: { ...editing.config }, secrets: {}, keptSecrets: [] }
    : { type: options.definitions[0]?.type ?? '', scope: 'workspace', name: '', config: {}, secrets: {}, keptSecrets: [] };
  const definition = (): ConnectorDefinition | undefined => options.definitions.find((d) => d.type === draft.type);
  const steps = (): Step[] => [
    ...(editing ? [] : [{ kind: 'type' } as const]),
    ...(editing || !options.org ? [] : [{ kind: 'scope' } as const]),
    { kind: 'name' },
    // A definition's own `name` field is the connector's name, asked once by the name step.
    // A field of one scope (a BI connector's repository, for the cloud) is asked only in that scope.
    ...(definition()?.fields ?? []).filter((f) => f.key !== NAME_FIELD && (f.scope === undefined || f.scope === draft.scope)).map((field): Step => ({ kind: 'field', field })),
    { kind: 'test' },
  ];
  let index = 0;
  for (;;) {
    const all = steps();
    const step = all[index];
    if (!step) return undefined;
    const def = definition();
    const info: StepInfo = { title: editing ? `Edit ${editing.name}` : `Add ${def && index > 0 ? def.label + ' ' : ''}Connector`, step: index + 1, totalSteps: all.length };
    const answer = await runStep(port, step, info, draft, options);
    if (answer.kind === 'cancel') return undefined;
    if (answer.kind === 'back') {
      index = Math.max(0, index - 1);
      continue;
    }
    if (step.kind === 'test' && answer.value !== undefined) return { ...draft, tested: answer.value };
    index++;
  }
}

/** One step; `value` is the test result on the test step when the user chose to save. */
async function runStep(port: FlowPort, step: Step, info: StepInfo, draft: FlowDraft, options: FlowOptions): Promise<Answer<TestResult | undefined>> {
  const done = { kind: 'value', value: undefined } as const;
  switch (step.kind) {
    case 'type': {
      const items = options.definitions.map((d): PickItem<string> => ({ label: d.label, description: d.type, detail: d.description, value: d.type }));
      const answer = await port.pick({ ...info, title: `${info.title}: Type`, placeholder: 'Which kind of source?', items, active: draft.type });
      if (answer.kind !== 'value') return answer;
      if (answer.value !== draft.type) {
        // Another type has other fields: what was typed for the previous type does not carry over.
        draft.config = {};
        draft.secrets = {};
        draft.name = '';
      }
      draft.type = answer.value;
      return done;
    }
    case 'scope': {
      const items: PickItem<'workspace' | 'org'>[] = [
        { label: 'This workspace', description: 'personal catalog', detail: 'Runs on this machine; secrets stay in VS Code SecretStorage.', value: 'workspace' },
        { label: `Organization ${options.org?.name ?? ''}`.trim(), description: 'shared', detail: 'Runs in the cloud; every member sees its tables through sync. Secrets are encrypted at rest and never returned.', value: 'org' },
      ];
      const answer = await port.pick({ ...info, title: `${info.title}: Scope`, placeholder: 'Where should this connector live?', items, active: draft.scope });
      if (answer.kind !== 'value') return answer;
      draft.scope = answer.value;
      return done;
    }
    case 'name': {
      const label = options.definitions.find((d) => d.type === draft.type)?.label ?? draft.type;
      const taken = options.takenNames(draft.scope).filter((n) => n !== options.editing?.name);
      const suggestion = draft.name || uniqueName(label, taken);
      const validate = (text: string): string | undefined => {
        const name = text.trim();
        if (name === '') return 'Enter a name for this connector.';
        if (name.length > MAX_NAME) return `Use at most ${MAX_NAME} characters.`;
        if (taken.includes(name)) return `A connector named "${name}" exists already.`;
        return undefined;
      };
      const answer = await port.input({ ...info, title: `${info.title}: Name`, prompt: 'Name of the connector (its tables appear under this name in the Catalog).', value: suggestion, password: false, validate });
      if (answer.kind !== 'value') return answer;
      draft.name = answer.value.trim();
      const def = options.definitions.find((d) => d.type === draft.type);
      if (def?.fields.some((f) => f.key === NAME_FIELD && !f.secret)) draft.config[NAME_FIELD] = draft.name;
      return done;
    }
    case 'field':
      return await fieldStep(port, step.field, info, draft, options);
    case 'test':
      return await testStep(port, info, draft, options);
  }
}

async function fieldStep(port: FlowPort, field: ConnectorField, info: StepInfo, draft: FlowDraft, options: FlowOptions): Promise<Answer<undefined>> {
  const def = options.definitions.find((d) => d.type === draft.type);
  if (!def) return { kind: 'cancel' };
  const keepBlank = field.secret && (options.editing?.storedSecrets.includes(field.key) ?? false);
  const bag = field.secret ? draft.secrets : draft.config;
  const store = (value: unknown): void => {
    if (value === undefined) delete bag[field.key];
    else bag[field.key] = value;
    if (field.secret) draft.keptSecrets = draft.keptSecrets.filter((k) => k !== field.key).concat(value === undefined && keepBlank ? [field.key] : []);
  };
  const title = { ...info, title: `${info.title}: ${field.label}` };
  if (field.choices && field.choices.length > 0) {
    const items: PickItem<string>[] = [...(field.optional ? [{ label: '(none)', value: '' }] : []), ...field.choices.map((c) => ({ label: c, value: c }))];
    const answer = await port.pick({ ...title, placeholder: field.prompt, items, active: textOf(bag[field.key]) });
    if (answer.kind !== 'value') return answer;
    const checked = checkField(def, field, answer.value);
    store(checked.ok ? checked.value : answer.value);
    return { kind: 'value', value: undefined };
  }
  const prompt = keepBlank ? `${field.prompt} Leave blank to keep the stored value.` : field.prompt;
  for (;;) {
    const answer = await port.input({
      ...title,
      prompt,
      ...(field.placeholder !== undefined ? { placeholder: field.placeholder } : {}),
      // A secret is never shown again, not even while editing.
      value: field.secret ? '' : textOf(bag[field.key]),
      password: field.secret,
      validate: (text) => {
        const checked = checkField(def, field, text, keepBlank);
        return checked.ok ? undefined : checked.message;
      },
    });
    if (answer.kind !== 'value') return answer;
    const checked = checkField(def, field, answer.value, keepBlank);
    // The port only accepts valid text; a port that does not check (a test script) is asked again.
    if (!checked.ok) continue;
    store(checked.value);
    return { kind: 'value', value: undefined };
  }
}

async function testStep(port: FlowPort, info: StepInfo, draft: FlowDraft, options: FlowOptions): Promise<Answer<TestResult>> {
  const result = await port.progress({ ...info, title: `${info.title}: Test connection`, message: 'Testing the connection…' }, (signal) =>
    options.test(draft, signal).catch((err: unknown): TestResult => ({ ok: false, reason: 'source-error', message: err instanceof Error ? err.message : String(err) })),
  );
  const items: PickItem<'save' | 'back' | 'cancel'>[] = result.ok
    ? [
        { label: '$(check) Save connector', detail: result.detail, value: 'save' },
        { label: '$(arrow-left) Back', detail: 'Change the settings before saving.', value: 'back' },
      ]
    : [
        { label: '$(arrow-left) Back to fix the settings', value: 'back' },
        { label: '$(warning) Save anyway', detail: 'Save it as it is; its runs fail until the connection works.', value: 'save' },
        { label: 'Cancel', value: 'cancel' },
      ];
  const placeholder = result.ok ? `Connection works: ${result.detail}` : `Connection failed (${result.reason}): ${result.message}`;
  const answer = await port.pick({ ...info, title: `${info.title}: ${result.ok ? 'Connection works' : 'Connection failed'}`, placeholder, items });
  if (answer.kind !== 'value') return answer;
  if (answer.value === 'cancel') return { kind: 'cancel' };
  if (answer.value === 'back') return { kind: 'back' };
  return { kind: 'value', value: result };
}

/** `label`, or `label 2`, `label 3`, … when taken. */
function uniqueName(label: string, taken: readonly string[]): string {
  if (!taken.includes(label)) return label;
  for (let n = 2; ; n++) if (!taken.includes(`${label} ${n}`)) return `${label} ${n}`;
}
