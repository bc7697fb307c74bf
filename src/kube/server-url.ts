// An API server's URL as it may be shown (messages, the report): a kubeconfig's server may carry a
// user:password part or a token in its query, which must never be printed. Pure.

/** The URL without user, password, query or fragment; undefined when it does not parse as a URL. */
export function serverUrlWithoutCredentials(server: string): string | undefined {
  try {
    const url = new URL(server);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return undefined;
  }
}
