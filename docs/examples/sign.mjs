#!/usr/bin/env node
// A reference signer for Frontera documents, in plain Node.js (18 or newer, no
// packages): it adds a W3C Data Integrity proof with the cryptosuite
// eddsa-jcs-2022, exactly as docs/formats.md §13 specifies and as `frontera
// issue` and `frontera event` do. Use it to check your own client: for the
// same key, document and `created` it must print the same proofValue.
//
//   node docs/examples/sign.mjs SEED_HEX CREATED < unsigned.json > signed.json
//
// SEED_HEX: the 32-byte Ed25519 seed in hex (a Frontera key file's seedHex).
// CREATED: the proof's RFC 3339 time, e.g. 2026-11-30T10:00:00Z.
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';

// RFC 8785 JSON Canonicalization Scheme. JavaScript's own JSON.stringify of a
// number or a string is what JCS prescribes; JCS adds sorting of members by
// their UTF-16 code units, which is what Array.prototype.sort does to strings.
function canonicalize(value) {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new Error('JCS has no form for ' + value);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return '[' + value.map(canonicalize).join(',') + ']';
  return '{' + Object.keys(value).sort()
    .map((key) => JSON.stringify(key) + ':' + canonicalize(value[key])).join(',') + '}';
}

// Base58 with the Bitcoin alphabet; each leading zero byte is a leading "1".
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58btc(bytes) {
  let n = 0n;
  for (const b of bytes) n = n * 256n + BigInt(b);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}

const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest();

const [seedHex, created] = process.argv.slice(2);
if (!/^[0-9a-fA-F]{64}$/.test(seedHex ?? '') || !created) {
  console.error('usage: node sign.mjs SEED_HEX CREATED < unsigned.json');
  process.exit(64);
}
// An Ed25519 private key from its seed: the PKCS #8 wrapping of RFC 8410.
const privateKey = createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'),
    Buffer.from(seedHex, 'hex')]),
  format: 'der',
  type: 'pkcs8',
});
const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
// did:key of an Ed25519 key: multibase base58btc ("z") of the multicodec
// prefix 0xed 0x01 and the key; the verification method is its fragment.
const multibase = 'z' + base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), publicKey]));
const verificationMethod = `did:key:${multibase}#${multibase}`;

const document = JSON.parse(readFileSync(0, 'utf8'));
if ('proof' in document) {
  console.error('the document already has a proof');
  process.exit(65);
}
// The proof options, with the document's @context, as the configuration
// that is hashed and signed; proofValue is added after.
const proof = {
  type: 'DataIntegrityProof',
  cryptosuite: 'eddsa-jcs-2022',
  created,
  verificationMethod,
  proofPurpose: 'assertionMethod',
};
if ('@context' in document) proof['@context'] = document['@context'];
const hashData = Buffer.concat([sha256(canonicalize(proof)), sha256(canonicalize(document))]);
proof.proofValue = 'z' + base58btc(sign(null, hashData, privateKey));
console.log(JSON.stringify({ ...document, proof }, null, 2));
