// Scripted fakes behind helmcycle's own interfaces, for unit tests. Every failure is scripted by the
// test that wants it; nothing is triggered by magic names.
import type { HelmClient, HelmVersion, ReleaseInfo, ReleaseRef, RevisionInfo, UpgradeRequest } from '../../src/helm/types.js';
import type { AccessRules, ApplyOptions, KubeClient, KubeObject, ObjectRef, PodState, ProxyResponse } from '../../src/kube/types.js';

export function releaseInfo(overrides: Partial<ReleaseInfo> = {}): ReleaseInfo {
  return { name: 'web', namespace: 'apps', revision: 1, status: 'deployed', chartName: 'web', chartVersion: '1.0.0', appVersion: undefined, description: undefined, updated: undefined, ...overrides };
}

export class FakeHelm implements HelmClient {
  calls: string[] = [];
  current: ReleaseInfo | undefined;
  historyRows: RevisionInfo[] = [];
  manifest = '';
  chartVersion = '1.0.0';
  /** Scripted outcomes of successive upgradeInstall calls: an Error is thrown, anything else succeeds. */
  upgradeOutcomes: (Error | 'ok')[] = [];
  upgradeRequests: UpgradeRequest[] = [];
  version_: HelmVersion = { version: 'v3.17.2', major: 3, minor: 17, patch: 2 };

  async version() { this.calls.push('version'); return this.version_; }
  async upgradeInstall(request: UpgradeRequest) {
    this.calls.push('upgradeInstall');
    this.upgradeRequests.push(request);
    const outcome = this.upgradeOutcomes.shift() ?? 'ok';
    if (outcome instanceof Error) throw outcome;
    this.current = releaseInfo({ name: request.release, namespace: request.namespace, revision: (this.current?.revision ?? 0) + 1, chartVersion: this.chartVersion });
    return this.current;
  }
  async uninstall() { this.calls.push('uninstall'); this.current = undefined; }
  async status() { this.calls.push('status'); return this.current; }
  async history() { this.calls.push('history'); return this.historyRows; }
  async list() { return this.current ? [this.current] : []; }
  async getValues() { return {}; }
  async getManifest() { this.calls.push('getManifest'); return this.manifest; }
  async rollback(request: { revision?: number }) {
    this.calls.push(`rollback:${request.revision}`);
    if (this.current) this.current = { ...this.current, status: 'deployed', revision: this.current.revision + 1 };
  }
  async template() { return this.manifest; }
  /** Scripted outcome of `test`: an Error is thrown. */
  testOutcome: Error | 'ok' = 'ok';
  async test() {
    this.calls.push('test');
    if (this.testOutcome instanceof Error) throw this.testOutcome;
    return { output: 'TEST SUITE: web\nPhase: Succeeded' };
  }
  /** The manifest a dry run renders; the release it reports is the next revision. */
  dryRunManifest = '';
  async dryRun(request: UpgradeRequest) {
    this.calls.push('dryRun');
    const release = releaseInfo({ name: request.release, namespace: request.namespace, revision: (this.current?.revision ?? 0) + 1, chartVersion: this.chartVersion, status: 'pending-upgrade' });
    return { release, manifest: this.dryRunManifest };
  }
  async showChart() { this.calls.push('showChart'); return { name: 'web', version: this.chartVersion, appVersion: undefined, kubeVersion: undefined }; }
  async pull() { this.calls.push('pull'); return '/tmp/web'; }
  async buildDependencies() { this.calls.push('buildDependencies'); }

  // The run view, as the storage-backed client keeps it: forRun starts a run whose facts are asked once
  // (a live fake asks every time), endRun ends it. The fake's reads are always current, so reread only
  // records which release was read again.
  private runFacts: Map<string, Promise<unknown>> | undefined;
  /** Runs begun (forRun) and ended (endRun). */
  runs = { started: 0, ended: 0 };
  /** Every fact `remember` really asked (not answered from the run's memory), by key, in order. */
  asked: string[] = [];
  /** Every release read again (reread), as namespace/name, in order. */
  rereads: string[] = [];
  /** What knownVersion answers (helm's version known without a helm process); unknown by default. */
  knownVersion_: HelmVersion | undefined;

  forRun() {
    this.runs.started++;
    this.runFacts = new Map();
    return this;
  }
  async endRun() {
    if (this.runFacts) this.runs.ended++;
    this.runFacts = undefined;
  }
  async reread(ref: ReleaseRef) { this.rereads.push(`${ref.namespace}/${ref.release}`); }
  remember<T>(key: string, ask: () => Promise<T>, keep: (answer: T) => boolean = () => true): Promise<T> {
    const known = this.runFacts?.get(key) as Promise<T> | undefined;
    if (known) return known;
    this.asked.push(key);
    const answer = ask();
    const facts = this.runFacts;
    facts?.set(key, answer);
    answer.then((value) => { if (!keep(value)) facts?.delete(key); }, () => facts?.delete(key));
    return answer;
  }
  async knownVersion() { return this.knownVersion_; }
}

export class FakeKube implements KubeClient {
  calls: string[] = [];
  pods: PodState[] = [];
  objects = new Map<string, KubeObject>();
  allowed = true;

