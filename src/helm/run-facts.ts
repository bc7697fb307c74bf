// Facts about the tools and the cluster that a run learns on its way (the server's version, helm's, the
// caller's rights in a namespace). A run's client asks each once; a live one asks every time. The
// versions are also kept for the run's report, which names them without asking anything.
import type { ReleaseViewScope } from './release-snapshot.js';
import type { HelmVersion } from './types.js';

/** The key under which `remember` keeps the server's version (check-prerequisites asks it once per run). */
export const SERVER_VERSION_FACT = 'server-version';
const HELM_VERSION_FACT = 'helm-version';
/** Only these answers are kept for knownFacts (not every namespace's access rules). */
const REPORTED_FACTS = new Set([SERVER_VERSION_FACT, HELM_VERSION_FACT]);

/** Facts about the tools and the cluster that a run learnt on its way. */
export interface KnownFacts {
  /** e.g. "v3.17.2" */
  helmVersion?: string;
  /** The API server's gitVersion, e.g. "v1.33.1" */
  serverVersion?: string;
}

export class RunFacts {
  private readonly asked = new Map<string, Promise<unknown>>();

  /** `learnt` is shared by a client and its run views: what any of them learnt, for the report. */
  constructor(
    private readonly scope: ReleaseViewScope,
    private readonly learnt = new Map<string, unknown>(),
  ) {}

  /** The facts of a run view of the same client: its own answers, the same report. */
  forRun(): RunFacts {
    return new RunFacts('run', this.learnt);
  }

  /** What this client or any of its run views has already learnt. Asks nothing. */
  known(): KnownFacts {
    const helm = this.learnt.get(HELM_VERSION_FACT) as HelmVersion | undefined;
    const server = this.learnt.get(SERVER_VERSION_FACT) as string | undefined;
    return { ...(helm ? { helmVersion: helm.version } : {}), ...(server ? { serverVersion: server } : {}) };
  }

  /** A helm version known without a helm process (the version cache, the environment check). */
  noteHelmVersion(version: HelmVersion): void {
    this.learnt.set(HELM_VERSION_FACT, version);
  }

  /** helm's version, as the client asked it, learnt for the report. */
  helmVersion(answer: Promise<HelmVersion>): Promise<HelmVersion> {
    return this.learn(HELM_VERSION_FACT, answer);
  }

  private learn<T>(key: string, answer: Promise<T>): Promise<T> {
    if (REPORTED_FACTS.has(key)) answer.then((value) => this.learnt.set(key, value), () => {});
    return answer;
  }

  /**
   * A fact asked once per run; a live view asks every time. `keep` says which answers may be kept (a
   * missing namespace may be created by an earlier chart of the same run, so that answer is not).
   */
  remember<T>(key: string, ask: () => Promise<T>, keep: (answer: T) => boolean = () => true): Promise<T> {
    if (this.scope !== 'run') return this.learn(key, ask());
    const known = this.asked.get(key) as Promise<T> | undefined;
    if (known) return known;
    const answer = this.learn(key, ask());
    this.asked.set(key, answer);
    answer.then((value) => { if (!keep(value)) this.asked.delete(key); }, () => this.asked.delete(key));
    return answer;
  }
}
