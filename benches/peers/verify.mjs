// The JavaScript side of the batch-verification benchmark (benches/peers/run.sh): verifies every
// file named on the command line in ONE process with one npm stack, offline, and counts the
// verdicts:
//
//   digitalbazaar  JsonWebSignature2020 with @digitalbazaar/vc (verifyCredential: its
//                  credential checks and CredentialIssuancePurpose, which checks the issuer is
//                  the method's controller and the method is an assertionMethod of it) on
//                  jsonld-signatures' LinkedDataSignature (jsonld.js, URDNA2015, the W3C-CCG
//                  signing input) with jose for the detached JWS (as tests/peers/verify.mjs
//                  does for the spec flavour; Digital Bazaar publishes no JsonWebSignature2020
//                  suite of its own)
//   transmute      JsonWebSignature2020 with @transmute/vc.js + @transmute/json-web-signature
//                  (its JsonWebKey handles OKP Ed25519 and EC P-256/P-384/P-521/secp256k1
//                  keys, not RSA: an RSA-signed credential is counted invalid)
//   jose           vc+jwt (compact JWS, payload = the credential) with jose's jwtVerify: the
//                  key named by the header's `kid` from the issuer's DID document (a method of
//                  the DID the credential names as issuer, listed under assertionMethod; the
//                  imported key kept per kid, as a batch verifier would), `typ` vc+jwt, the
//                  algorithm the DID document pins, and the credential's validity period at --at
//
//   node benches/peers/verify.mjs --stack digitalbazaar|transmute|jose [--at RFC3339]
//        [--did-document FILE]... [--expect-valid GXA_REPORT] FILE...
//
// Contexts come from the repository's pinned copies (contexts/index.json) and the security v2
// context bundled by @digitalbazaar/security-context (the one jsonld-signatures frames with);
// did:web DIDs resolve only to the --did-document files; nothing is fetched. Prints
// `valid|invalid  FILE  [REASON]` per file on standard output, the counts and the time taken
// on standard error. GXA_REPORT is the output of `gx-attest verify FILE...` over the same
// files (`valid  FILE  …` lines): every file gx-attest found valid must be valid here too, so
// both sides did the same work. Exit 0 when they are (without --expect-valid: when all are
// valid), 1 otherwise, 2 on a usage error.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as jose from 'jose';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

function usage(message) {
  if (message) console.error(message);
  console.error('usage: node verify.mjs --stack digitalbazaar|transmute|jose [--at RFC3339] '
    + '[--did-document FILE]... [--expect-valid GXA_REPORT] FILE...');
  process.exit(2);
}

let stack = null;
let at = new Date();
let expectValid = null;
const didDocumentFiles = [];
const files = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 1) {
  const arg = argv[i];
  const value = () => {
    if (i + 1 >= argv.length) usage(`${arg} needs a value`);
    i += 1;
    return argv[i];
  };
  if (arg === '--stack') stack = value();
  else if (arg === '--at') at = new Date(value());
  else if (arg === '--did-document') didDocumentFiles.push(value());
  else if (arg === '--expect-valid') expectValid = value();
  else if (arg.startsWith('--')) usage(`unknown option ${arg}`);
  else files.push(arg);
}
if (!['digitalbazaar', 'transmute', 'jose'].includes(stack)) usage('--stack is required');
if (Number.isNaN(at.getTime())) usage('--at is not a date-time');
if (files.length === 0) usage('no files');

// Only the stack asked for is loaded (its load time is part of the process's time).
const { default: jsonld } = stack === 'digitalbazaar' ? await import('jsonld') : {};
const { default: jsigs } = stack === 'digitalbazaar' ? await import('jsonld-signatures') : {};
const dbVc = stack === 'digitalbazaar' ? await import('@digitalbazaar/vc') : null;
const { verifiable } = stack === 'transmute' ? await import('@transmute/vc.js') : {};
const { JsonWebSignature } = stack === 'transmute' ? await import('@transmute/json-web-signature') : {};

