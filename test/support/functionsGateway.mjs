// A local stand-in for Supabase's edge gateway, run by real Deno (npm package `deno`) for tests and
// benchmarks: it loads the bundled functions (supabase/functions/<name>/index.js as built by
// scripts/functionsBuild.mjs) into this one Deno process, captures the handler each passes to
// Deno.serve, and serves them at /functions/v1/<name> like the hosted gateway:
//   - the gateway strips /functions/v1, so a function sees /<name>/...;
//   - an unknown function is 404;
//   - with `verify_jwt = true` (supabase/config.toml) a request without a valid JWT is 401 before
//     the function runs: HS256 against the legacy secret, ES256/RS256 against the JWKS;
//   - OPTIONS always passes through (CORS preflight).
// Environment: FUNCTIONS_DIR, FUNCTIONS_CONFIG, PORT (0: any), and the functions' own variables.
// Plain JavaScript so that Node's type-check of test/ does not see Deno's globals.
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';

const dir = Deno.env.get('FUNCTIONS_DIR');
const configText = await Deno.readTextFile(Deno.env.get('FUNCTIONS_CONFIG'));

/** `verify_jwt` of every `[functions.<name>]` section (default true, as on Supabase). */
function verifyJwtByFunction(text) {
  const out = new Map();
  let current;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const section = /^\[functions\.([A-Za-z0-9_-]+)\]$/.exec(line);
    if (section) {
      current = section[1];
      out.set(current, true);
      continue;
    }
    if (line.startsWith('[')) current = undefined;
    const setting = /^verify_jwt\s*=\s*(true|false)$/.exec(line);
    if (current && setting) out.set(current, setting[1] === 'true');
  }
  return out;
}

const verifyJwt = verifyJwtByFunction(configText);
const handlers = new Map();
const realServe = Deno.serve.bind(Deno);
for (const name of verifyJwt.keys()) {
  let captured;
  Deno.serve = (...args) => {
    captured = args.find((a) => typeof a === 'function') ?? args.find((a) => typeof a === 'object' && a?.handler)?.handler;
    return { finished: Promise.resolve(), shutdown: async () => undefined, ref() {}, unref() {}, addr: { hostname: '127.0.0.1', port: 0 } };
  };
  await import(new URL(`file://${dir}/${name}/index.js`).href);
  Deno.serve = realServe;
  if (typeof captured !== 'function') throw new Error(`function ${name} did not call Deno.serve`);
  handlers.set(name, captured);
}

const jwksText = Deno.env.get('SUPABASE_JWKS');
const jwks = jwksText ? createLocalJWKSet(JSON.parse(jwksText)) : undefined;
const secret = Deno.env.get('SUPABASE_JWT_SECRET');

async function validJwt(req) {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.get('authorization') ?? '')?.[1];
  if (!token) return false;
  try {
    const { alg } = decodeProtectedHeader(token);
    if (alg === 'HS256' && secret) await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
    else if ((alg === 'ES256' || alg === 'RS256') && jwks) await jwtVerify(token, jwks, { algorithms: ['ES256', 'RS256'] });
    else return false;
    return true;
  } catch {
    return false;
  }
}

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

realServe({
  hostname: '127.0.0.1',
  port: Number(Deno.env.get('PORT') ?? 0),
  onListen: ({ port }) => {
    // Where functions reach each other (org-extract chains its chunks): the hosted gateway's address
    // is SUPABASE_URL; here the port is known only now.
    if (!Deno.env.get('MALLARD_FUNCTIONS_URL')) Deno.env.set('MALLARD_FUNCTIONS_URL', `http://127.0.0.1:${port}/functions/v1`);
    console.log(`listening ${port}`);
  },
}, async (req) => {
  const url = new URL(req.url);
  const match = /^\/functions\/v1\/([^/]+)(\/.*)?$/.exec(url.pathname);
  const handler = match ? handlers.get(match[1]) : undefined;
  if (!match || !handler) return json(404, { code: 'NOT_FOUND', message: 'Requested function was not found' });
  if (req.method !== 'OPTIONS' && verifyJwt.get(match[1]) && !(await validJwt(req))) return json(401, { code: 401, message: 'Invalid JWT' });
  const inner = new URL(`${match[1]}${match[2] ?? ''}${url.search}`, `${url.protocol}//${url.host}/`);
  return await handler(new Request(inner, req));
});
