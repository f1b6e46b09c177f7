/**
 * The built-in rule set for personal data (issue 16, rule-based classification): one rule per
 * classification key, matched against a column's name tokens, its declared type and, where a
 * connector could sample values, the values themselves. Rules are data, so an organization can add
 * or override them (`ClassificationRule` is plain JSON apart from the value pattern).
 *
 * Precision matters more than recall for names: `email_sent_at`, `is_email_verified`,
 * `phone_type`, `zip` (contains "ip"), `product_name` and `card_last4` are not personal data, so
 * rules match whole tokens, exclude tokens that turn a noun into a fact about it (`count`, `type`,
 * `status`, `verified`, `at`, …) and check the type family where one is declared.
 */

/** Classification keys for personal data (sync's `classification` field accepts them). */
export const PII_KEYS = [
  'pii.email',
  'pii.phone',
  'pii.national_id',
  'pii.card_number',
  'pii.ip_address',
  'pii.person_name',
  'pii.address',
  'pii.birth_date',
] as const;
export type PiiKey = (typeof PII_KEYS)[number];

/** Broad type families; a rule lists those its data can have (a declared type outside them rules it out). */
export type TypeFamily = 'text' | 'number' | 'date' | 'boolean' | 'binary' | 'other';

/** One rule. */
export interface ClassificationRule {
  key: string;
  /** What the rule finds, for the suggestion's reason. */
  label: string;
  /**
   * Token sequences that name the data, any one of which must appear contiguously in the column's
   * name tokens (`['date', 'of', 'birth']`, `['email']`).
   */
  names: readonly (readonly string[])[];
  /** Tokens that, anywhere in the name, mean the column is about the data, not the data itself. */
  exclude: readonly string[];
  /** Type families the data can be stored as. */
  types: readonly TypeFamily[];
  /** A sampled value that is an instance of the data (anchored); checked by `matchesValue`. */
  value?: RegExp;
  /** Extra check for a sampled value (a card number's Luhn digit). */
  valueCheck?: (value: string) => boolean;
  /** Confidence of a name match with a compatible type. */
  confidence: number;
}

/** Tokens that describe a fact about a value rather than the value (shared by every rule). */
export const FACT_TOKENS = [
  'count', 'counts', 'cnt', 'type', 'types', 'status', 'flag', 'is', 'has', 'verified', 'valid', 'validated',
  'confirmed', 'opt', 'optin', 'optout', 'opted', 'consent', 'sent', 'opened', 'clicked', 'clicks', 'bounced', 'bounce',
  'domain', 'provider', 'template', 'campaign', 'format', 'length', 'len', 'hash', 'hashed', 'md5', 'sha', 'sha256',
  'at', 'ts', 'timestamp', 'updated', 'created', 'changed', 'deleted', 'id', 'key', 'sk', 'pk', 'fk', 'preference', 'preferences',
  'calls', 'visits', 'enabled', 'disabled', 'allowed', 'required', 'missing', 'null', 'pct', 'percent', 'rate', 'ratio', 'score', 'last4', 'brand',
  'expiry', 'expiration', 'exp', 'country', 'region', 'category', 'kind', 'version',
] as const;

/** Luhn check digit of a card number (digits only). */
export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const PERSON = ['first', 'last', 'full', 'middle', 'given', 'family', 'maiden', 'customer', 'user', 'contact', 'employee', 'person',
  'patient', 'member', 'owner', 'recipient', 'sender', 'billing', 'shipping', 'legal', 'account_holder', 'cardholder', 'holder'];

/**
 * The built-in rules, most specific first: a column gets the first rule whose name matches
 * (`billing_address_phone` is a phone, `shipping_address_first_name` a name, not an address).
 */
