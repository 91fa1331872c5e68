/** Reads one key of an .npmrc the way npm does for a plain `key=value` line (comments start with # or ;). */
import { readFileSync } from 'node:fs';

export function npmrcValue(file: string, key: string): string | undefined {
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq > 0 && line.slice(0, eq).trim() === key) return line.slice(eq + 1).trim();
  }
  return undefined;
}

/** The variable npm sets for a config key when it runs a package's scripts. */
export function npmConfigEnvName(key: string): string {
  return `npm_config_${key.replace(/-/g, '_')}`;
}
