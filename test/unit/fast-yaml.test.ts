// The js-yaml road for plain YAML (src/config/fast-yaml.ts): whatever it reads must be exactly what
// `yaml` reads (drift, plan and apply decide on these objects, and a stack file's data is checked as
// yaml gives it), and what it does not take (anchors, aliases, tags, duplicate or non-scalar keys,
// errors) it must leave to `yaml` (undefined), never guess.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { readPlainYamlDocument, readPlainYamlStream } from '../../src/config/fast-yaml.js';
import { parseManifest } from '../../src/kube/manifest.js';

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
const RENDERED = readFileSync(join(FIXTURES, 'manifests/rendered-fixtures.yaml'), 'utf8');
const documents = (stream: string) => stream.split(/^---[ \t]*$/m);

/** The reader's answer is yaml's, or it declines. Returns whether it read the document. */
function agrees(doc: string, where: string): boolean {
  const fast = readPlainYamlDocument(doc);
  if (fast === undefined) return false;
  const slow = parseAllDocuments(doc);
  const [only] = slow;
  assert.ok(slow.length <= 1 && (only === undefined || only.errors.length === 0), `${where}: the reader read a document yaml refuses:\n${doc}`);
  assert.deepEqual(fast, only === undefined ? null : (only.toJS() as unknown), `${where}:\n${doc}`);
  return true;
}

test('every rendered fixture chart document is read as yaml reads it, and most are read here', () => {
  const docs = documents(RENDERED);
  const read = docs.filter((doc, i) => agrees(doc, `rendered document ${i}`)).length;
  // The common shapes (ConfigMap, Deployment, Service, Job, RBAC) must take the fast path, or it is useless.
  assert.ok(read >= docs.length * 0.9, `only ${read} of ${docs.length} documents were read without yaml`);
});

test('the plain YAML files of the fixtures (values, Chart.yaml, CRDs, stacks) are read as yaml reads them, or left to it', () => {
  const files = readdirSync(FIXTURES, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name) && !e.parentPath.includes('templates'))
    .map((e) => join(e.parentPath, e.name));
  assert.ok(files.length > 20, `found ${files.length} files`);
  let read = 0;
  for (const file of files) {
    for (const doc of documents(readFileSync(file, 'utf8'))) if (agrees(doc, file)) read++;
  }
  assert.ok(read > 20, `read ${read}`);
});

test('scalars resolve as the core schema does; what it reads otherwise is left to yaml', () => {
  const cases = [
    'a: 1\nb: 0\nc: 123456789012345\nd: 10Gi\ne: 100m\nf: 2024-01-01\ng: 1_000\nh: 0x1F\ni: 0o17\nj: 1.5\nk: 1e3\nl: .inf\nm: -.5\nn: +1\no: 007\np: 1234567890123456789',
    'a: true\nb: True\nc: FALSE\nd: yes\ne: on\nf: ~\ng: null\nh: NULL\ni:\nj: y\nk: "true"\nl: \'null\'',
    'a: "x: y"\nb: \'it\'\'s\'\nc: "a # b"\nd: x # comment\ne: "esc\\n"\nf: a: b\ng: http://x:80/p\nh: $(POD_NAMESPACE)\ni: --log=info\nj: -1\nk: - x\nl: "a\'b"',
    'a: |\n  one\n  two\n\n\nb: |-\n  keep\n    indented\nc: >\n  folded\nd: |2\n  x\ne: |+\n  kept\n\n',
    'a: |\n  # not a comment\n  trailing   \n\n  after blank\nb: 1',
    'list:\n- a\n- b: 1\n  c: 2\n-\n  - nested\n- - x\nafter: 1',
    'a:\n  b:\n    - name: x\n      ports:\n      - 80\n      - "81"\n    -   name: y\n        v: 1\n  c: {}\n  d: []\n  e:\n    {}\n  f: [a, "b", \'c\', 1, true]\n  g: [ ]\n  h: {a: 1}',
    'multi: one\n  two\nx: 1',
    'a: {x: 1, y: [a, "b", \'c\'], z: {}, w: [{n: 1}, []]}\nb: {x: 1,}\nc: {x:1}\nd: [a b]\ne: {a: 1, a: 2}\nf: { }\ng: [http://x]\nh: {a: 1} # c\ni: [1.5]\nj: {"q k": -x}',
    'l:\n- { name: web-0, chart: settings, repository: "http://127.0.0.1:1", version: "1.0.0", needs: [] }\n- {name: a, needs: [web-0, b]}',
    'a: {x: 1,\n  y: 2}',
    'a: &anchor 1\nb: *anchor\nc: !!str 5\n<<: {x: 1}',
    '"quoted/key": 1\n"true": 2\n__proto__: 3',
    'dup: 1\ndup: 2',
    'a:\n\tb: 1',
    '- top\n- level',
    'scalar only',
    '# only a comment\n',
    '',
    'a:\n  b: 1\n c: 2',
    'a: 1\n  b: 2',
    '%YAML 1.2\n---\na: 1',
    'a: "unterminated',
  ];
  for (const doc of cases) agrees(doc, 'case');
  // These must be read here (the shapes helm renders and stacks use), and these left to yaml (its checks name the line).
  assert.deepEqual(readPlainYamlDocument('a: 1\nb: 10Gi\nc: "x"\nd: --x\ne:\n- y\nf: [sh, "-c"]'), { a: 1, b: '10Gi', c: 'x', d: '--x', e: ['y'], f: ['sh', '-c'] });
  assert.deepEqual(readPlainYamlDocument('a: |\n  one\n\n  two\n\nb: |-\n  x\n'), { a: 'one\n\ntwo\n', b: 'x' });
  assert.deepEqual(readPlainYamlDocument('a: 1.0\nb: 0x1F\nc: 007\nd: >\n  x\ne: "e\\n"\nf: x # c'), { a: 1, b: 31, c: 7, d: 'x\n', e: 'e\n', f: 'x' });
  for (const declined of ['a: &x 1\nb: *x', 'a: *x', 'dup: 1\ndup: 2', '1: a\n"1": b', '? [a, b]\n: 1', '{a: 1}: 2', 'a: !!str 5', 'a: !custom x', 'a:\n\tb: 1', 'a: "unterminated', 'one: 1\n---\ntwo: 2']) {
    assert.equal(readPlainYamlDocument(declined), undefined, declined);
  }
  // A billion-laughs stream is never expanded here: its aliases send it to yaml, which bounds them.
  assert.equal(readPlainYamlStream('a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]'), undefined);
});

test('parseManifest gives the same objects through js-yaml as through yaml', () => {
  const readable = documents(RENDERED).filter((doc) => readPlainYamlDocument(doc) !== undefined).join('---\n');
  assert.ok(readPlainYamlStream(readable));
  // One document the road does not take (an anchor) sends the whole stream through yaml.
  const forced = `${readable}---\nnot: &an object\n`;
  assert.equal(readPlainYamlStream(forced), undefined);
  const objects = parseManifest(readable, 'demo');
  assert.ok(objects.length > 40, `${objects.length} objects`);
  assert.deepEqual(objects, parseManifest(forced, 'demo'));
});
