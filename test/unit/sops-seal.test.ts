// The test SOPS sealer (test/unit/support/sops-seal.ts) is genuine: what it seals, with an age key made
// here, helmcycle's decryptor opens to exactly the input (types, lists, nested maps, keys left in clear),
// and a value changed, a MAC sealed over other values, or another key is refused. That the real sops
// binary opens its files too was checked by hand (CI has no sops binary): test/unit/support/sops-seal.ts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { parseAgeIdentities } from '../../src/secrets/sops/age-decrypt.js';
import { decryptSopsText, SopsDecryptError } from '../../src/secrets/sops/sops-file.js';
import { sealSopsYaml, sealValue } from './support/sops-seal.js';

const SENTINEL = 'Sentinel-Sealed-4e07';
const DATA = {
  db: { password: SENTINEL, port: 5432, host: 'db.internal', empty: '', none: null },
  tls: { enabled: true, verify: false, ratio: 0.75, negative: -3 },
  users: [{ name: 'alice', token: 'tok-alice-9b1c', roles: ['admin', 'ops'] }, 'plain', [1, 2.5]],
  note_unencrypted: 'visible',
  nested_unencrypted: { a: 1, b: 'kept' },
};

async function newKey() {
  const identity = await generateIdentity();
  return { recipient: await identityToRecipient(identity), keys: { identities: parseAgeIdentities(`# made in this test\n${identity}\n`), identitySource: 'SOPS_AGE_KEY_FILE=test' } };
}

async function failure(promise: Promise<unknown>): Promise<SopsDecryptError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SopsDecryptError, String(error));
    return error;
  }
  assert.fail('expected a SopsDecryptError');
}

