// API discovery, cached for the life of a client (one run): which resource serves a kind, and whether
// it is namespaced. A kind missing from a cached list is asked for again once, so a CRD established a
// moment ago is found; whether a kind is served at all is always asked afresh.
import { KubeRequestError } from '../errors.js';
import { findResource, groupVersionPath, type ApiResource, type ApiResourceList } from './rest-paths.js';
import { answerError, type RestSender } from './rest-transport.js';

export class ApiDiscovery {
  private readonly lists = new Map<string, Promise<ApiResourceList | undefined>>();

  constructor(private readonly transport: RestSender) {}

  /** The group/version's resources, or undefined when the server does not serve it (404). */
  private fetch(apiVersion: string): Promise<ApiResourceList | undefined> {
    const pending = (async () => {
      const response = await this.transport.send({ method: 'GET', path: groupVersionPath(apiVersion) });
      if (response.status === 404) return undefined;
      if (response.status < 200 || response.status > 299) throw answerError(`discovering the resources of ${apiVersion}`, response);
      return JSON.parse(response.body) as ApiResourceList;
    })();
    this.lists.set(apiVersion, pending);
    // A failure or a group not served yet is not remembered: the next question asks again.
    pending.then((list) => { if (!list) this.lists.delete(apiVersion); }, () => this.lists.delete(apiVersion));
    return pending;
  }

  /** The resource serving the kind, or undefined when the server does not serve it. */
  async resourceFor(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const cached = this.lists.get(apiVersion);
    if (cached) {
      const found = findResource(await cached.catch(() => undefined), kind);
      if (found) return found;
    }
    return findResource(await this.fetch(apiVersion), kind);
  }

  /** Like resourceFor, but asked afresh: a CRD deleted a moment ago is no longer served. */
  async servedNow(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    return findResource(await this.fetch(apiVersion), kind);
  }

  /** The resource serving the kind; a KubeRequestError (404) in words helm and kubectl use when not served. */
  async require(apiVersion: string, kind: string, what: string): Promise<ApiResource> {
    const resource = await this.resourceFor(apiVersion, kind);
    if (!resource) {
      throw new KubeRequestError(`${what} failed (HTTP 404): no matches for kind "${kind}" in version "${apiVersion}" (ensure CRDs are installed first)`, 404);
    }
    return resource;
  }
}
