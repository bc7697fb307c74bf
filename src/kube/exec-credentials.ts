// A failing exec credential plugin (the kubeconfig's `users[].user.exec`), reported without its output.
// client-node runs the plugin and parses what it prints; when that is not JSON, the parser's error quotes
// the output's first characters (`Unexpected token 's', "s3cr3t-exe"... is not valid JSON`), and when
// the plugin exits non-zero the error is its stderr. Either may be the token. Every call that applies
// the kubeconfig's credentials goes through the two methods guarded here (the REST transport, the API
// clients, logs), so their errors name the plugin and the problem, never what it printed.
import { KubeRequestError } from '../errors.js';
import type { KubeConfig } from './client-node.js';

interface ExecSettings {
  command?: unknown;
}

/** The exec plugin the current user's credentials come from, if any. */
function execPluginOf(config: KubeConfig): { user: string; command: string } | undefined {
  const user = config.getCurrentUser();
  if (!user) return undefined;
  const exec = (user.exec ?? (user.authProvider?.config as { exec?: ExecSettings } | undefined)?.exec) as ExecSettings | undefined;
  if (!exec) return undefined;
  return { user: user.name, command: typeof exec.command === 'string' && exec.command ? exec.command : '(none)' };
}

/** What went wrong, in words that hold nothing the plugin printed. Pure. */
export function execFailureKind(error: unknown): string {
  if (error instanceof SyntaxError) return 'printed something that is not JSON (an ExecCredential object was expected)';
  if (error instanceof TypeError) return 'printed JSON that is not an ExecCredential (no status)';
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ENOENT') return 'could not be started: no such file on PATH';
  if (code === 'EACCES') return 'could not be started: not executable';
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `could not be started (${code})`;
  if (error instanceof Error && error.message.startsWith('No command was specified')) return 'is named without a command';
  // client-node rejects with the plugin's stderr as the message when it exits non-zero.
  return 'exited with an error';
}

/** The error to throw instead of `error`, which came from applying the credentials of `config`. */
export function credentialsFailure(config: KubeConfig, error: unknown): unknown {
  const plugin = execPluginOf(config);
  if (!plugin || error instanceof KubeRequestError) return error;
  // No cause: the original error holds the output, and util.inspect would print it.
  return new KubeRequestError(
    `the kubeconfig user '${plugin.user}' gets its credentials from the exec plugin '${plugin.command}', which ${execFailureKind(error)}; what it printed is not shown, as it may hold a token`,
    undefined,
    { hint: `run '${plugin.command}' (with the arguments the kubeconfig gives it) yourself to see what it prints: an ExecCredential JSON object on stdout, exit code 0` },
  );
}

const guarded = new WeakSet<KubeConfig>();

/** Makes every credentials failure of this kubeconfig object a credentialsFailure. Idempotent; returns the config. */
export function guardCredentials(config: KubeConfig): KubeConfig {
  if (guarded.has(config)) return config;
  guarded.add(config);
  const applyToHTTPSOptions = config.applyToHTTPSOptions.bind(config);
  const applySecurityAuthentication = config.applySecurityAuthentication.bind(config);
  // Own properties over the prototype's methods: client-node calls them on the object (its API clients'
  // middleware, Log and Watch through applyToFetchOptions), so each call lands here.
  Object.assign(config, {
    applyToHTTPSOptions: async (...args: Parameters<KubeConfig['applyToHTTPSOptions']>) => {
      try {
        return await applyToHTTPSOptions(...args);
      } catch (error) {
        throw credentialsFailure(config, error);
      }
    },
    applySecurityAuthentication: async (...args: Parameters<KubeConfig['applySecurityAuthentication']>) => {
      try {
        return await applySecurityAuthentication(...args);
      } catch (error) {
        throw credentialsFailure(config, error);
      }
    },
  });
  return config;
}
