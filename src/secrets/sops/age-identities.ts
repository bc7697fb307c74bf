// Where the age keys that open SOPS files come from, as sops itself looks for them (age/keysource.go):
// SOPS_AGE_KEY (the keys themselves), SOPS_AGE_KEY_FILE (a keys file), and the user's keys file
// ($XDG_CONFIG_HOME/sops/age/keys.txt, else ~/.config/sops/age/keys.txt). All that are there are used.
// SOPS_AGE_KEY_CMD and SSH keys are not read (say so rather than run a command a stack did not choose).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseAgeIdentities, type AgeIdentity } from './age-decrypt.js';

export interface AgeIdentitySet {
  identities: AgeIdentity[];
  /** Where they were looked for, for messages: names and paths, never key material. */
  source: string;
}

/** The age identities of this environment (the process's by default). */
export async function loadAgeIdentities(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): Promise<AgeIdentitySet> {
  const identities: AgeIdentity[] = [];
  const looked: string[] = [];
  if (env.SOPS_AGE_KEY) {
    identities.push(...parseAgeIdentities(env.SOPS_AGE_KEY));
    looked.push('SOPS_AGE_KEY');
  }
  const files = [env.SOPS_AGE_KEY_FILE ? { path: env.SOPS_AGE_KEY_FILE, label: `SOPS_AGE_KEY_FILE=${env.SOPS_AGE_KEY_FILE}` } : undefined, { path: join(env.XDG_CONFIG_HOME || join(home, '.config'), 'sops', 'age', 'keys.txt'), label: '' }];
  for (const file of files) {
    if (!file) continue;
    try {
      identities.push(...parseAgeIdentities(await readFile(file.path, 'utf8')));
      looked.push(file.label || file.path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (file.label) looked.push(`${file.label} (${code === 'ENOENT' ? 'no such file' : 'unreadable'})`);
      else if (code !== 'ENOENT') looked.push(`${file.path} (unreadable)`);
    }
  }
  if (env.SOPS_AGE_KEY_CMD) looked.push('SOPS_AGE_KEY_CMD is not run by helmcycle');
  return { identities, source: looked.length ? `looked in ${looked.join(', ')}` : `looked in SOPS_AGE_KEY, SOPS_AGE_KEY_FILE and ${files[1]!.path}` };
}