describe('the test SOPS sealer', () => {
  it('seals what helmcycle opens to exactly the input: types, lists, nested maps, empty and null, keys left in clear', async () => {
    const { recipient, keys } = await newKey();
    const text = await sealSopsYaml(DATA, { recipients: [recipient], lastModified: new Date('2026-12-07T10:00:00.123Z') });
    assert.ok(!text.includes(SENTINEL) && !text.includes('tok-alice-9b1c'), 'no sealed value is in clear');
    assert.match(text, /^ {4}password: ENC\[AES256_GCM,data:[^,]+,iv:[^,]+,tag:[^,]+,type:str\]$/m);
    assert.match(text, /^ {4}port: ENC\[.*type:int\]$/m);
    assert.match(text, /^ {4}ratio: ENC\[.*type:float\]$/m);
    assert.match(text, /^ {4}enabled: ENC\[.*type:bool\]$/m);
    assert.match(text, /^note_unencrypted: visible$/m);
    assert.match(text, /^ {4}lastmodified: "2026-12-07T10:00:00Z"$/m);
    assert.match(text, /^ {4}unencrypted_suffix: _unencrypted$/m);
    assert.ok(text.includes(`recipient: ${recipient}`));
    assert.match(text, /enc: \|\n\s+-----BEGIN AGE ENCRYPTED FILE-----\n/);
    assert.deepEqual(await decryptSopsText(text, 'sealed.sops.yaml', keys), DATA);
  });

  it('seals the data key to every recipient: either key opens the file', async () => {
    const first = await newKey();
    const second = await newKey();
    const text = await sealSopsYaml({ a: 'x' }, { recipients: [first.recipient, second.recipient] });
    assert.deepEqual(await decryptSopsText(text, 'two.sops.yaml', second.keys), { a: 'x' });
    assert.deepEqual(await decryptSopsText(text, 'two.sops.yaml', first.keys), { a: 'x' });
  });

  it('follows a custom unencrypted_suffix, encrypted_suffix and mac_only_encrypted', async () => {
    const { recipient, keys } = await newKey();
    const data = { password_secret: SENTINEL, replicas: 3, note_plain: 'x' };
    const bySuffix = await sealSopsYaml(data, { recipients: [recipient], unencryptedSuffix: '_plain' });
    assert.match(bySuffix, /^note_plain: x$/m);
    assert.deepEqual(await decryptSopsText(bySuffix, 'a.sops.yaml', keys), data);
    const onlySecret = await sealSopsYaml(data, { recipients: [recipient], encryptedSuffix: '_secret', macOnlyEncrypted: true });
    assert.match(onlySecret, /^replicas: 3$/m);
    assert.match(onlySecret, /^ {4}mac_only_encrypted: true$/m);
    assert.deepEqual(await decryptSopsText(onlySecret, 'b.sops.yaml', keys), data);
    // mac_only_encrypted: a value left in clear may change; one sealed may not.
    assert.deepEqual(await decryptSopsText(onlySecret.replace('replicas: 3', 'replicas: 4'), 'b.sops.yaml', keys), { ...data, replicas: 4 });
    await failure(decryptSopsText(bySuffix.replace('note_plain: x', 'note_plain: y'), 'a.sops.yaml', keys));
  });

  it('a tampered value, a value moved, or a MAC over other values fails; another key fails naming the file', async () => {
    const { recipient, keys } = await newKey();
    const text = await sealSopsYaml(DATA, { recipients: [recipient] });
    const flipped = text.replace(/(password: ENC\[AES256_GCM,data:)(.)/, (_m, head: string, c: string) => `${head}${c === 'A' ? 'B' : 'A'}`);
    assert.match((await failure(decryptSopsText(flipped, 'api.sops.yaml', keys))).message, /^api\.sops\.yaml: the value at db\.password does not decrypt/);
    const cleared = text.replace('note_unencrypted: visible', 'note_unencrypted: changed');
    assert.match((await failure(decryptSopsText(cleared, 'api.sops.yaml', keys))).message, /^api\.sops\.yaml: fails SOPS's integrity check/);
    // A file sealed whole under the same data key, but its MAC taken from a file of other values: each
    // value opens, the MAC is the one thing that tells.
    const dataKey = Buffer.alloc(32, 7);
    const lastModified = new Date('2026-12-07T10:00:00Z');
    const real = await sealSopsYaml({ a: 'one', b: 2 }, { recipients: [recipient], dataKey, lastModified });
    const other = await sealSopsYaml({ a: 'one', b: 3 }, { recipients: [recipient], dataKey, lastModified });
    const otherMac = /mac: (ENC\[[^\]]+\])/.exec(other)![1]!;
    assert.deepEqual(await decryptSopsText(real, 'mac.sops.yaml', keys), { a: 'one', b: 2 });
    const swapped = real.replace(/mac: ENC\[[^\]]+\]/, `mac: ${otherMac}`);
    assert.match((await failure(decryptSopsText(swapped, 'mac.sops.yaml', keys))).message, /^mac\.sops\.yaml: fails SOPS's integrity check/);
    // A MAC sealed right but over the wrong bytes (what a sealer that hashed values wrongly would write).
    const wrongHash = createHash('sha512').update('one2').update('x').digest('hex').toUpperCase();
    const wrongMac = real.replace(/mac: ENC\[[^\]]+\]/, `mac: ${sealValue(Buffer.from(wrongHash), 'str', dataKey, '2026-12-07T10:00:00Z')}`);
    await failure(decryptSopsText(wrongMac, 'mac.sops.yaml', keys));
    const rightMac = real.replace(/mac: ENC\[[^\]]+\]/, `mac: ${sealValue(Buffer.from(createHash('sha512').update('one').update('2').digest('hex').toUpperCase()), 'str', dataKey, '2026-12-07T10:00:00Z')}`);
    assert.deepEqual(await decryptSopsText(rightMac, 'mac.sops.yaml', keys), { a: 'one', b: 2 }, 'the MAC is SHA-512 over the values in order, upper-case hex');
    const stranger = await newKey();
    const wrong = await failure(decryptSopsText(text, 'api.sops.yaml', stranger.keys));
    assert.match(wrong.message, new RegExp(`^api\\.sops\\.yaml: none of the age keys found .* it is encrypted to ${recipient}$`));
    assert.ok(!wrong.message.includes(SENTINEL));
  });
});