export const BUILTIN_RULES: readonly ClassificationRule[] = [
  {
    key: 'pii.email', label: 'an e-mail address',
    names: [['email'], ['e', 'mail'], ['mail', 'address'], ['email', 'address']],
    exclude: [...FACT_TOKENS], types: ['text'], confidence: 0.95,
    value: /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i,
  },
  {
    key: 'pii.ip_address', label: 'an IP address',
    names: [['ip'], ['ip', 'address'], ['ipv4'], ['ipv6'], ['ip', 'addr'], ['remote', 'addr'], ['client', 'ip']],
    exclude: [...FACT_TOKENS], types: ['text', 'number', 'binary', 'other'], confidence: 0.9,
    value: /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$|^[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}$/i,
  },
  {
    key: 'pii.card_number', label: 'a payment card number',
    names: [['card', 'number'], ['card', 'no'], ['card', 'num'], ['credit', 'card'], ['cc', 'number'], ['cc', 'num'], ['pan'], ['card', 'pan']],
    exclude: [...FACT_TOKENS, 'company', 'issuer', 'network', 'bin'], types: ['text', 'number'], confidence: 0.9,
    value: /^[\d -]{12,23}$/, valueCheck: (v) => luhnValid(v.replace(/[ -]/g, '')),
  },
  {
    key: 'pii.national_id', label: 'a national identifier',
    names: [['ssn'], ['social', 'security'], ['social', 'security', 'number'], ['national', 'id'], ['national', 'identifier'],
      ['national', 'insurance'], ['nino'], ['tax', 'id'], ['tin'], ['passport'], ['passport', 'number'], ['drivers', 'license'],
      ['driver', 'license'], ['driving', 'licence'], ['sin'], ['nif'], ['aadhaar'], ['cpf']],
    exclude: [...FACT_TOKENS.filter((t) => t !== 'id')], types: ['text', 'number'], confidence: 0.9,
    value: /^\d{3}-\d{2}-\d{4}$/,
  },
  {
    key: 'pii.phone', label: 'a phone number',
    names: [['phone'], ['phone', 'number'], ['telephone'], ['tel'], ['mobile'], ['mobile', 'number'], ['cell', 'phone'], ['msisdn'], ['fax']],
    exclude: [...FACT_TOKENS], types: ['text', 'number'], confidence: 0.9,
    // E.164 allows at most 15 digits: a 16-digit number is a card or an id, not a phone.
    value: /^\+?[\d\s().-]{7,20}$/, valueCheck: (v) => { const n = v.replace(/\D/g, '').length; return n >= 7 && n <= 15; },
  },
  {
    key: 'pii.birth_date', label: 'a date of birth',
    names: [['birth', 'date'], ['birthdate'], ['date', 'of', 'birth'], ['dob'], ['birthday'], ['born', 'on'], ['birth', 'day']],
    exclude: [...FACT_TOKENS.filter((t) => t !== 'at' && t !== 'ts' && t !== 'timestamp')], types: ['date', 'text'], confidence: 0.9,
    value: /^\d{4}-\d{2}-\d{2}$/,
  },
  {
    key: 'pii.person_name', label: "a person's name",
    names: [...PERSON.map((p) => [...p.split('_'), 'name']), ['firstname'], ['lastname'], ['fullname'], ['surname'], ['forename'],
      ['given', 'names'], ['name', 'first'], ['name', 'last']],
    exclude: [...FACT_TOKENS, 'company', 'business', 'product', 'file', 'host', 'table', 'column', 'schema', 'database', 'event', 'app'],
    types: ['text'], confidence: 0.85,
  },
  {
    key: 'pii.address', label: 'a postal address',
    names: [['street'], ['street', 'address'], ['address'], ['address', 'line'], ['address', 'line', '1'], ['address', 'line', '2'],
      ['address1'], ['address2'], ['postal', 'code'], ['postcode'], ['zip'], ['zip', 'code'], ['zipcode'], ['home', 'address'],
      ['billing', 'address'], ['shipping', 'address'], ['mailing', 'address']],
    // `email_address` and `ip_address` are taken by the rules above; `address_id` is a key.
    exclude: [...FACT_TOKENS, 'email', 'ip', 'mac', 'wallet', 'url', 'web'], types: ['text', 'number'],
    confidence: 0.8,
  },
];
