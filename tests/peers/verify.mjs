// Independent JsonWebSignature2020 verifiers (from the npm registry) run over documents that a
// running gx-attest served; started by tests/peers/run.sh, which fetched them into DIR:
//
//   DIR/manifest.json  {"flavour": "spec" | "gaia-x", "did": "did:web:…",
//                       "documents": {"<url>": "<file>"},          every fetched document by URL
//                       "check": [{"file", "kind": "credential" | "presentation"}]}
//
// Stacks:
//   transmute     @transmute/vc.js + @transmute/json-web-signature (spec flavour)
//   digitalbazaar @digitalbazaar/vc + jsonld-signatures' LinkedDataSignature (whose signing input
//                 is the W3C-CCG one), jsonld.js, jose for the JWS, @digitalbazaar/vc-status-list
//                 for the StatusList2021 entry (spec flavour)
//   gaia-x        the Gaia-X Tagus compliance service's method: jsonld.js URDNA2015 of the
//                 document without its proof, SHA-256 as hex, detached JWS checked with jose
//                 (gaia-x flavour)
//
// Each document must verify in each stack of its flavour, and a tampered copy (one claim
// changed) must not: a verifier that accepts everything fails this script. A credential the
// manifest marks `"expect": "revoked"` must be refused for its status by the stacks that check
// one. Contexts come from
// the repository's pinned copies (contexts/index.json) or the peer packages' own bundled ones;
// nothing is fetched. Prints one line per document and stack; exit 1 on any unexpected outcome.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as jose from 'jose';
import jsonld from 'jsonld';
import jsigs from 'jsonld-signatures';
import * as dbVc from '@digitalbazaar/vc';
import { checkStatus, decodeList } from '@digitalbazaar/vc-status-list';
import * as ldp from '@transmute/linked-data-proof';
import { verifiable } from '@transmute/vc.js';
import { JsonWebSignature } from '@transmute/json-web-signature';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const dir = process.argv[2];
if (!dir) {
  console.error('usage: node verify.mjs DIR');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

// Contexts: the repository's pinned copies first, then those the peer packages bundle (the
// security v2 context jsonld-signatures frames with).
const contexts = new Map();
const index = readJson(path.join(repo, 'contexts/index.json'));
for (const [url, file] of Object.entries(index)) {
  contexts.set(url, readJson(path.join(repo, 'contexts', file)));
}
for (const [url, doc] of require('@digitalbazaar/security-context').contexts) {
  if (!contexts.has(url)) contexts.set(url, doc);
}
const documents = new Map();
for (const [url, file] of Object.entries(manifest.documents)) {
  documents.set(url, readJson(path.join(dir, file)));
}
const didDocument = readJson(path.join(dir, 'did.json'));

function documentLoader(url) {
  if (contexts.has(url)) {
    return { contextUrl: null, documentUrl: url, document: structuredClone(contexts.get(url)) };
  }
  // A DID or DID URL of the issuer: its DID document (the suites frame the method out of it).
  if (url === manifest.did || url.startsWith(`${manifest.did}#`)) {
    return { contextUrl: null, documentUrl: url, document: structuredClone(didDocument) };
  }
  const bare = url.split('#')[0];
  if (documents.has(bare)) {
    return { contextUrl: null, documentUrl: url, document: structuredClone(documents.get(bare)) };
  }
  throw new Error(`nothing fetched may be loaded: ${url}`);
}
const asyncLoader = async (url) => documentLoader(url);

const JWS_2020 = 'https://w3id.org/security/suites/jws-2020/v1';
const DID_V1 = 'https://www.w3.org/ns/did/v1';

// The key of a verification method, from the DID document as jsonld-signatures frames it.
async function frameMethod(id) {
  const framed = await jsonld.frame(
    id,
    { '@context': [DID_V1, JWS_2020], '@embed': '@always', id },
    { documentLoader: asyncLoader, compactToRelative: false, safe: true },
  );
  if (!framed || !framed.publicKeyJwk) throw new Error(`verification method ${id} not found`);
  return framed;
}

function splitDetached(jws) {
  const [protectedHeader, payload, signature] = jws.split('.');
  if (payload !== '') throw new Error('the JWS payload is not detached');
  return { protectedHeader, signature };
}

async function verifyDetached(jws, payload, jwk) {
  const { protectedHeader, signature } = splitDetached(jws);
  const header = JSON.parse(Buffer.from(protectedHeader, 'base64url').toString('utf8'));
  const key = await jose.importJWK(jwk, header.alg);
  await jose.flattenedVerify({ protected: protectedHeader, payload, signature }, key);
  return header;
}

// Digital Bazaar: JsonWebSignature2020 on jsonld-signatures' LinkedDataSignature, which builds
// the W3C-CCG signing input sha256(c14n(proof options)) ‖ sha256(c14n(document)) itself.
class DbJsonWebSignature2020 extends jsigs.suites.LinkedDataSignature {
  constructor() {
    super({ type: 'JsonWebSignature2020', contextUrl: JWS_2020 });
  }

  async getVerificationMethod({ proof }) {
    const id = typeof proof.verificationMethod === 'object' ? proof.verificationMethod.id : proof.verificationMethod;
    return frameMethod(id);
  }

  async verifySignature({ verifyData, verificationMethod, proof }) {
    await verifyDetached(proof.jws, verifyData, verificationMethod.publicKeyJwk);
    return true;
  }
}

// The Gaia-X Tagus compliance service's check.
async function gaiaxVerify(document) {
  const proofs = [document.proof].flat();
  if (proofs.length === 0 || !proofs[0]) throw new Error('no proof');
  const unsecured = structuredClone(document);
  delete unsecured.proof;
  const canonical = await jsonld.canonize(unsecured, {
    algorithm: 'URDNA2015',
    format: 'application/n-quads',
    documentLoader: asyncLoader,
    safe: true,
  });
  const hex = Buffer.from(await crypto.subtle.digest('SHA-256', Buffer.from(canonical))).toString('hex');
  for (const proof of proofs) {
    const method = await frameMethod(proof.verificationMethod);
    await verifyDetached(proof.jws, hex, method.publicKeyJwk);
  }
  return true;
}

// Verifies the credentials inside a presentation too (each with its own proof).
function innerCredentials(presentation) {
  return [presentation.verifiableCredential ?? []].flat();
}

const purpose = () => new jsigs.purposes.AssertionProofPurpose();
// A presentation served at a URL answers no challenge, so it cannot be checked as the answer
// to one (the stacks' AuthenticationProofPurpose asks for it): its proof is checked as the
// holder's authentication key signing it (ControllerProofPurpose with that relationship).
const holderPurpose = (lib) => new lib.purposes.ControllerProofPurpose({ term: 'authentication' });

const issuerOf = (vc) => (typeof vc.issuer === 'object' ? vc.issuer.id : vc.issuer);

// StatusList2021 with transmute: the list credential verified by transmute, issued by the
// credential's issuer, its bit clear (the bitstring decoded with vc-status-list's decoder).
async function transmuteStatus({ credential }) {
  const status = credential.credentialStatus;
  if (status.type !== 'StatusList2021Entry') throw new Error(`status type ${status.type}`);
  const { document: list } = documentLoader(status.statusListCredential);
  const listResult = await verifiable.credential.verify({
    credential: list,
    format: ['vc'],
    documentLoader: asyncLoader,
    suite: [new JsonWebSignature()],
  });
  if (!listResult.verified) return { verified: false, error: new Error('status list does not verify') };
  if (issuerOf(list) !== issuerOf(credential)) return { verified: false, error: new Error('status list of another issuer') };
  if (list.credentialSubject.statusPurpose !== status.statusPurpose) {
    return { verified: false, error: new Error('status purposes differ') };
  }
  const bits = await decodeList({ encodedList: list.credentialSubject.encodedList });
  const set = bits.getStatus(Number(status.statusListIndex));
  return set ? { verified: false, error: new Error(`${status.statusPurpose} bit set`) } : { verified: true };
}

const messages = (errors) =>
  errors
    .filter(Boolean)
    .map((e) => {
      if (e.statusResult) return `status: ${e.statusResult.error?.message ?? 'not verified (bit set)'}`;
      return e.message ?? (typeof e === 'string' ? e : JSON.stringify(e));
    })
    .join('; ')
    .slice(0, 600);

const stacks = {
  async transmute(doc, kind) {
    const args = {
      format: ['vc'],
      documentLoader: asyncLoader,
      suite: [new JsonWebSignature()],
      checkStatus: transmuteStatus,
    };
    const credentials = kind === 'presentation' ? innerCredentials(doc) : [doc];
    if (kind === 'presentation') {
      const result = await ldp.verify(doc, {
        suite: [new JsonWebSignature()],
        purpose: holderPurpose(ldp),
        documentLoader: asyncLoader,
      });
      if (!result.verified) throw new Error(`presentation proof: ${messages([result.error])}`);
    }
    for (const vc of credentials) {
      const result = await verifiable.credential.verify({ ...args, credential: vc });
      if (!result.verified) throw new Error(`${vc.id}: ${messages([result.error].flat())}`);
    }
    return true;
  },
  async digitalbazaar(doc, kind) {
    const suite = new DbJsonWebSignature2020();
    const statusCheck = (options) => checkStatus({ ...options, verifyMatchingIssuers: true });
    let result;
    if (kind === 'presentation') {
      result = await dbVc.verify({
        presentation: doc,
        suite,
        documentLoader: asyncLoader,
        presentationPurpose: holderPurpose(jsigs),
        checkStatus: statusCheck,
      });
    } else if (doc.type.includes('StatusList2021Credential')) {
      result = await dbVc.verifyCredential({ credential: doc, suite, documentLoader: asyncLoader, purpose: purpose() });
    } else {
      result = await dbVc.verifyCredential({
        credential: doc,
        suite,
        documentLoader: asyncLoader,
        purpose: purpose(),
        checkStatus: statusCheck,
      });
      if (doc.credentialStatus && !result.statusResult?.verified) {
        throw new Error(`status: ${result.statusResult?.error?.message ?? 'not verified (bit set)'}`);
      }
    }
    if (!result.verified) {
      const nested = [
        result.error,
        ...(result.results ?? []).map((r) => r.error),
        ...(result.presentationResult?.results ?? []).map((r) => r.error),
        ...(result.credentialResults ?? []).map((r) => r.error),
      ];
      throw new Error(messages(nested.flatMap((e) => e?.errors ?? [e])) || 'not verified');
    }
    return true;
  },
  async 'gaia-x'(doc, kind) {
    await gaiaxVerify(doc);
    if (kind === 'presentation') {
      for (const vc of innerCredentials(doc)) await gaiaxVerify(vc);
    }
    return true;
  },
};

const byFlavour = { spec: ['transmute', 'digitalbazaar'], 'gaia-x': ['gaia-x'] };

// One claim changed, deep inside the signed content.
function tampered(doc, kind) {
  const copy = structuredClone(kind === 'presentation' ? innerCredentials(doc)[0] ?? doc : doc);
  const subject = [copy.credentialSubject].flat()[0];
  subject['https://w3id.org/gx-attest/peers#tampered'] = 'yes';
  if (kind === 'presentation') {
    const vp = structuredClone(doc);
    vp.verifiableCredential = [copy, ...innerCredentials(doc).slice(1)];
    return vp;
  }
  return copy;
}

// Which stacks check a credentialStatus (the Gaia-X compliance service's method does not).
const checksStatus = { transmute: true, digitalbazaar: true, 'gaia-x': false };

let failures = 0;
let passes = 0;
for (const item of manifest.check) {
  const doc = readJson(path.join(dir, item.file));
  for (const stack of byFlavour[manifest.flavour]) {
    const label = `${manifest.flavour.padEnd(6)} ${stack.padEnd(13)} ${item.kind.padEnd(12)} ${item.file}`;
    const revoked = item.expect === 'revoked' && checksStatus[stack];
    let error = null;
    try {
      await stacks[stack](doc, item.kind);
    } catch (err) {
      error = err;
    }
    if (revoked) {
      // Refused for its status, not for anything else.
      const ok = error && /status|revocation/i.test(error.message ?? '');
      if (ok) passes += 1;
      else failures += 1;
      console.log(ok
        ? `revoked        ${label}: ${error.message}`
        : `NOT REVOKED    ${label}: ${error ? error.message : 'accepted'}`);
    } else if (error) {
      failures += 1;
      console.log(`INVALID        ${label}: ${error.message ?? error}`);
      if (process.env.GXP_DEBUG) console.log(error.stack);
    } else {
      passes += 1;
      console.log(`valid          ${label}`);
    }
    let refused = false;
    try {
      await stacks[stack](tampered(doc, item.kind), item.kind);
    } catch {
      refused = true;
    }
    if (refused) {
      passes += 1;
      console.log(`refused        ${label} (one claim changed)`);
    } else {
      failures += 1;
      console.log(`NOT REFUSED    ${label} (one claim changed, yet accepted)`);
    }
  }
}
console.log(`node peers (${manifest.flavour}): ${passes} as expected, ${failures} not`);
process.exit(failures === 0 && passes > 0 ? 0 : 1);