  static key(ref: ObjectRef): string { return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`; }
  async serverVersion() { return 'v1.34.4'; }
  async canI() { return { allowed: this.allowed, reason: this.allowed ? undefined : 'RBAC: denied' }; }
  async namespaceExists() { return true; }
  async listPods() { return this.pods; }
  async deletePod(_ns: string, name: string) { this.calls.push(`deletePod:${name}`); this.pods = this.pods.filter((p) => p.name !== name); }
  async listEvents() { return [{ type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', object: 'Pod/web-1', count: 3, lastSeen: undefined }]; }
  async podLogs() { return 'panic: cannot connect to database'; }
  async getObject(ref: ObjectRef) { return this.objects.get(FakeKube.key(ref)); }
  async deleteObject(ref: ObjectRef) { this.calls.push(`delete:${FakeKube.key(ref)}`); this.objects.delete(FakeKube.key(ref)); }
  async listObjects(_apiVersion?: string, _kind?: string, _namespace?: string) { return [...this.objects.values()]; }
  async listByLabels(_apiVersion: string, kind: string, namespace: string, labelSelector: string) {
    const wanted = labelSelector.split(',').map((pair) => pair.split('=') as [string, string]);
    return [...this.objects.values()].filter((o) => o.kind === kind && o.metadata.namespace === namespace && wanted.every(([k, v]) => o.metadata.labels?.[k] === v)).map((o) => structuredClone(o));
  }
  /** The rules reviewRules answers; everything allowed unless a test says otherwise. */
  rules: AccessRules = { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [] }], incomplete: false };
  async reviewRules() { return this.allowed ? this.rules : { resourceRules: [], incomplete: false }; }
  private put(object: KubeObject) {
    const ref = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace };
    this.objects.set(FakeKube.key(ref), structuredClone(object));
    return structuredClone(object);
  }
  async createObject(object: KubeObject) { this.calls.push(`create:${object.kind}/${object.metadata.name}`); return this.put(object); }
  async replaceObject(object: KubeObject) { this.calls.push(`replace:${object.kind}/${object.metadata.name}`); return this.put(object); }
  /** What a dry-run apply answers, by FakeKube.key: an object (as a server would return it) or an Error to throw; the applied object itself otherwise. */
  dryRunAnswers = new Map<string, KubeObject | Error>();
  /** The options of every applyObject call, in order. */
  applyOptions: ApplyOptions[] = [];
  async applyObject(object: KubeObject, options?: ApplyOptions) {
    this.calls.push(`apply${options?.dryRun ? '(dry run)' : ''}:${object.kind}/${object.metadata.name}`);
    if (options) this.applyOptions.push(options);
    const answer = options?.dryRun ? this.dryRunAnswers.get(FakeKube.key({ ...object, name: object.metadata.name, namespace: object.metadata.namespace })) : undefined;
    if (answer instanceof Error) throw answer;
    if (answer) return structuredClone(answer);
    return options?.dryRun ? structuredClone(object) : this.put(object);
  }
  async patchObject(ref: ObjectRef, patch: Record<string, unknown>) {
    this.calls.push(`patch:${FakeKube.key(ref)}`);
    const live = this.objects.get(FakeKube.key(ref));
    if (!live) throw new Error(`${FakeKube.key(ref)} not found`);
    const meta = (patch.metadata ?? {}) as { labels?: Record<string, string>; annotations?: Record<string, string> };
    return this.put({ ...live, metadata: { ...live.metadata, labels: { ...live.metadata.labels, ...meta.labels }, annotations: { ...live.metadata.annotations, ...meta.annotations } } });
  }
  async patchObjectStatus(ref: ObjectRef, patch: Record<string, unknown>) {
    this.calls.push(`patch-status:${FakeKube.key(ref)}`);
    const live = this.objects.get(FakeKube.key(ref));
    if (!live) throw new Error(`${FakeKube.key(ref)} not found`);
    return this.put({ ...live, status: { ...live.status, ...(patch.status as Record<string, unknown>) } });
  }
  async proxyGet(): Promise<ProxyResponse> { return { status: 200, body: 'ok' }; }
  servedKinds = new Set(['v1/ConfigMap', 'v1/Secret', 'v1/Service', 'apps/v1/Deployment']);
  async kindServed(apiVersion: string, kind: string) { return this.servedKinds.has(`${apiVersion}/${kind}`); }
  async followPodLogs(_ns: string, _pod: string, _container: string, onLine: (line: string) => void) { onLine('fake log line'); }
}

export function crashingPod(name: string): PodState {
  return {
    name, namespace: 'apps', phase: 'Running', ready: false, labels: { app: 'web' }, notReadyReason: 'ContainersNotReady',
    containers: [{ name: 'web', ready: false, restartCount: 4, reason: 'CrashLoopBackOff', message: 'back-off', lastTerminationReason: 'Error', lastExitCode: 1 }],
  };
}

/** A clock the test moves by hand: `advance` runs every timer that falls due, in order. */
export class FakeClock {
  private timers: { every: number; next: number; tick: () => void; stopped: boolean }[] = [];
  constructor(public time = 1_000_000) {}
  now = () => this.time;
  every = (ms: number, tick: () => void) => {
    const timer = { every: ms, next: this.time + ms, tick, stopped: false };
    this.timers.push(timer);
    return () => {
      timer.stopped = true;
    };
  };
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => !t.stopped && t.next <= until).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.time = due.next;
      due.next += due.every;
      due.tick();
    }
    this.time = until;
  }
}