// Contexts: the pinned copies first, then the security contexts jsonld-signatures needs.
const contexts = new Map();
for (const [url, file] of Object.entries(readJson(path.join(repo, 'contexts/index.json')))) {
  contexts.set(url, readJson(path.join(repo, 'contexts', file)));
}
for (const [url, doc] of require('@digitalbazaar/security-context').contexts) {
  if (!contexts.has(url)) contexts.set(url, doc);
}
// DID documents (or DID resolution results) by DID.
const didDocuments = new Map();
for (const file of didDocumentFiles) {
  const json = readJson(file);
  const doc = json.didDocument ?? json;
  didDocuments.set(doc.id, doc);
}

// The loaders hand out copies: the stacks may modify what they get.
const documentLoader = async (url) => {
  if (contexts.has(url)) {
    return { contextUrl: null, documentUrl: url, document: structuredClone(contexts.get(url)) };
  }
  const did = url.split('#')[0];
  if (didDocuments.has(did)) {
    return { contextUrl: null, documentUrl: url, document: structuredClone(didDocuments.get(did)) };
  }
  throw new Error(`nothing is fetched: ${url}`);
};

const JWS_2020 = 'https://w3id.org/security/suites/jws-2020/v1';
const DID_V1 = 'https://www.w3.org/ns/did/v1';

// Digital Bazaar: JsonWebSignature2020 on jsonld-signatures' LinkedDataSignature (signing input
// sha256(c14n(proof options)) ‖ sha256(c14n(document))), the method framed out of the DID
// document as jsonld-signatures does, the detached JWS checked with jose (as in
// tests/peers/verify.mjs).
const DbJsonWebSignature2020 = jsigs && class extends jsigs.suites.LinkedDataSignature {
  constructor() {
    super({ type: 'JsonWebSignature2020', contextUrl: JWS_2020 });
  }

  async getVerificationMethod({ proof }) {
    const id = typeof proof.verificationMethod === 'object' ? proof.verificationMethod.id : proof.verificationMethod;
    const framed = await jsonld.frame(
      id,
      { '@context': [DID_V1, JWS_2020], '@embed': '@always', id },
      { documentLoader, compactToRelative: false, safe: true },
    );
    if (!framed || !framed.publicKeyJwk) throw new Error(`verification method ${id} not found`);
    return framed;
  }

  async verifySignature({ verifyData, verificationMethod, proof }) {
    const [protectedHeader, payload, signature] = proof.jws.split('.');
    if (payload !== '') throw new Error('the JWS payload is not detached');
    const header = JSON.parse(Buffer.from(protectedHeader, 'base64url').toString('utf8'));
    const key = await jose.importJWK(verificationMethod.publicKeyJwk, header.alg);
    await jose.flattenedVerify({ protected: protectedHeader, payload: verifyData, signature }, key);
    return true;
  }
};

const messages = (errors) =>
  errors
    .filter(Boolean)
    .flatMap((e) => e.errors ?? [e])
    .map((e) => e.message ?? (typeof e === 'string' ? e : JSON.stringify(e)))
    .filter((m, i, all) => all.indexOf(m) === i)
    .join('; ')
    .replace(/\s+/g, ' ')
    .slice(0, 300);

// vc+jwt: the issuer's key by kid, imported once per kid.
const joseKeys = new Map();
function methodOf(kid) {
  const did = kid.split('#')[0];
  const doc = didDocuments.get(did);
  if (!doc) throw new Error(`no DID document for ${did}`);
  const method = (doc.verificationMethod ?? []).find((m) => m.id === kid || `${did}${m.id}` === kid);
  if (!method?.publicKeyJwk) throw new Error(`${kid}: no such JSON Web Key method`);
  const listed = (doc.assertionMethod ?? []).some((m) => (typeof m === 'string' ? m : m.id) === method.id);
  if (!listed) throw new Error(`${kid} is not an assertionMethod`);
  return method;
}

async function joseVerify(jwt) {
  const header = jose.decodeProtectedHeader(jwt);
  if (!header.kid) throw new Error('no kid');
  let entry = joseKeys.get(header.kid);
  if (!entry) {
    const method = methodOf(header.kid);
    const alg = method.publicKeyJwk.alg;
    entry = { alg, key: await jose.importJWK(method.publicKeyJwk, alg) };
    joseKeys.set(header.kid, entry);
  }
  const { payload } = await jose.jwtVerify(jwt, entry.key, {
    typ: 'vc+jwt',
    algorithms: [entry.alg],
    currentDate: at,
  });
  const issuer = typeof payload.issuer === 'object' ? payload.issuer?.id : payload.issuer;
  if (issuer !== header.kid.split('#')[0]) throw new Error(`issuer ${issuer} does not hold ${header.kid}`);
  if (header.iss !== undefined && header.iss !== issuer) throw new Error('header iss is not the issuer');
  if (![payload.type].flat().includes('VerifiableCredential')) throw new Error('not a VerifiableCredential');
  const from = payload.validFrom ?? payload.issuanceDate;
  if (from && new Date(from) > at) throw new Error(`not valid before ${from}`);
  const until = payload.validUntil ?? payload.expirationDate;
  if (until && new Date(until) < at) throw new Error(`expired at ${until}`);
  return true;
}

const verifiers = {
  async digitalbazaar(text) {
    const result = await dbVc.verifyCredential({
      credential: JSON.parse(text),
      suite: new DbJsonWebSignature2020(),
      documentLoader,
      now: at,
    });
    if (!result.verified) {
      throw new Error(messages([result.error, ...(result.results ?? []).map((r) => r.error)]) || 'not verified');
    }
  },
  async transmute(text) {
    const result = await verifiable.credential.verify({
      credential: JSON.parse(text),
      format: ['vc'],
      documentLoader,
      suite: [new JsonWebSignature()],
    });
    if (!result.verified) throw new Error(messages([result.error].flat()) || 'not verified');
  },
  async jose(text) {
    await joseVerify(text.trim());
  },
};

let expected = null;
if (expectValid) {
  expected = new Set();
  for (const line of readFileSync(expectValid, 'utf8').split('\n')) {
    const m = /^valid\s+(\S+)/.exec(line);
    if (m) expected.add(m[1]);
  }
}

const cpu0 = process.cpuUsage();
const started = process.hrtime.bigint();
const verify = verifiers[stack];
let valid = 0;
let invalid = 0;
const missed = []; // valid for gx-attest, not here
const lines = [];
const validFiles = new Set();
const reasons = new Map();
for (const file of files) {
  try {
    await verify(readFileSync(file, 'utf8'));
    valid += 1;
    validFiles.add(file);
    lines.push(`valid  ${file}`);
  } catch (err) {
    invalid += 1;
    const reason = (err?.message ?? String(err)).replace(/\s+/g, ' ').slice(0, 300);
    lines.push(`invalid  ${file}  ${reason}`);
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    if (expected?.has(file)) missed.push(file);
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(lines.join('\n') + '\n');
process.stderr.write(`${stack}: ${files.length} files, ${valid} valid, ${invalid} invalid; `
  + `${seconds.toFixed(3)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(3)} s CPU (verification loop)\n`);
for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 5)) {
  process.stderr.write(`  ${count} × ${reason}\n`);
}
if (expected) {
  const extra = [...validFiles].filter((f) => !expected.has(f)).length;
  process.stderr.write(`${stack}: of the ${files.filter((f) => expected.has(f)).length} files gx-attest found valid, `
    + `${missed.length} are not valid here; ${extra} valid here that gx-attest did not find valid\n`);
  process.exit(missed.length === 0 ? 0 : 1);
}
process.exit(invalid === 0 ? 0 : 1);
